// The console end to end, in Chromium against a real standalone server:
// log in; upload standalone.wasm from the keyboard and see its world
// before saving, and drop it on a container to see it recognised; a CRON
// job with a bad expression shows the server's error, a good one its next
// fire times; an instance succeeds and its log lines appear; a map-reduce
// instance's task counts move while it runs; a long job is stopped from
// the console; an app is created and the secret it shows once starts a
// real worker of it; a container is created from a git repository and
// its build log followed live until the version is stored; the UI
// switches to Chinese. Every page is checked (no sideways scrolling at
// 1280 px, axe-core's WCAG 2.1 AA rules, a visible focus for every key
// press of the keyboard walks) and screenshotted into
// e2e-artifacts/screenshots/.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, screenshot } from "./browser";
import { ADMIN_PASSWORD, ARTIFACTS, Api, REPO, WASMJOB, startStandalone, type Standalone } from "./standalone";

const STANDALONE_WASM = join(REPO, "guest-examples/dist/standalone.wasm");
const SLOW_WASM = join(REPO, "guest-examples/dist/slow-echo.wasm");

let server: Standalone;
let browser: Browser;
let page: Page;
let api: Api;
let appId = "";
let worker: ChildProcess | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startStandalone();
  api = new Api(server.base);
  await api.login();
  // The demo app appears once the embedded worker has set it up.
  for (let i = 0; i < 240 && !appId; i++) {
    const apps = await api.call<{ id: string; name: string }[]>("GET", "/apps");
    appId = apps.find((a) => a.name === "demo")?.id ?? "";
    if (!appId) await new Promise((r) => setTimeout(r, 250));
  }
  expect(appId, "the demo app").not.toBe("");
  // The long job of the stop scenario: slow-echo working for ten minutes.
  await api.call("POST", `/apps/${appId}/containers/slow-echo/versions`, new Blob([readFileSync(SLOW_WASM)]));
  await api.call("POST", `/apps/${appId}/jobs`, {
    name: "e2e-long",
    timeExpressionType: "API",
    executeType: "STANDALONE",
    processorType: "WASM",
    processorInfo: "slow-echo",
    jobParams: JSON.stringify({ ms: 600000 }),
  });
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // Intercept file choosers from the start: waitForEvent turns interception
  // on lazily, and a key press can open the chooser before it is on.
  page.on("filechooser", () => undefined);
});

afterAll(async () => {
  worker?.kill("SIGTERM");
  await browser?.close();
  await server?.stop();
});

describe("the console", () => {
  it("logs in", async () => {
    await page.goto(`${server.base}/`);
    await page.waitForURL(/\/login$/);
    await screenshot(page, "login");
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/wrong/i);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/apps\/[^/]+\/dashboard$/);
    await page.getByTestId("time-card").waitFor();
    await screenshot(page, "dashboard");
  });

  it("uploads standalone.wasm from the keyboard and shows its world before saving", async () => {
    await page.goto(`${server.base}/apps/${appId}/containers`);
    await screenshot(page, "containers");
    await tabTo(page.getByLabel("Component file"));
    const chooser = page.waitForEvent("filechooser");
    await page.keyboard.press("Enter");
    await (await chooser).setFiles(STANDALONE_WASM);
    const preview = page.getByTestId("inspect-result");
    await preview.waitFor();
    expect(await preview.textContent()).toContain("wasmjob:processor/basic");
    await screenshot(page, "container-upload-preview");
    const versions = await api.call<{ versions: unknown[] }>("GET", `/apps/${appId}/containers/standalone`);
    const before = versions.versions.length;
    await page.getByLabel("Container name").fill("e2e-standalone");
    await page.getByRole("button", { name: "Save version" }).click();
    await page.waitForURL(/\/containers\/e2e-standalone$/);
    await page.getByText("wasmjob:processor/basic").first().waitFor();
    await screenshot(page, "container-detail");
    const after = await api.call<{ versions: unknown[] }>("GET", `/apps/${appId}/containers/standalone`);
    expect(after.versions.length).toBe(before);
  });

  it("recognises a component dropped on its container, and stores nothing", async () => {
    const bytes = readFileSync(STANDALONE_WASM).toString("base64");
    const transfer = await page.evaluateHandle((data) => {
      const t = new DataTransfer();
      const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      t.items.add(new File([raw], "standalone.wasm", { type: "application/wasm" }));
      return t;
    }, bytes);
    const zone = page.getByTestId("dropzone");
    await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
    await expect.poll(() => zone.getAttribute("class")).toContain("active");
    await zone.dispatchEvent("dragover", { dataTransfer: transfer });
    await zone.dispatchEvent("drop", { dataTransfer: transfer });
    await page.getByText(/already has these bytes/).waitFor();
    await screenshot(page, "container-drop-known");
    await page.getByRole("button", { name: "Discard" }).click();
    const container = await api.call<{ versions: unknown[] }>("GET", `/apps/${appId}/containers/e2e-standalone`);
    expect(container.versions).toHaveLength(1);
  });

  it("shows a bad CRON expression's error, then a good one's next fire times", async () => {
    await page.goto(`${server.base}/apps/${appId}/jobs/new`);
    await page.getByLabel("Job name").fill("e2e-cron");
    await selectOption(page, /schedule type|time expression type/i, "CRON");
    const expression = page.getByLabel("Time expression");
    await expression.fill("61 * * * * ?");
    const error = page.getByTestId("time-expression-error");
    await error.waitFor();
    expect((await error.textContent())?.length).toBeGreaterThan(5);
    await screenshot(page, "job-editor-invalid-cron");
    await expression.fill("0/10 * * * * ?");
    const fires = page.getByTestId("next-fire-times").locator("li");
    await expect.poll(() => fires.count()).toBe(5);
    await screenshot(page, "job-editor");
  });

  it("saves the job, runs it and shows the instance succeed with its log", async () => {
    await selectOption(page, /processor type/i, "WASM");
    await selectOption(page, /container/i, "e2e-standalone");
    await page.getByRole("button", { name: "Save job" }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    const jobId = page.url().split("/").pop() ?? "";
    await page.goto(`${server.base}/apps/${appId}/jobs`);
    await page.getByRole("link", { name: "e2e-cron" }).waitFor();
    await screenshot(page, "jobs");
    const instanceId = await runFromList("e2e-cron", JSON.stringify({ greeting: "from the e2e test" }));
    await waitForStatus(instanceId, "SUCCEED");
    await expect.poll(() => page.getByTestId("log-line").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByLabel("Search log").fill("e2e");
    await screenshot(page, "instance-detail");
    await page.goto(`${server.base}/apps/${appId}/instances?jobId=${jobId}`);
    await page.getByRole("link", { name: instanceId }).waitFor();
    await screenshot(page, "instances");
  });

  it("stops a long job from the console", async () => {
    await page.goto(`${server.base}/apps/${appId}/jobs`);
    const instanceId = await runFromList("e2e-long", "");
    await waitForStatus(instanceId, "RUNNING");
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Stop instance" }).click();
    await waitForStatus(instanceId, "STOPPED");
    await screenshot(page, "instance-stopped");
  });

  it("shows a map-reduce instance's task counts as they change", async () => {
    await page.goto(`${server.base}/apps/${appId}/jobs`);
    // 40 batches of 100 ids, each taking 400 ms, on 4 task threads: about 4 s.
    const params = JSON.stringify({ num: 4000, batchSize: 100, successRate: 100, sleepMs: 400 });
    const instanceId = await runFromList("map-reduce-on-demand", params);
    const bar = page.getByRole("progressbar");
    const done = async () => Number((await bar.getAttribute("aria-valuenow").catch(() => null)) ?? -1);
    // Some tasks done and some not, while the instance runs.
    await expect
      .poll(async () => {
        const [now, total] = [await done(), Number((await bar.getAttribute("aria-valuemax").catch(() => null)) ?? 0)];
        return now > 0 && now < total;
      }, { timeout: 60_000, interval: 100 })
      .toBe(true);
    expect(await page.locator(`[data-status]`).first().getAttribute("data-status")).toBe("RUNNING");
    await screenshot(page, "instance-map-reduce-running");
    await waitForStatus(instanceId, "SUCCEED");
    await expect.poll(done).toBe(41);
    expect(await page.getByTestId("task-counts").textContent()).toContain("41");
    await screenshot(page, "instance-map-reduce");
  });

  it("lists the workers", async () => {
    await page.goto(`${server.base}/apps/${appId}/workers`);
    await page.getByRole("table").first().waitFor();
    await screenshot(page, "workers");
  });

  it("shows why a page whose code did not arrive is missing, and gets it on reload", async () => {
    // As after a server update: the chunk this console was built with is gone.
    const chunk = /\/assets\/WorkersPage-[^/]+\.js$/;
    await page.route(chunk, (route) => route.abort("failed"));
    await page.goto(`${server.base}/apps/${appId}/dashboard`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workers" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "This page could not be shown" });
    await alert.waitFor();
    expect(await alert.textContent()).toContain("WorkersPage-");
    await screenshot(page, "page-failed");
    await page.unroute(chunk);
    await alert.getByRole("button", { name: "Reload the console" }).click();
    await page.getByRole("table").first().waitFor();
    expect(page.url()).toMatch(/\/workers$/);
  });

  it("creates an app whose secret, shown once, starts a real worker", async () => {
    await page.goto(`${server.base}/apps`);
    await page.getByRole("table", { name: "Apps" }).waitFor();
    await screenshot(page, "apps");
    await page.getByRole("button", { name: "New app" }).click();
    const dialog = page.getByRole("dialog", { name: "New app" });
    await dialog.getByLabel("Name", { exact: true }).fill("e2e app");
    await dialog.getByRole("button", { name: "Create app" }).click();
    await dialog.getByText("Use only letters, digits").waitFor();
    await dialog.getByLabel("Name", { exact: true }).fill("e2e-app");
    await dialog.getByLabel("Description").fill("Made by the console's end-to-end test");
    await dialog.getByRole("button", { name: "Create app" }).click();
    const secret = ((await dialog.getByTestId("app-secret").textContent()) ?? "").trim();
    expect(secret.length).toBeGreaterThan(16);
    await screenshot(page, "app-created");
    await dialog.getByRole("link", { name: "Open e2e-app" }).click();
    await page.waitForURL(/\/apps\/\d+\/dashboard$/);
    const newApp = page.url().split("/").at(-2) ?? "";
    // A worker of the new app, started as the dialog says: the secret in the environment.
    const log = createWriteStream(`${ARTIFACTS}/worker.log`);
    worker = spawn(WASMJOB, ["worker", "--server", server.base, "--app", "e2e-app", "--tag", "e2e", "--data-dir", mkdtempSync(join(tmpdir(), "wasmjob-e2e-worker-"))], {
      env: { ...process.env, WASMJOB_APP_SECRET: secret },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.stdout?.pipe(log);
    worker.stderr?.pipe(log);
    await page.goto(`${server.base}/apps/${newApp}/workers`);
    const own = page.locator("tr[data-worker]", { hasText: "e2e" }).filter({ hasNotText: "Shared pool" });
    await own.getByText("Alive").waitFor({ timeout: 60_000 });
    await screenshot(page, "workers-of-new-app");
  });

  it("adds a namespace and moves an app into it", async () => {
    await page.goto(`${server.base}/apps`);
    const namespaces = page.locator("section", { has: page.getByRole("heading", { name: "Namespaces" }) });
    await namespaces.getByLabel("Code").fill("e2e-team");
    await namespaces.getByRole("button", { name: "Add namespace" }).click();
    await namespaces.getByText("e2e-team").first().waitFor();
    await page.getByRole("button", { name: "Edit e2e-app" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit e2e-app" });
    await dialog.getByLabel("Namespace").selectOption("e2e-team (e2e-team)");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("table", { name: "Apps" }).getByRole("row", { name: /e2e-app/ });
    await expect.poll(() => row.textContent()).toContain("e2e-team");
    const apps = await api.call<{ name: string; namespaceId: string | null }[]>("GET", "/apps");
    expect(apps.find((a) => a.name === "e2e-app")?.namespaceId).toBeTruthy();
    await screenshot(page, "apps-with-namespace");
  });

  it("creates a container from git and follows its build live until the version is stored", { timeout: 900_000 }, async () => {
    const repo = mkdtempSync(join(tmpdir(), "wasmjob-e2e-repo-"));
    execFileSync("bash", [join(REPO, "guest-examples/make-repo.sh"), repo]);
    const commit = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    await page.goto(`${server.base}/apps/${appId}/containers`);
    await page.getByRole("button", { name: "Create from git" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Container name").fill("e2e-git");
    await dialog.getByLabel("Repository URL").fill(`file://${repo}`);
    await dialog.getByLabel("Crate directory").fill("guest");
    await screenshot(page, "container-git-source");
    await dialog.getByRole("button", { name: "Save and build" }).click();
    await page.waitForURL(/\/containers\/e2e-git/);
    // The compiler's lines arrive while the build still runs.
    const log = page.getByTestId("build-log");
    const status = page.locator("#build-log-title [data-status]");
    await expect.poll(() => log.locator(".log-line:not(.muted)").count(), { timeout: 120_000 }).toBeGreaterThan(0);
    expect(await status.getAttribute("data-status")).toBe("RUNNING");
    await expect.poll(() => log.textContent(), { timeout: 300_000 }).toContain("Compiling");
    expect(await status.getAttribute("data-status")).toBe("RUNNING");
    await screenshot(page, "container-build-running");
    await expect
      .poll(() => status.getAttribute("data-status"), { timeout: 600_000, interval: 1000 })
      .toMatch(/SUCCEEDED|FAILED/);
    expect(await status.getAttribute("data-status"), (await log.textContent()) ?? "").toBe("SUCCEEDED");
    expect(await log.textContent()).toContain(`checked out ${commit}`);
    // The version built, labelled with the commit, is the deployed one.
    await expect.poll(() => page.getByRole("region", { name: /Versions/ }).textContent(), { timeout: 30_000 }).toContain(commit.slice(0, 12));
    const container = await api.call<{ deployedLabel: string }>("GET", `/apps/${appId}/containers/e2e-git`);
    expect(container.deployedLabel).toBe(commit);
    await screenshot(page, "container-build-succeeded");
  });

  it("switches to Chinese", async () => {
    await page.goto(`${server.base}/apps/${appId}/dashboard`);
    await page.getByTestId("language").selectOption("zh");
    await page.getByRole("link", { name: "任务管理" }).waitFor();
    await screenshot(page, "dashboard-zh");
    for (const section of ["jobs", "instances", "containers", "workers"]) {
      await page.goto(`${server.base}/apps/${appId}/${section}`);
      await page.getByRole("link", { name: "任务管理" }).waitFor();
      await page.waitForLoadState("networkidle").catch(() => undefined);
      await screenshot(page, `${section}-zh`);
    }
    await page.goto(`${server.base}/apps/${appId}/jobs/new`);
    await page.getByLabel("任务名称").waitFor();
    await screenshot(page, "job-editor-zh");
    await page.goto(`${server.base}/apps`);
    await page.getByRole("table", { name: "应用管理" }).waitFor();
    await screenshot(page, "apps-zh");
    expect(pageErrors).toEqual([]);
  });
});

/** Runs a job from the jobs list's Run dialog with `params`, opens the
 * new instance and returns its id. */
async function runFromList(job: string, params: string): Promise<string> {
  await page.getByRole("button", { name: `Run ${job}`, exact: true }).click();
  const dialog = page.getByRole("dialog");
  if (params) await dialog.getByLabel("Instance parameters").fill(params);
  await dialog.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("link", { name: "Open the instance" }).click();
  await page.waitForURL(/\/instances\/\d+$/);
  return page.url().split("/").pop() ?? "";
}

/** Waits for the page to show the instance in `status`; on a timeout,
 * fails with what the API says of the instance and its job. */
async function waitForStatus(instanceId: string, status: string): Promise<void> {
  try {
    await page.locator(`[data-status="${status}"]`).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    const instance = await api.call<{ jobId: string }>("GET", `/instances/${instanceId}`).catch((e) => String(e));
    const job = typeof instance === "object" ? await api.call("GET", `/jobs/${instance.jobId}`).catch((e) => String(e)) : null;
    throw new Error(`instance ${instanceId} never showed ${status}: ${(error as Error).message}\ninstance: ${JSON.stringify(instance)}\njob: ${JSON.stringify(job)}`);
  }
}

/** Presses Tab until `target` has the focus, checking that every element
 * the focus lands on on the way shows it (an outline, or its drop zone's). */
async function tabTo(target: Locator): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { shown: true, what: "body" };
      const shown = el.closest(".dropzone") ?? el;
      const style = getComputedStyle(shown);
      const what = `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40)}"`;
      return { shown: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0, what };
    });
    expect(focus.shown, `the focus on ${focus.what} is not visible`).toBe(true);
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error("the keyboard never reached the target");
}

/** Picks the option whose value or label is `value` in the select whose label matches `label`. */
async function selectOption(page: Page, label: RegExp, value: string): Promise<void> {
  await page.getByLabel(label).first().selectOption(value);
}
