// Fixtures of the containers pages' tests.
import type { ComponentInspection } from "../../api/console";
import type { Build, ContainerDetail, ContainerVersion } from "./containersApi";

export const DIGEST_1 = "a".repeat(64);
export const DIGEST_2 = "b".repeat(64);

export function wasmFile(name = "report-exporter.wasm"): File {
  return new File([new Uint8Array([0, 97, 115, 109, 13, 0, 1, 0])], name, { type: "application/wasm" });
}

export const inspection: ComponentInspection = {
  digest: DIGEST_2,
  sizeBytes: 8,
  worlds: ["basic"],
  imports: ["wasi:cli/environment@0.2.0", "wasmjob:processor/host"],
  exports: ["wasmjob:processor/processor"],
  existingVersion: null,
};

export function version(overrides: Partial<ContainerVersion>): ContainerVersion {
  return {
    id: "v1",
    container: "hello",
    label: "v1",
    digest: DIGEST_1,
    sizeBytes: 2048,
    worlds: ["basic"],
    imports: ["wasmjob:processor/host"],
    source: { type: "UPLOAD" } as unknown as ContainerVersion["source"],
    createdBy: "admin",
    createdAt: 1_700_000_000_000,
    deployed: false,
    workers: [],
    ...overrides,
  };
}

export function detail(overrides: Partial<ContainerDetail> = {}): ContainerDetail {
  const v2 = version({
    id: "v2",
    label: "v2",
    digest: DIGEST_2,
    createdAt: 1_700_000_100_000,
    deployed: true,
    worlds: ["basic", "broadcast"],
    workers: ["10.0.0.1:27777"],
    source: {
      type: "GIT",
      url: "https://example.com/acme/jobs.git",
      commit: "0123456789abcdef0123456789abcdef01234567",
      reference: { kind: "BRANCH", name: "main" },
    } as unknown as ContainerVersion["source"],
  });
  const v1 = version({});
  const deployment = {
    id: "d2",
    versionId: "v2",
    label: "v2",
    digest: DIGEST_2,
    deployedBy: "admin",
    deployedAt: 1_700_000_100_000,
  };
  return {
    id: "c1",
    appId: "a1",
    name: "hello",
    deployedVersionId: "v2",
    deployedLabel: "v2",
    deployedDigest: DIGEST_2,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_100_000,
    versions: [v2, v1],
    deployment,
    deployments: [deployment, { ...deployment, id: "d1", versionId: "v1", label: "v1", digest: DIGEST_1 }],
    workers: [
      { workerId: "w1", address: "10.0.0.1:27777", pool: false, state: "READY", message: "", updatedAt: 1_700_000_100_500 },
      { workerId: "w2", address: "10.0.0.2:27777", pool: true, state: "FETCHING", message: "", updatedAt: null },
    ],
    ...overrides,
  };
}

export function build(overrides: Partial<Build> = {}): Build {
  return {
    id: "b1",
    container: "hello",
    status: "RUNNING",
    url: "https://example.com/acme/jobs.git",
    reference: { kind: "BRANCH", name: "main" },
    deploy: true,
    commit: null,
    versionId: null,
    label: null,
    message: null,
    createdBy: "admin",
    createdAt: 1_700_000_200_000,
    startedAt: 1_700_000_200_100,
    finishedAt: null,
    ...overrides,
  };
}
