import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import i18n from "../../i18n";
import { mockApi, renderPage, type Call } from "../../test/render";
import { billingDetail, containers, makeJob } from "./fixtures";
import { JobEditorPage } from "./JobEditorPage";

const NEW = { path: "/apps/a1/jobs/new", route: "/apps/:appId/jobs/new" };
const EDIT = { path: "/apps/a1/jobs/j1", route: "/apps/:appId/jobs/:jobId" };
const T0 = 1_777_629_600_000;
// A big form: typing into it in jsdom takes a while.
vi.setConfig({ testTimeout: 20_000 });

const SPEC_KEYS = [
  "alarmConfig", "concurrency", "description", "designatedWorkers", "dispatchStrategy", "dispatchStrategyConfig",
  "enabled", "executeType", "extra", "instanceRetryBackoff", "instanceRetryInterval", "instanceRetryNum",
  "instanceTimeLimit", "jobParams", "lifecycle", "logConfig", "maxInstanceNum", "maxWorkerCount", "minCpuCores",
  "minDiskSpace", "minMemorySpace", "misfirePolicy", "name", "processorInfo", "processorType", "skipReduceOnFailure",
  "tag", "taskRetryNum", "taskTrackerBehavior", "timeExpression", "timeExpressionType", "timeZone",
];

const containerRoutes = {
  "GET /apps/a1/containers": () => containers,
  "GET /apps/a1/containers/billing": () => billingDetail,
};

describe("job editor: schedule preview", () => {
  it("shows the next fire times of the expression being typed", async () => {
    const { calls } = mockApi({
      ...containerRoutes,
      "POST /schedule/preview": () => ({ fireTimes: [1, 2, 3, 4, 5].map((k) => T0 + k * 300_000), timeZone: "Asia/Shanghai" }),
    });
    renderPage(<JobEditorPage />, NEW);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("Time expression"), "0 */5 * * * ?");
    const list = await screen.findByTestId("next-fire-times", {}, { timeout: 3000 });
    expect(within(list).getAllByRole("listitem")).toHaveLength(5);
    expect(screen.getByText(/the server reads the schedule in Asia\/Shanghai/)).toBeInTheDocument();
    const previews = calls.filter((c) => c.path === "/schedule/preview");
    // Debounced: one call for the whole expression, not one per key.
    expect(previews.length).toBeLessThanOrEqual(2);
    expect(previews.at(-1)?.body).toMatchObject({ timeExpressionType: "CRON", timeExpression: "0 */5 * * * ?", count: 5 });

    await user.type(screen.getByLabelText("Time zone"), "Asia/Shanghai");
    await waitFor(
      () => expect(calls.filter((c) => c.path === "/schedule/preview").at(-1)?.body).toMatchObject({ timeZone: "Asia/Shanghai" }),
      { timeout: 3000 },
    );
  });

  it("shows the server's message for an invalid cron under the field", async () => {
    const message = "`every day` is not a valid CRON expression (seconds minutes hours day-of-month month day-of-week [year]): bad field";
    mockApi({
      ...containerRoutes,
      "POST /schedule/preview": () => ({
        status: 422,
        body: { error: "validation", message: "invalid fields", fields: [{ field: "timeExpression", message }] },
      }),
    });
    renderPage(<JobEditorPage />, NEW);
    const input = screen.getByLabelText("Time expression");
    expect(screen.queryByTestId("time-expression-error")).not.toBeInTheDocument();
    await userEvent.type(input, "every day");
    const slot = await screen.findByTestId("time-expression-error", {}, { timeout: 3000 });
    expect(within(slot).getByRole("alert")).toHaveTextContent(message);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input.getAttribute("aria-describedby")).toContain(within(slot).getByRole("alert").id);
    expect(screen.queryByTestId("next-fire-times")).not.toBeInTheDocument();
  });
});

describe("job editor: saving", () => {
  it("checks obvious problems before sending anything", async () => {
    const { calls } = mockApi({ ...containerRoutes });
    renderPage(<JobEditorPage />, NEW);
    const user = userEvent.setup({ delay: null });
    const concurrency = screen.getByLabelText("Concurrency per worker");
    await user.clear(concurrency);
    await user.type(concurrency, "0");
    await user.click(screen.getByRole("button", { name: "Save job" }));
    expect(screen.getByLabelText("Job name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Job name")).toHaveAccessibleDescription("Required.");
    expect(screen.getByLabelText("Job name")).toHaveFocus();
    expect(concurrency).toHaveAccessibleDescription(expect.stringContaining("A whole number from 1 to 1000."));
    expect(screen.getByText("CRON jobs need an expression, e.g. 0 */5 * * * ?")).toBeInTheDocument();
    expect(screen.getByLabelText("Container")).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((c) => c.method === "POST" && c.path === "/apps/a1/jobs")).toBe(false);
  });

  it("posts every field, shows the server's per-field errors, then opens the new job", async () => {
    let attempt = 0;
    const posts: Call[] = [];
    mockApi({
      ...containerRoutes,
      "POST /schedule/preview": () => ({ fireTimes: [T0], timeZone: "UTC" }),
      "POST /apps/a1/jobs": (call) => {
        posts.push(call);
        attempt += 1;
        if (attempt === 1) {
          return {
            status: 422,
            body: {
              error: "validation",
              message: "the job has invalid fields",
              fields: [
                { field: "name", message: "a job named nightly exists" },
                { field: "alarmConfig.receivers", message: "unknown receiver ops" },
                { field: "somethingElse", message: "odd" },
              ],
            },
          };
        }
        return { status: 201, body: makeJob({ id: "j42", name: "nightly-2" }) };
      },
    });
    renderPage(<JobEditorPage />, NEW);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("Job name"), "nightly");
    await user.click(screen.getByLabelText("Tag"));
    await user.paste("etl");
    await user.click(screen.getByLabelText("Time expression"));
    await user.paste("0 0 2 * * ?");
    await waitFor(() => expect(screen.getByRole("option", { name: "billing" })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Container"), "billing");
    await waitFor(() => expect(screen.getByRole("option", { name: /^v1/ })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Version"), "v1");
    await user.selectOptions(screen.getByLabelText("Dispatch strategy"), "SPECIFY");
    const paste = async (label: string, text: string) => {
      await user.click(screen.getByLabelText(label));
      await user.paste(text);
    };
    await paste("Strategy config", "10.0.0.5:27777");
    await paste("Designated workers", "gpu\n10.0.0.5:27777");
    await paste("Alarm receivers", "ops");
    await user.selectOptions(screen.getByLabelText("Log level"), "DEBUG");
    await user.click(screen.getByRole("button", { name: "Save job" }));

    const name = screen.getByLabelText("Job name");
    await waitFor(() => expect(name).toHaveAttribute("aria-invalid", "true"));
    expect(name).toHaveAccessibleDescription("a job named nightly exists");
    expect(screen.getByLabelText("Alarm receivers")).toHaveAccessibleDescription(expect.stringContaining("unknown receiver ops"));
    const summary = screen.getByTestId("job-form-errors");
    expect(summary).toHaveTextContent("The job was not saved: the job has invalid fields");
    expect(summary).toHaveTextContent("somethingElse: odd");

    const body = posts[0].body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...SPEC_KEYS].sort());
    expect(body).toMatchObject({
      name: "nightly",
      tag: "etl",
      enabled: true,
      timeExpressionType: "CRON",
      timeExpression: "0 0 2 * * ?",
      timeZone: "",
      lifecycle: { start: null, end: null },
      executeType: "STANDALONE",
      processorType: "WASM",
      processorInfo: "billing@v1",
      concurrency: 5,
      taskRetryNum: 1,
      instanceRetryBackoff: 1,
      dispatchStrategy: "SPECIFY",
      dispatchStrategyConfig: "10.0.0.5:27777",
      designatedWorkers: ["gpu", "10.0.0.5:27777"],
      alarmConfig: { receivers: ["ops"], alertThreshold: 0, statisticWindowLen: 0, silenceWindowLen: 0 },
      logConfig: { type: "ONLINE", level: "DEBUG" },
    });

    await user.clear(name);
    await user.type(name, "nightly-2");
    expect(name).not.toHaveAttribute("aria-invalid");
    await user.click(screen.getByRole("button", { name: "Save job" }));
    expect(await screen.findByTestId("elsewhere")).toBeInTheDocument();
    expect((posts[1].body as { name: string }).name).toBe("nightly-2");
  });

  it("edits a stored job with PUT and offers its actions", async () => {
    const job = makeJob({
      enabled: true,
      timeZone: "Europe/Paris",
      designatedWorkers: ["w1"],
      lifecycle: { start: T0, end: T0 + 86_400_000 },
      alarmConfig: { receivers: ["ops", "dev"], alertThreshold: 3, statisticWindowLen: 60, silenceWindowLen: 600 },
    });
    const { calls } = mockApi({
      ...containerRoutes,
      "GET /jobs/j1": () => job,
      "POST /schedule/preview": () => ({ fireTimes: [T0 + 3_600_000], timeZone: "Europe/Paris" }),
      "PUT /jobs/j1": (c) => ({ ...job, ...(c.body as object), updatedAt: T0 }),
    });
    renderPage(<JobEditorPage />, EDIT);
    expect(await screen.findByRole("heading", { name: "nightly" })).toBeInTheDocument();
    expect(screen.getByLabelText("Job name")).toHaveValue("nightly");
    expect(screen.getByLabelText("Time expression")).toHaveValue("0 0 2 * * ?");
    expect(screen.getByLabelText("Alarm receivers")).toHaveValue("ops\ndev");
    expect(screen.getByRole("link", { name: "Instances of this job" })).toHaveAttribute("href", "/apps/a1/instances?jobId=j1");
    for (const action of ["Run", "Copy", "Export", "Delete"]) expect(screen.getByRole("button", { name: action })).toBeInTheDocument();
    expect(await screen.findByTestId("next-fire-times", {}, { timeout: 3000 })).toBeInTheDocument();

    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByLabelText("Description"), " (EU)");
    await user.click(screen.getByRole("button", { name: "Save job" }));
    expect(await screen.findByText(/^Saved at/)).toBeInTheDocument();
    const put = calls.find((c) => c.method === "PUT")!.body as Record<string, unknown>;
    expect(Object.keys(put).sort()).toEqual([...SPEC_KEYS].sort());
    expect(put).toMatchObject({
      description: "Nightly rollup (EU)",
      timeZone: "Europe/Paris",
      designatedWorkers: ["w1"],
      lifecycle: { start: T0, end: T0 + 86_400_000 },
      alarmConfig: { receivers: ["ops", "dev"], alertThreshold: 3, statisticWindowLen: 60, silenceWindowLen: 600 },
    });
  });

  it("shows the server's message when the job cannot be loaded", async () => {
    mockApi({ "GET /jobs/j1": () => ({ status: 404, body: { error: "not_found", message: "no such job" } }) });
    renderPage(<JobEditorPage />, EDIT);
    expect(await screen.findByRole("alert")).toHaveTextContent("no such job");
  });
});

describe("job editor in Chinese", () => {
  it("names the main controls in Chinese", async () => {
    await i18n.changeLanguage("zh");
    mockApi({ ...containerRoutes });
    renderPage(<JobEditorPage />, NEW);
    expect(screen.getByLabelText("任务名称")).toBeInTheDocument();
    expect(screen.getByLabelText("时间表达式")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "保存任务" })).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "定时配置" })).toBeInTheDocument();
  });
});
