// The values of the job enums, in the order the console offers them.
import type { Schemas } from "../../api/client";

export const TIME_EXPRESSION_TYPES: Schemas["TimeExpressionType"][] = [
  "CRON",
  "FIXED_RATE",
  "FIXED_DELAY",
  "DAILY_TIME_INTERVAL",
  "API",
  "WORKFLOW",
];
export const EXECUTE_TYPES: Schemas["ExecuteType"][] = ["STANDALONE", "BROADCAST", "MAP", "MAP_REDUCE"];
export const PROCESSOR_TYPES: Schemas["ProcessorType"][] = [
  "WASM",
  "SHELL",
  "PYTHON",
  "HTTP",
  "SQL",
  "FILE_CLEANUP",
  "CONFIG",
  "INJECT_WORKFLOW_CONTEXT",
];
export const DISPATCH_STRATEGIES: Schemas["DispatchStrategy"][] = ["HEALTH_FIRST", "RANDOM", "SPECIFY"];
export const TASK_TRACKER_BEHAVIORS: Schemas["TaskTrackerBehavior"][] = ["NORMAL", "PADDLING"];
export const MISFIRE_POLICIES: Schemas["MisfirePolicy"][] = ["FIRE_ONCE_NOW", "SKIP"];
export const LOG_TYPES: Schemas["LogType"][] = ["ONLINE", "LOCAL", "STDOUT", "NULL"];
export const LOG_LEVELS: Schemas["LogLevel"][] = ["DEBUG", "INFO", "WARN", "ERROR", "OFF"];
export const SORTS = ["-createdAt", "createdAt", "name", "-name", "-updatedAt", "updatedAt"] as const;
export const PAGE_SIZES = [20, 50, 100] as const;

/** Types the scheduler fires by itself (the others run through the API or a workflow). */
export function isTimed(type: Schemas["TimeExpressionType"]): boolean {
  return type !== "API" && type !== "WORKFLOW";
}
