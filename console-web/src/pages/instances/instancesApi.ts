// The instances pages' calls to the server and their query keys.
import { api, unwrap, type Schemas } from "../../api/client";
import type { LogLine } from "./status";

export interface InstanceListQuery {
  jobId?: string;
  status?: string;
  from?: number;
  to?: number;
  page: number;
  size: number;
  sort?: string;
}

export type InstanceAction = "stop" | "cancel" | "retry";

export const instanceKeys = {
  all: ["instances"] as const,
  list: (appId: string, query: InstanceListQuery) => ["instances", "list", appId, query] as const,
  one: (id: string) => ["instances", "one", id] as const,
  jobs: (appId: string) => ["instances", "jobs", appId] as const,
  job: (jobId: string) => ["instances", "job", jobId] as const,
};

export function listInstances(appId: string, query: InstanceListQuery) {
  return unwrap(api.GET("/apps/{id}/instances", { params: { path: { id: appId }, query } }));
}

export function getInstance(id: string) {
  return unwrap(api.GET("/instances/{id}", { params: { path: { id } } }));
}

/** The app's jobs (the first 500), for names and the job filter. */
export function listAppJobs(appId: string) {
  return unwrap(api.GET("/apps/{id}/jobs", { params: { path: { id: appId }, query: { size: 500 } } }));
}

export function getJob(jobId: string) {
  return unwrap(api.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
}

export function instanceAction(id: string, action: InstanceAction) {
  const options = { params: { path: { id } } };
  switch (action) {
    case "stop":
      return unwrap(api.POST("/instances/{id}/stop", options));
    case "cancel":
      return unwrap(api.POST("/instances/{id}/cancel", options));
    case "retry":
      return unwrap(api.POST("/instances/{id}/retry", options));
  }
}

export function runJob(jobId: string, body: Schemas["RunJob"]) {
  return unwrap(api.POST("/jobs/{id}/run", { params: { path: { id: jobId } }, body }));
}

export interface LogQuery {
  after: number;
  limit: number;
  waitMs?: number;
}

export function readLog(id: string, query: LogQuery, signal?: AbortSignal): Promise<Schemas["LogPage"]> {
  return unwrap(api.GET("/instances/{id}/logs", { params: { path: { id }, query }, signal }));
}

/** The whole log, a page at a time. */
export async function readWholeLog(id: string, signal?: AbortSignal): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const limit = 5000;
  let after = 0;
  for (;;) {
    const page = await readLog(id, { after, limit }, signal);
    lines.push(...page.lines);
    if (page.lines.length < limit || page.next <= after) return lines;
    after = page.next;
  }
}
