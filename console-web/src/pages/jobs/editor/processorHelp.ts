// Example parameters of the official processors (docs/official-processors.md).
import type { Schemas } from "../../../api/client";

const EXAMPLES: Partial<Record<Schemas["ProcessorType"], string>> = {
  SHELL: "set -e\necho \"hello from $WASMJOB_JOB_ID\"",
  PYTHON: "import os\nprint('hello from', os.environ['WASMJOB_JOB_ID'])",
  HTTP: JSON.stringify(
    { method: "POST", url: "https://example.com/hook", headers: {}, body: "{}", mediaType: "application/json", timeout: 10 },
    null,
    2,
  ),
  SQL: JSON.stringify({ datasource: "reports", sql: "SELECT count(*) FROM orders", timeout: 30, showResult: true }, null, 2),
  FILE_CLEANUP: JSON.stringify([{ dirPath: "/var/log/app", filePattern: ".*\\.log", retentionTime: 72 }], null, 2),
  CONFIG: JSON.stringify({ featureX: true, batch: 100 }, null, 2),
  INJECT_WORKFLOW_CONTEXT: JSON.stringify({ region: "eu" }, null, 2),
};

/** What an official processor's parameters look like; none for WASM. */
export function paramsExample(type: Schemas["ProcessorType"]): string | undefined {
  return EXAMPLES[type];
}
