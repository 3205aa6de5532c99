// Sample server replies for the instances pages' tests.
import type { Schemas } from "../../api/client";
import type { Instance, LogLine } from "./status";

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);

export function sampleInstance(over: Partial<Instance> = {}): Instance {
  return {
    id: "i1",
    jobId: "j1",
    appId: "a1",
    status: "SUCCEED",
    triggerType: "API",
    instanceParams: "",
    expectedTriggerTime: T0,
    actualTriggerTime: T0 + 100,
    finishedTime: T0 + 2100,
    result: "ok",
    coordinator: "10.0.0.1:27777",
    runningTimes: 1,
    createdAt: T0,
    updatedAt: T0 + 2100,
    ...over,
  };
}

/** An instance as a mockApi reply: its `status` field would otherwise be
 * taken for the reply's HTTP status. */
export function reply(over: Partial<Instance> = {}) {
  return { status: 200, body: sampleInstance(over) };
}

export function sampleJob(over: Partial<Schemas["Job"]> = {}): Schemas["Job"] {
  return {
    id: "j1",
    appId: "a1",
    name: "nightly-report",
    executeType: "STANDALONE",
    processorType: "WASM",
    timeExpressionType: "API",
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function page<T>(items: T[], size = 20) {
  return { items, total: items.length, page: 0, size };
}

export function logLine(seq: number, message: string, level = "INFO"): LogLine {
  return { seq, time: T0 + seq, level, taskId: "0", source: "guest", message };
}
