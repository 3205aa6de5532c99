// What an instance's status allows (as the server's routes do), its
// duration, and the conversions of the list's time-range inputs.
import type { Schemas } from "../../api/client";

export type Instance = Schemas["Instance"];
export type InstanceStatus = Schemas["InstanceStatus"];
export type LogLine = Schemas["LogLine"];

export const STATUSES: InstanceStatus[] = [
  "WAITING_DISPATCH",
  "WAITING_WORKER_RECEIVE",
  "RUNNING",
  "SUCCEED",
  "FAILED",
  "STOPPED",
  "CANCELED",
];

/** Status filters that name several statuses (the list's `status` query
 * takes names separated by commas). */
export const STATUS_GROUPS = {
  waiting: "WAITING_DISPATCH,WAITING_WORKER_RECEIVE",
  unfinished: "WAITING_DISPATCH,WAITING_WORKER_RECEIVE,RUNNING",
} as const;

/** `value` when it is one status or several separated by commas. */
export function statusFilter(value: string | null): string | undefined {
  if (!value) return undefined;
  const names = value.split(",").map((s) => s.trim());
  return names.every((n) => STATUSES.includes(n as InstanceStatus)) ? names.join(",") : undefined;
}

const FINAL: ReadonlySet<InstanceStatus> = new Set(["SUCCEED", "FAILED", "STOPPED", "CANCELED"]);

export function isFinal(status: InstanceStatus): boolean {
  return FINAL.has(status);
}

/** `POST /instances/{id}/stop`: waiting or running. */
export function canStop(status: InstanceStatus): boolean {
  return status === "RUNNING" || status === "WAITING_DISPATCH" || status === "WAITING_WORKER_RECEIVE";
}

/** `POST /instances/{id}/cancel`: not dispatched yet. */
export function canCancel(status: InstanceStatus): boolean {
  return status === "WAITING_DISPATCH";
}

/** `POST /instances/{id}/retry`: failed, stopped or canceled. */
export function canRetry(status: InstanceStatus): boolean {
  return status === "FAILED" || status === "STOPPED" || status === "CANCELED";
}

/** From dispatch to the end (or to now while it runs). */
export function instanceDuration(instance: Instance, now: number = Date.now()): number | null {
  const start = instance.actualTriggerTime;
  if (!start) return null;
  if (instance.finishedTime) return Math.max(0, instance.finishedTime - start);
  return isFinal(instance.status) ? null : Math.max(0, now - start);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Unix ms as a `datetime-local` value in the browser's zone. */
export function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return "";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's zone) as Unix ms. */
export function fromLocalInput(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)).getTime();
}
