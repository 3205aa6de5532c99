// The jobs pages' calls to the server, their query keys, and the export
// files (one job's definition, or `{"jobs": [...]}` as import takes it).
import { api, unwrap, type Schemas } from "../../api/client";

export type Job = Schemas["Job"];
export type JobSpec = Schemas["JobSpec"];

export interface JobFilter {
  name?: string;
  enabled?: boolean;
  tag?: string;
  timeExpressionType?: Schemas["TimeExpressionType"];
  executeType?: Schemas["ExecuteType"];
  processorType?: Schemas["ProcessorType"];
}
export interface JobListQuery extends JobFilter {
  page: number;
  size: number;
  sort?: string;
}

export const jobKeys = {
  all: ["jobs"] as const,
  list: (appId: string, query: JobListQuery) => ["jobs", "list", appId, query] as const,
  one: (jobId: string) => ["jobs", "one", jobId] as const,
  containers: (appId: string) => ["jobs", "containers", appId] as const,
  container: (appId: string, name: string) => ["jobs", "container", appId, name] as const,
};

export function listJobs(appId: string, query: JobListQuery) {
  return unwrap(api.GET("/apps/{id}/jobs", { params: { path: { id: appId }, query } }));
}

export function getJob(jobId: string) {
  return unwrap(api.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
}

export function createJob(appId: string, spec: JobSpec) {
  return unwrap(api.POST("/apps/{id}/jobs", { params: { path: { id: appId } }, body: spec }));
}

export function updateJob(jobId: string, spec: JobSpec) {
  return unwrap(api.PUT("/jobs/{id}", { params: { path: { id: jobId } }, body: spec }));
}

export function setJobEnabled(jobId: string, enabled: boolean) {
  const params = { params: { path: { id: jobId } } };
  return unwrap(enabled ? api.POST("/jobs/{id}/enable", params) : api.POST("/jobs/{id}/disable", params));
}

export function deleteJob(jobId: string) {
  return unwrap(api.DELETE("/jobs/{id}", { params: { path: { id: jobId } } }));
}

export function copyJob(jobId: string, name: string) {
  return unwrap(api.POST("/jobs/{id}/copy", { params: { path: { id: jobId } }, body: { name } }));
}

export function runJob(jobId: string, body: Schemas["RunJob"]) {
  return unwrap(api.POST("/jobs/{id}/run", { params: { path: { id: jobId } }, body }));
}

export function exportJob(jobId: string) {
  return unwrap(api.GET("/jobs/{id}/export", { params: { path: { id: jobId } } }));
}

export function importJobs(appId: string, jobs: JobSpec[]) {
  return unwrap(api.POST("/apps/{id}/jobs/import", { params: { path: { id: appId } }, body: { jobs } }));
}

export function listContainers(appId: string) {
  return unwrap(api.GET("/apps/{id}/containers", { params: { path: { id: appId } } }));
}

export function getContainer(appId: string, name: string) {
  return unwrap(api.GET("/apps/{id}/containers/{name}", { params: { path: { id: appId, name } } }));
}

/** Every job matching `filter` (all pages), in the given order. */
export async function allJobs(appId: string, filter: JobFilter, sort?: string): Promise<Job[]> {
  const size = 500;
  const jobs: Job[] = [];
  for (let page = 0; ; page++) {
    const reply = await listJobs(appId, { ...filter, sort, page, size });
    jobs.push(...reply.items);
    if (reply.items.length < size || jobs.length >= reply.total) return jobs;
  }
}

/** The export of each job, a few at a time; `progress` hears how many are done. */
export async function exportJobs(ids: string[], progress?: (done: number) => void): Promise<JobSpec[]> {
  const specs: JobSpec[] = new Array(ids.length);
  let next = 0;
  let done = 0;
  async function worker() {
    while (next < ids.length) {
      const i = next++;
      specs[i] = await exportJob(ids[i]);
      progress?.(++done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
  return specs;
}

/** Offers `data` as a JSON file to save. */
export function downloadJson(fileName: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A file name from a job's name. */
export function exportFileName(name: string): string {
  const base = name.trim().replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "job";
  return `${base}.json`;
}

/** Reads a file of job definitions: `{"jobs": [...]}`, an array of them, or one. */
export function parseImport(text: string): JobSpec[] {
  const value: unknown = JSON.parse(text);
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (value && typeof value === "object" && Array.isArray((value as { jobs?: unknown }).jobs)) {
    list = (value as { jobs: unknown[] }).jobs;
  } else if (value && typeof value === "object") list = [value];
  else throw new TypeError("not job definitions");
  return list.map(stripStored);
}

/** A stored job pasted as it is: its id, app and times are no part of a definition. */
function stripStored(entry: unknown): JobSpec {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return entry as JobSpec;
  const copy = { ...(entry as Record<string, unknown>) };
  if ("id" in copy && "appId" in copy) {
    for (const key of ["id", "appId", "createdAt", "updatedAt", "nextFireTime", "nextTriggerTime"]) delete copy[key];
  }
  return copy as unknown as JobSpec;
}

/** The next fire time of a job, when the server includes one. */
export function nextFireTime(job: Job): number | undefined {
  const extra = job as Job & { nextFireTime?: number | null; nextTriggerTime?: number | null };
  return extra.nextFireTime ?? extra.nextTriggerTime ?? undefined;
}
