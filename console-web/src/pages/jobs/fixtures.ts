// Test data of the jobs pages.
import type { Job } from "./jobsApi";

export function makeJob(patch: Partial<Job> = {}): Job {
  return {
    id: "j1",
    appId: "a1",
    name: "nightly",
    description: "Nightly rollup",
    tag: "etl",
    jobParams: "",
    extra: "",
    enabled: false,
    timeExpressionType: "CRON",
    timeExpression: "0 0 2 * * ?",
    timeZone: "",
    lifecycle: { start: null, end: null },
    misfirePolicy: "FIRE_ONCE_NOW",
    executeType: "STANDALONE",
    processorType: "WASM",
    processorInfo: "billing",
    taskTrackerBehavior: "NORMAL",
    skipReduceOnFailure: false,
    maxInstanceNum: 0,
    concurrency: 5,
    instanceTimeLimit: 0,
    instanceRetryNum: 0,
    instanceRetryInterval: 0,
    instanceRetryBackoff: 1,
    taskRetryNum: 1,
    minCpuCores: 0,
    minMemorySpace: 0,
    minDiskSpace: 0,
    designatedWorkers: [],
    maxWorkerCount: 0,
    dispatchStrategy: "HEALTH_FIRST",
    dispatchStrategyConfig: "",
    alarmConfig: { receivers: [], alertThreshold: 0, statisticWindowLen: 0, silenceWindowLen: 0 },
    logConfig: { type: "ONLINE", level: "INFO" },
    createdAt: 1_777_000_000_000,
    updatedAt: 1_777_000_000_000,
    ...patch,
  };
}

export function page(items: Job[], total = items.length, pageNo = 0, size = 20) {
  return { items, total, page: pageNo, size };
}

export const containers = [
  { id: "c1", appId: "a1", name: "billing", createdAt: 1, updatedAt: 1, deployedLabel: "v2", deployedVersionId: "v2id", deployedDigest: "d" },
  { id: "c2", appId: "a1", name: "reports", createdAt: 1, updatedAt: 1, deployedLabel: null },
];

export const billingDetail = {
  ...containers[0],
  deployments: [],
  workers: [],
  versions: [
    { id: "v2id", container: "billing", label: "v2", digest: "d2", sizeBytes: 10, worlds: ["basic"], imports: [], source: {}, createdBy: "admin", createdAt: 2, deployed: true },
    { id: "v1id", container: "billing", label: "v1", digest: "d1", sizeBytes: 10, worlds: ["basic"], imports: [], source: {}, createdBy: "admin", createdAt: 1, deployed: false },
  ],
};
