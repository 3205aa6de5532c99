// Checks the form before it is sent, with the server's rules (validate.rs)
// for the obvious problems; the server still has the last word.
import type { TFunction } from "i18next";
import { isTimed } from "../enums";
import { fromLocalInput, listOf, type FormKey, type JobForm } from "./form";

export type FormErrors = Partial<Record<FormKey, string>>;

const U32 = 4_294_967_295;
const NAME_RE = /^[A-Za-z0-9._-]{1,128}$/;

export function validateForm(form: JobForm, t: TFunction<"jobs">): FormErrors {
  const errors: FormErrors = {};
  const add = (key: FormKey, message: string) => {
    if (!errors[key]) errors[key] = message;
  };
  const maxLength = (key: FormKey, max: number) => {
    const value = form[key];
    if (typeof value === "string" && [...value].length > max) add(key, t("validation.maxLength", { max }));
  };
  const integer = (key: FormKey, min: number, max: number) => {
    const raw = String(form[key]).trim();
    const n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < min || n > max) add(key, t("validation.integerRange", { min, max }));
  };
  const decimal = (key: FormKey, min: number, max: number) => {
    const raw = String(form[key]).trim();
    const n = Number(raw);
    if (raw === "" || !Number.isFinite(n) || n < min || n > max) add(key, t("validation.numberRange", { min, max }));
  };

  if (!form.name.trim()) add("name", t("validation.required"));
  maxLength("name", 255);
  maxLength("description", 10_000);
  maxLength("jobParams", 65_536);
  maxLength("tag", 255);
  maxLength("extra", 65_536);

  const expression = form.timeExpression.trim();
  switch (form.timeExpressionType) {
    case "CRON":
      if (!expression) add("timeExpression", t("validation.cronRequired"));
      break;
    case "FIXED_RATE":
    case "FIXED_DELAY": {
      const n = Number(expression);
      if (!/^\d+$/.test(expression) || n < 1 || n > 31_536_000_000) add("timeExpression", t("validation.interval"));
      break;
    }
    case "DAILY_TIME_INTERVAL":
      if (!expression) add("timeExpression", t("validation.dailyRequired"));
      else if (!isJsonObject(expression)) add("timeExpression", t("validation.notJsonObject"));
      break;
    default:
      break;
  }
  if (isTimed(form.timeExpressionType) || form.lifecycleStart || form.lifecycleEnd) {
    const start = fromLocalInput(form.lifecycleStart);
    const end = fromLocalInput(form.lifecycleEnd);
    if (form.lifecycleStart.trim() && start === null) add("lifecycleStart", t("validation.dateTime"));
    if (form.lifecycleEnd.trim() && end === null) add("lifecycleEnd", t("validation.dateTime"));
    if (start !== null && end !== null && start >= end) add("lifecycleEnd", t("validation.lifecycleOrder"));
  }

  if (form.processorType === "WASM") {
    const [container, version, ...rest] = form.processorInfo.trim().split("@");
    if (!container || !NAME_RE.test(container)) add("processorInfo", t("validation.wasmContainer"));
    else if (rest.length > 0 || (version !== undefined && !NAME_RE.test(version))) {
      add("processorInfo", t("validation.wasmVersion"));
    }
  } else {
    maxLength("processorInfo", 1024);
    if (
      (form.processorType === "FILE_CLEANUP" || form.processorType === "CONFIG") &&
      form.executeType !== "BROADCAST"
    ) {
      add("executeType", t("validation.broadcastOnly"));
    } else if (form.executeType === "MAP" || form.executeType === "MAP_REDUCE") {
      add("executeType", t("validation.wasmOnly"));
    }
  }

  integer("concurrency", 1, 1000);
  integer("instanceTimeLimit", 0, Number.MAX_SAFE_INTEGER);
  integer("maxInstanceNum", 0, U32);
  integer("maxWorkerCount", 0, U32);
  decimal("minCpuCores", 0, 1_000_000);
  decimal("minMemorySpace", 0, 1_000_000);
  decimal("minDiskSpace", 0, 1_000_000);
  integer("instanceRetryNum", 0, 100);
  integer("instanceRetryInterval", 0, 86_400_000);
  decimal("instanceRetryBackoff", 1, 10);
  integer("taskRetryNum", 0, 100);
  integer("alertThreshold", 0, U32);
  integer("statisticWindowLen", 0, U32);
  integer("silenceWindowLen", 0, U32);

  const workers = listOf(form.designatedWorkers);
  if (workers.length > 1000) add("designatedWorkers", t("validation.tooMany", { max: 1000 }));
  if (workers.some((w) => w.length > 255)) add("designatedWorkers", t("validation.entryLength", { max: 255 }));
  if (form.dispatchStrategy === "SPECIFY" && !form.dispatchStrategyConfig.trim()) {
    add("dispatchStrategyConfig", t("validation.specifyNeeds"));
  }
  maxLength("dispatchStrategyConfig", 65_536);
  if (listOf(form.alarmReceivers).length > 100) add("alarmReceivers", t("validation.tooMany", { max: 100 }));
  return errors;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return !!value && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
