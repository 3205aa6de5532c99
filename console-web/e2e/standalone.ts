// Starts `wasmjob standalone` for the end-to-end tests: a fresh data
// directory, a free port, the console build from ../dist, the demo app
// from guest-examples/dist. The binary is $WASMJOB_BIN, else the repo's
// target/debug/wasmjob.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
export const ARTIFACTS = resolve(import.meta.dirname, "../e2e-artifacts");
export const ADMIN_PASSWORD = "e2e-admin-password";
/** The wasmjob binary under test. */
export const WASMJOB = process.env.WASMJOB_BIN ?? join(REPO, "target/debug/wasmjob");

export interface Standalone {
  base: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export async function startStandalone(): Promise<Standalone> {
  if (!existsSync(WASMJOB)) throw new Error(`no wasmjob binary at ${WASMJOB}: cargo build -p wasmjob-cli`);
  const consoleDir = resolve(import.meta.dirname, "../dist");
  if (!existsSync(join(consoleDir, "index.html"))) throw new Error("the console is not built: npm run build");
  const dataDir = mkdtempSync(join(tmpdir(), "wasmjob-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(ARTIFACTS, "server.log");
  const log = createWriteStream(logFile);
  const child = spawn(
    WASMJOB,
    [
      "standalone",
      "--data-dir",
      dataDir,
      "--listen",
      `127.0.0.1:${port}`,
      "--examples",
      join(REPO, "guest-examples/dist"),
      "--console-dir",
      consoleDir,
    ],
    {
      env: {
        ...process.env,
        WASMJOB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        WASMJOB_LOG: "info",
        // The git build scenario builds (off by default) a repository
        // cloned from the local disk.
        WASMJOB_BUILDS__ENABLED: "true",
        WASMJOB_BUILDS__ALLOW_LOCAL_REPOSITORIES: "true",
        // Dependencies fetched once for every run, as the Rust tests do.
        WASMJOB_BUILDS__CARGO_HOME: join(REPO, "target/tmp/build-cargo-home"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const health = await fetch(`${base}/health`);
      if (health.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer /health in 120 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    process: child,
    logFile,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A small API client for setting up what the scenario does not click through. */
export class Api {
  constructor(
    readonly base: string,
    private token = "",
  ) {}

  async login(): Promise<void> {
    const reply = await this.call<{ token: string }>("POST", "/auth/login", { username: "admin", password: ADMIN_PASSWORD });
    this.token = reply.token;
  }

  async call<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const raw = body instanceof Blob;
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": raw ? "application/wasm" : contentType }) },
      body: body === undefined ? undefined : raw ? (body as Blob) : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
