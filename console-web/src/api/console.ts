// Calls the console makes to endpoints that exist for it: schedule
// preview, inspect-before-upload, server info and an app's overview.
import { rawRequest, type Schemas } from "./client";

export interface SchedulePreviewRequest {
  timeExpressionType: Schemas["TimeExpressionType"];
  timeExpression: string;
  timeZone?: string;
  lifecycle?: Schemas["Lifecycle"];
  count?: number;
  after?: number;
}
export interface SchedulePreview {
  fireTimes: number[];
  timeZone: string;
}
/** The next fire times of a time expression; a bad one throws ApiError (422, field timeExpression). */
export function previewSchedule(body: SchedulePreviewRequest): Promise<SchedulePreview> {
  return rawRequest("POST", "/schedule/preview", JSON.stringify(body), "application/json");
}

export interface ComponentInspection {
  digest: string;
  sizeBytes: number;
  worlds: string[];
  imports: string[];
  exports?: string[];
  existingVersion?: string | null;
}
/** What a component is, without storing it; a rejected one throws ApiError (422). */
export function inspectComponent(appId: string, bytes: Blob, container?: string): Promise<ComponentInspection> {
  const query = container ? `?name=${encodeURIComponent(container)}` : "";
  return rawRequest("POST", `/apps/${encodeURIComponent(appId)}/containers/inspect${query}`, bytes, "application/wasm");
}

export interface SystemInfo {
  version: string;
  serverTime: number;
  timeZone: string;
  utcOffsetMinutes: number;
  buildsEnabled: boolean;
  artifactStore: string;
}
export function systemInfo(): Promise<SystemInfo> {
  return rawRequest("GET", "/system/info");
}

export interface AppOverview {
  jobs: { total: number; enabled: number };
  instances: { running: number; waiting: number; succeededLast24h: number; failedLast24h: number };
  recentFailures: Schemas["Instance"][];
  workers: { alive: number; total: number };
}
export function appOverview(appId: string): Promise<AppOverview> {
  return rawRequest("GET", `/apps/${encodeURIComponent(appId)}/overview`);
}
