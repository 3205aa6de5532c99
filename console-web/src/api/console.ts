// Calls of the endpoints that exist for the console: schedule preview,
// inspect-before-upload, server info and an app's overview. Their types
// come from the generated schema like every other call's.
import { api, rawRequest, unwrap, type Schemas } from "./client";

export type SchedulePreviewRequest = Schemas["PreviewRequest"];
export type SchedulePreview = Schemas["SchedulePreview"];
export type ComponentInspection = Schemas["ComponentReport"];
export type SystemInfo = Schemas["SystemInfo"];
export type AppOverview = Schemas["AppOverview"];

/** The next fire times of a time expression; a bad one throws ApiError (422, field timeExpression). */
export function previewSchedule(body: SchedulePreviewRequest): Promise<SchedulePreview> {
  return unwrap(api.POST("/schedule/preview", { body }));
}

/** What a component is, without storing it; a rejected one throws ApiError (422). */
export function inspectComponent(appId: string, bytes: Blob, container?: string): Promise<ComponentInspection> {
  const query = container ? `?name=${encodeURIComponent(container)}` : "";
  return rawRequest("POST", `/apps/${encodeURIComponent(appId)}/containers/inspect${query}`, bytes, "application/wasm");
}

export function systemInfo(): Promise<SystemInfo> {
  return unwrap(api.GET("/system/info"));
}

export function appOverview(appId: string): Promise<AppOverview> {
  return unwrap(api.GET("/apps/{id}/overview", { params: { path: { id: appId } } }));
}
