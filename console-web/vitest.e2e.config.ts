// End-to-end tests: a real `wasmjob standalone` server (SQLite, local
// artifacts, embedded worker, demo app) and Debian's Chromium driven by
// playwright-core. `npm run test:e2e`; see e2e/README.md.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
