// The editor's form: every JobSpec field, numbers kept as the text typed
// (so a half-typed value stays visible), turned into a JobSpec on save.
import type { Schemas } from "../../../api/client";
import type { Job, JobSpec } from "../jobsApi";

export interface JobForm {
  name: string;
  description: string;
  tag: string;
  jobParams: string;
  extra: string;
  enabled: boolean;
  timeExpressionType: Schemas["TimeExpressionType"];
  timeExpression: string;
  timeZone: string;
  lifecycleStart: string;
  lifecycleEnd: string;
  misfirePolicy: Schemas["MisfirePolicy"];
  executeType: Schemas["ExecuteType"];
  processorType: Schemas["ProcessorType"];
  processorInfo: string;
  taskTrackerBehavior: Schemas["TaskTrackerBehavior"];
  skipReduceOnFailure: boolean;
  concurrency: string;
  instanceTimeLimit: string;
  maxInstanceNum: string;
  dispatchStrategy: Schemas["DispatchStrategy"];
  dispatchStrategyConfig: string;
  designatedWorkers: string;
  maxWorkerCount: string;
  minCpuCores: string;
  minMemorySpace: string;
  minDiskSpace: string;
  instanceRetryNum: string;
  instanceRetryInterval: string;
  instanceRetryBackoff: string;
  taskRetryNum: string;
  alarmReceivers: string;
  alertThreshold: string;
  statisticWindowLen: string;
  silenceWindowLen: string;
  logType: Schemas["LogType"];
  logLevel: Schemas["LogLevel"];
}

export type FormKey = keyof JobForm;

/** A new job, with the server's defaults. */
export function emptyForm(): JobForm {
  return {
    name: "",
    description: "",
    tag: "",
    jobParams: "",
    extra: "",
    enabled: true,
    timeExpressionType: "CRON",
    timeExpression: "",
    timeZone: "",
    lifecycleStart: "",
    lifecycleEnd: "",
    misfirePolicy: "FIRE_ONCE_NOW",
    executeType: "STANDALONE",
    processorType: "WASM",
    processorInfo: "",
    taskTrackerBehavior: "NORMAL",
    skipReduceOnFailure: false,
    concurrency: "5",
    instanceTimeLimit: "0",
    maxInstanceNum: "0",
    dispatchStrategy: "HEALTH_FIRST",
    dispatchStrategyConfig: "",
    designatedWorkers: "",
    maxWorkerCount: "0",
    minCpuCores: "0",
    minMemorySpace: "0",
    minDiskSpace: "0",
    instanceRetryNum: "0",
    instanceRetryInterval: "0",
    instanceRetryBackoff: "1",
    taskRetryNum: "1",
    alarmReceivers: "",
    alertThreshold: "0",
    statisticWindowLen: "0",
    silenceWindowLen: "0",
    logType: "ONLINE",
    logLevel: "INFO",
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Unix ms as a `datetime-local` value in the browser's zone. */
export function toLocalInput(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A `datetime-local` value (browser zone) as Unix ms; empty or unreadable: null. */
export function fromLocalInput(value: string): number | null {
  if (!value.trim()) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

const text = (n: number | undefined, fallback: number) => String(n ?? fallback);

/** The form of a stored job. */
export function formOf(job: Job): JobForm {
  const base = emptyForm();
  return {
    name: job.name,
    description: job.description ?? "",
    tag: job.tag ?? "",
    jobParams: job.jobParams ?? "",
    extra: job.extra ?? "",
    enabled: job.enabled ?? true,
    timeExpressionType: job.timeExpressionType,
    timeExpression: job.timeExpression ?? "",
    timeZone: job.timeZone ?? "",
    lifecycleStart: toLocalInput(job.lifecycle?.start),
    lifecycleEnd: toLocalInput(job.lifecycle?.end),
    misfirePolicy: job.misfirePolicy ?? base.misfirePolicy,
    executeType: job.executeType,
    processorType: job.processorType,
    processorInfo: job.processorInfo ?? "",
    taskTrackerBehavior: job.taskTrackerBehavior ?? base.taskTrackerBehavior,
    skipReduceOnFailure: job.skipReduceOnFailure ?? false,
    concurrency: text(job.concurrency, 5),
    instanceTimeLimit: text(job.instanceTimeLimit, 0),
    maxInstanceNum: text(job.maxInstanceNum, 0),
    dispatchStrategy: job.dispatchStrategy ?? base.dispatchStrategy,
    dispatchStrategyConfig: job.dispatchStrategyConfig ?? "",
    designatedWorkers: (job.designatedWorkers ?? []).join("\n"),
    maxWorkerCount: text(job.maxWorkerCount, 0),
    minCpuCores: text(job.minCpuCores, 0),
    minMemorySpace: text(job.minMemorySpace, 0),
    minDiskSpace: text(job.minDiskSpace, 0),
    instanceRetryNum: text(job.instanceRetryNum, 0),
    instanceRetryInterval: text(job.instanceRetryInterval, 0),
    instanceRetryBackoff: text(job.instanceRetryBackoff, 1),
    taskRetryNum: text(job.taskRetryNum, 1),
    alarmReceivers: (job.alarmConfig?.receivers ?? []).join("\n"),
    alertThreshold: text(job.alarmConfig?.alertThreshold, 0),
    statisticWindowLen: text(job.alarmConfig?.statisticWindowLen, 0),
    silenceWindowLen: text(job.alarmConfig?.silenceWindowLen, 0),
    logType: job.logConfig?.type ?? base.logType,
    logLevel: job.logConfig?.level ?? base.logLevel,
  };
}

/** Entries of a list typed one per line or separated by commas. */
export function listOf(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const num = (value: string) => Number(value.trim());

/** The JobSpec the form describes (checked by `validate` first). */
export function specOf(form: JobForm): JobSpec {
  const timed = form.timeExpressionType !== "API" && form.timeExpressionType !== "WORKFLOW";
  return {
    name: form.name.trim(),
    description: form.description,
    tag: form.tag.trim(),
    jobParams: form.jobParams,
    extra: form.extra,
    enabled: form.enabled,
    timeExpressionType: form.timeExpressionType,
    timeExpression: timed ? form.timeExpression.trim() : "",
    timeZone: form.timeZone.trim(),
    lifecycle: { start: fromLocalInput(form.lifecycleStart), end: fromLocalInput(form.lifecycleEnd) },
    misfirePolicy: form.misfirePolicy,
    executeType: form.executeType,
    processorType: form.processorType,
    processorInfo: form.processorInfo.trim(),
    taskTrackerBehavior: form.taskTrackerBehavior,
    skipReduceOnFailure: form.skipReduceOnFailure,
    concurrency: num(form.concurrency),
    instanceTimeLimit: num(form.instanceTimeLimit),
    maxInstanceNum: num(form.maxInstanceNum),
    dispatchStrategy: form.dispatchStrategy,
    dispatchStrategyConfig: form.dispatchStrategyConfig.trim(),
    designatedWorkers: listOf(form.designatedWorkers),
    maxWorkerCount: num(form.maxWorkerCount),
    minCpuCores: num(form.minCpuCores),
    minMemorySpace: num(form.minMemorySpace),
    minDiskSpace: num(form.minDiskSpace),
    instanceRetryNum: num(form.instanceRetryNum),
    instanceRetryInterval: num(form.instanceRetryInterval),
    instanceRetryBackoff: num(form.instanceRetryBackoff),
    taskRetryNum: num(form.taskRetryNum),
    alarmConfig: {
      receivers: listOf(form.alarmReceivers),
      alertThreshold: num(form.alertThreshold),
      statisticWindowLen: num(form.statisticWindowLen),
      silenceWindowLen: num(form.silenceWindowLen),
    },
    logConfig: { type: form.logType, level: form.logLevel },
  };
}

/** The server's field names (`alarmConfig.receivers`, `lifecycle.start`) → the form's key showing them. */
export const SERVER_FIELDS: Record<string, FormKey> = {
  "lifecycle": "lifecycleEnd",
  "lifecycle.start": "lifecycleStart",
  "lifecycle.end": "lifecycleEnd",
  "alarmConfig": "alarmReceivers",
  "alarmConfig.receivers": "alarmReceivers",
  "alarmConfig.alertThreshold": "alertThreshold",
  "alarmConfig.statisticWindowLen": "statisticWindowLen",
  "alarmConfig.silenceWindowLen": "silenceWindowLen",
  "logConfig": "logType",
  "logConfig.type": "logType",
  "logConfig.level": "logLevel",
};

/** The form key a server field name belongs to, if the form shows it. */
export function formKeyOf(field: string, form: JobForm): FormKey | undefined {
  if (field in SERVER_FIELDS) return SERVER_FIELDS[field];
  const key = field.split(/[.[]/)[0];
  return key in form ? (key as FormKey) : undefined;
}
