// The containers pages' calls to the server and their query keys. Uploads
// go through `rawRequest` (the body is the component's bytes); everything
// else through the typed client.
import { api, rawRequest, unwrap, type Schemas } from "../../api/client";

export type Container = Schemas["Container"];
export type ContainerDetail = Schemas["ContainerDetail"];
export type ContainerVersion = Schemas["ContainerVersion"];
export type Deployment = Schemas["Deployment"];
export type WorkerDeployStatus = Schemas["WorkerDeployStatus"];
export type GitSource = Schemas["GitSource"];
export type GitSourceInput = Schemas["GitSourceInput"];
export type CredentialsInfo = Schemas["CredentialsInfo"];
export type GitRef = Schemas["GitRef"];
export type Build = Schemas["Build"];
export type BuildStatus = Schemas["BuildStatus"];
export type BuildLogLine = Schemas["BuildLogLine"];
export type BuildLogPage = Schemas["BuildLogPage"];
export type Builder = Schemas["Builder"];

export const containerKeys = {
  all: ["containers"] as const,
  list: (appId: string) => ["containers", appId, "list"] as const,
  detail: (appId: string, name: string) => ["containers", appId, "detail", name] as const,
  deployments: (appId: string, name: string) => ["containers", appId, "deployments", name] as const,
  source: (appId: string, name: string) => ["containers", appId, "source", name] as const,
  builds: (appId: string, name: string) => ["containers", appId, "builds", name] as const,
  system: ["containers", "system-info"] as const,
};

const path = (id: string, name: string) => ({ params: { path: { id, name } } });

export function listContainers(appId: string) {
  return unwrap(api.GET("/apps/{id}/containers", { params: { path: { id: appId } } }));
}

export function getContainer(appId: string, name: string) {
  return unwrap(api.GET("/apps/{id}/containers/{name}", path(appId, name)));
}

export function deleteContainer(appId: string, name: string) {
  return unwrap(api.DELETE("/apps/{id}/containers/{name}", path(appId, name)));
}

export function deployVersion(appId: string, name: string, label: string) {
  return unwrap(api.POST("/apps/{id}/containers/{name}/deploy", { ...path(appId, name), body: { label } }));
}

export function listDeployments(appId: string, name: string) {
  return unwrap(api.GET("/apps/{id}/containers/{name}/deployments", path(appId, name)));
}

export function deleteVersion(appId: string, name: string, label: string) {
  return unwrap(
    api.DELETE("/apps/{id}/containers/{name}/versions/{label}", {
      params: { path: { id: appId, name, label } },
    }),
  );
}

export interface UploadOptions {
  label?: string;
  deploy: boolean;
}

/** Stores a component as a new version (the container is created if new). */
export function uploadVersion(appId: string, name: string, file: Blob, options: UploadOptions) {
  const query = new URLSearchParams();
  if (options.label) query.set("label", options.label);
  query.set("deploy", String(options.deploy));
  const url = `/apps/${encodeURIComponent(appId)}/containers/${encodeURIComponent(name)}/versions?${query}`;
  return rawRequest<ContainerVersion>("POST", url, file, "application/wasm");
}

export function getSource(appId: string, name: string) {
  return unwrap(api.GET("/apps/{id}/containers/{name}/source", path(appId, name)));
}

export function putSource(appId: string, name: string, body: GitSourceInput) {
  return unwrap(api.PUT("/apps/{id}/containers/{name}/source", { ...path(appId, name), body }));
}

export function listBuilds(appId: string, name: string) {
  return unwrap(
    api.GET("/apps/{id}/containers/{name}/builds", { params: { path: { id: appId, name }, query: { limit: 50 } } }),
  );
}

export function startBuild(appId: string, name: string, body: Schemas["BuildRequest"]) {
  return unwrap(api.POST("/apps/{id}/containers/{name}/builds", { ...path(appId, name), body }));
}

export function cancelBuild(appId: string, name: string, build: string) {
  return unwrap(
    api.POST("/apps/{id}/containers/{name}/builds/{build}/cancel", { params: { path: { id: appId, name, build } } }),
  );
}

export interface LogQuery {
  after: number;
  limit: number;
  waitMs?: number;
}

export function readBuildLog(appId: string, name: string, build: string, query: LogQuery, signal?: AbortSignal) {
  return unwrap(
    api.GET("/apps/{id}/containers/{name}/builds/{build}/log", {
      params: { path: { id: appId, name, build }, query },
      signal,
    }),
  );
}
