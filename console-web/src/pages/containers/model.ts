// Rules and small helpers of the containers pages: the name/label rule the
// server applies, worlds, statuses, and a version's source.
import { checkName as checkServerName, type NameProblem } from "../../components/names";
import type { BuildStatus, ContainerVersion } from "./containersApi";

/** The largest component the server accepts (64 MiB). */
export const MAX_COMPONENT_BYTES = 64 << 20;
/** Names that are endpoints of their own under `/containers/`. */
const RESERVED = ["inspect"];

export type { NameProblem };

/** What is wrong with a container name or a version label, if anything. */
export function checkName(text: string, { container = false, optional = false } = {}): NameProblem | null {
  return checkServerName(text, { optional, reserved: container ? RESERVED : [] });
}

/** A container name suggested by a file's name: `report-exporter.wasm` → `report-exporter`. */
export function nameFromFile(fileName: string): string {
  const base = fileName.replace(/\.wasm$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  const name = base.slice(0, 128);
  return RESERVED.includes(name.toLowerCase()) ? `${name}-1` : name;
}

/** Whether a file looks like a component: a `.wasm` name or wasm media type. */
export function looksLikeWasm(file: File): boolean {
  return /\.wasm$/i.test(file.name) || file.type === "application/wasm";
}

/** A world as its WIT name: `basic` → `wasmjob:processor/basic`. */
export function worldName(world: string): string {
  return world.includes(":") ? world : `wasmjob:processor/${world}`;
}

const WORLD_KIND: Record<string, string> = {
  basic: "STANDALONE",
  broadcast: "BROADCAST",
  map: "MAP",
  "map-reduce": "MAP_REDUCE",
};

/** The execute type (PowerJob's ExecuteType) a world serves, if known. */
export function worldExecuteType(world: string): string | undefined {
  const short = world.replace(/^.*\//, "").replace(/@.*$/, "");
  return WORLD_KIND[short];
}

export function shortDigest(digest: string | null | undefined): string {
  return digest ? digest.slice(0, 12) : "—";
}

export function isBuildFinal(status: BuildStatus): boolean {
  return status === "SUCCEEDED" || status === "FAILED";
}

export const BUILD_TONE: Record<BuildStatus, string> = {
  QUEUED: "wait",
  RUNNING: "busy",
  SUCCEEDED: "ok",
  FAILED: "bad",
};

export const WORKER_TONE: Record<string, string> = {
  READY: "ok",
  FETCHING: "busy",
  FAILED: "bad",
  NOT_REPORTED: "wait",
};

/** Whether a worker's state of the deployed version will still change. */
export function isWorkerFinal(state: string): boolean {
  return state === "READY" || state === "FAILED";
}

export interface VersionSource {
  type: "UPLOAD" | "GIT" | string;
  url?: string;
  commit?: string;
  path?: string;
  build?: string;
  reference?: { kind?: string; name?: string };
}

/** A version's `source`, read defensively (the schema types it as an object). */
export function versionSource(version: ContainerVersion): VersionSource {
  const raw = version.source as unknown;
  if (raw && typeof raw === "object" && "type" in raw) return raw as VersionSource;
  return { type: "UPLOAD" };
}

/** Whether `version` is older than the deployed one: deploying it is a rollback. */
export function isRollback(version: ContainerVersion, versions: ContainerVersion[]): boolean {
  const deployed = versions.find((v) => v.deployed);
  if (!deployed || version.deployed) return false;
  if (version.createdAt !== deployed.createdAt) return version.createdAt < deployed.createdAt;
  // Same millisecond: the list is newest first.
  return versions.indexOf(version) > versions.indexOf(deployed);
}
