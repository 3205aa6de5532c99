// Workers and containers as the API returns them, for the component tests.
import type { Schemas } from "../../api/client";

export function worker(over: Partial<Schemas["WorkerInfo"]> = {}): Schemas["WorkerInfo"] {
  const now = Date.now();
  return {
    id: "w1",
    appId: "a1",
    address: "10.0.0.5:7701",
    tags: ["gpu", "zone-a"],
    processorTypes: ["WASM", "HTTP", "SHELL"],
    maxConcurrentTasks: 16,
    cpuCores: 4,
    loadAverage: 1,
    memoryTotalGb: 16,
    memoryAvailableGb: 12,
    diskTotalGb: 200,
    diskAvailableGb: 50,
    version: "0.3.0",
    alive: true,
    registeredAt: now - 3_600_000,
    lastHeartbeat: now - 2_000,
    ...over,
  };
}

export function container(name: string, over: Partial<Schemas["Container"]> = {}): Schemas["Container"] {
  return {
    appId: "a1",
    id: `c-${name}`,
    name,
    createdAt: 1,
    updatedAt: 1,
    deployedVersionId: "v1",
    deployedLabel: "v1.2",
    deployedDigest: "ab".repeat(32),
    ...over,
  };
}

export function containerDetail(
  name: string,
  workers: Schemas["WorkerDeployStatus"][],
): Schemas["ContainerDetail"] {
  return { ...container(name), deployment: null, deployments: [], versions: [], workers };
}
