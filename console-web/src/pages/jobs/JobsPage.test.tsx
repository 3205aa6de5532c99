import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { makeJob, page } from "./fixtures";
import { JobsPage } from "./JobsPage";

const route = "/apps/:appId/jobs";

describe("jobs list", () => {
  it("renders the jobs and sends the filters of the URL and the controls", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([makeJob(), makeJob({ id: "j2", name: "hourly", enabled: true, timeExpressionType: "FIXED_RATE", timeExpression: "60000", processorType: "HTTP", processorInfo: "" })], 2),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs?processorType=WASM", route });
    const link = await screen.findByRole("link", { name: "nightly" });
    expect(link).toHaveAttribute("href", "/apps/a1/jobs/j1");
    expect(screen.getByRole("link", { name: "hourly" })).toBeInTheDocument();
    expect(screen.getByText("0 0 2 * * ?")).toBeInTheDocument();
    expect(screen.getByText("every 1 min 0 s")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Run nightly" })).toBeInTheDocument();
    const first = calls.find((c) => c.path === "/apps/a1/jobs")!;
    expect(first.search.get("processorType")).toBe("WASM");
    expect(first.search.get("page")).toBe("0");
    expect(first.search.get("size")).toBe("20");
    expect(first.search.get("sort")).toBe("-createdAt");

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Status"), "true");
    await waitFor(() => expect(calls.at(-1)?.search.get("enabled")).toBe("true"));
    await user.selectOptions(screen.getByLabelText("Schedule type"), "CRON");
    await waitFor(() => expect(calls.at(-1)?.search.get("timeExpressionType")).toBe("CRON"));
    await user.selectOptions(screen.getByLabelText("Execute type"), "MAP");
    await waitFor(() => expect(calls.at(-1)?.search.get("executeType")).toBe("MAP"));
    await user.type(screen.getByLabelText("Tag"), "etl");
    await user.type(screen.getByLabelText("Search by name"), "night");
    // The name waits for a pause in typing.
    await waitFor(() => expect(calls.at(-1)?.search.get("name")).toBe("night"), { timeout: 3000 });
    const last = calls.at(-1)!;
    expect(Object.fromEntries(last.search)).toMatchObject({
      enabled: "true",
      timeExpressionType: "CRON",
      executeType: "MAP",
      processorType: "WASM",
      tag: "etl",
      name: "night",
    });
  });

  it("leaves out a filter of the URL that the server does not take", async () => {
    const { calls } = mockApi({ "GET /apps/a1/jobs": () => page([makeJob()]) });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs?processorType=NOPE&executeType=MAP&timeExpressionType=cron", route });
    await screen.findByRole("link", { name: "nightly" });
    const first = calls.find((c) => c.path === "/apps/a1/jobs")!;
    expect(first.search.get("executeType")).toBe("MAP");
    expect(first.search.has("processorType")).toBe(false);
    expect(first.search.has("timeExpressionType")).toBe(false);
  });

  it("shows an empty state, and the server's error when the list fails", async () => {
    mockApi({ "GET /apps/a1/jobs": () => page([]) });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    expect(await screen.findByText("No jobs yet")).toBeInTheDocument();

    mockApi({ "GET /apps/a2/jobs": () => ({ status: 403, body: { error: "forbidden", message: "this token may not read app a2" } }) });
    renderPage(<JobsPage />, { path: "/apps/a2/jobs", route });
    expect(await screen.findByText(/this token may not read app a2/)).toBeInTheDocument();
  });

  it("pages with the server's total", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": (c) => page([makeJob({ id: `p${c.search.get("page")}`, name: `job-${c.search.get("page")}` })], 45, Number(c.search.get("page")), 20),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    expect(await screen.findByText("Page 1 of 3")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Page 2 of 3")).toBeInTheDocument();
    expect(calls.at(-1)?.search.get("page")).toBe("1");
  });

  it("enables and disables a job with the switch", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([makeJob({ enabled: false }), makeJob({ id: "j2", name: "hourly", enabled: true })]),
      "POST /jobs/j1/enable": () => makeJob({ enabled: true }),
      "POST /jobs/j2/disable": () => ({ status: 409, body: { error: "conflict", message: "the job is being deleted" } }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const nightly = await screen.findByRole("switch", { name: "nightly enabled" });
    expect(nightly).not.toBeChecked();
    await userEvent.click(nightly);
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/jobs/j1/enable")).toBe(true));
    await userEvent.click(screen.getByRole("switch", { name: "hourly enabled" }));
    expect(await screen.findByText(/the job is being deleted/)).toBeInTheDocument();
    expect(calls.some((c) => c.path === "/jobs/j2/disable")).toBe(true);
  });

  it("runs a job with parameters and a delay, then links to the instance", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([makeJob()]),
      "POST /jobs/j1/run": () => ({ status: 201, body: { id: "i77", jobId: "j1", appId: "a1", status: "WAITING_DISPATCH" } }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Run nightly" }));
    const dialog = screen.getByRole("dialog", { name: "Run nightly" });
    await user.click(within(dialog).getByLabelText("Instance parameters"));
    await user.paste('{"day":"2026-05-01"}');
    await user.clear(within(dialog).getByLabelText("Delay (seconds)"));
    await user.type(within(dialog).getByLabelText("Delay (seconds)"), "5");
    await user.click(within(dialog).getByRole("button", { name: "Schedule the run" }));
    const open = await within(dialog).findByRole("link", { name: "Open the instance" });
    expect(open).toHaveAttribute("href", "/apps/a1/instances/i77");
    expect(calls.find((c) => c.path === "/jobs/j1/run")?.body).toEqual({ instanceParams: '{"day":"2026-05-01"}', delayMs: 5000 });
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("copies under a new name, and deletes after confirmation", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([makeJob()]),
      "POST /jobs/j1/copy": (c) => ({ status: 201, body: makeJob({ id: "j9", name: (c.body as { name: string }).name }) }),
      "DELETE /jobs/j1": () => ({ status: 204 }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Copy nightly" }));
    const name = screen.getByLabelText("Name of the copy");
    expect(name).toHaveValue("nightly (copy)");
    await user.clear(name);
    await user.type(name, "nightly-eu");
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByRole("link", { name: "Open the copy" })).toHaveAttribute("href", "/apps/a1/jobs/j9");
    expect(calls.find((c) => c.path === "/jobs/j1/copy")?.body).toEqual({ name: "nightly-eu" });
    await user.click(screen.getByRole("button", { name: "Close" }));

    await user.click(screen.getByRole("button", { name: "Delete nightly" }));
    expect(screen.getByRole("dialog", { name: "Delete nightly?" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Delete job" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path === "/jobs/j1")).toBe(true));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("exports one job and all the filtered jobs as files import takes", async () => {
    const saved: Blob[] = [];
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: (b: Blob) => (saved.push(b), "blob:x"), revokeObjectURL: () => {} }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([makeJob(), makeJob({ id: "j2", name: "hourly" })]),
      "GET /jobs/j1/export": () => ({ name: "nightly", timeExpressionType: "CRON", executeType: "STANDALONE", processorType: "WASM" }),
      "GET /jobs/j2/export": () => ({ name: "hourly", timeExpressionType: "API", executeType: "STANDALONE", processorType: "WASM" }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs?tag=etl", route });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Export nightly" }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(JSON.parse(await saved[0].text())).toMatchObject({ name: "nightly" });

    await user.click(screen.getByRole("button", { name: "Export all" }));
    expect(await screen.findByText("Exported the 2 jobs matching the filters.")).toBeInTheDocument();
    const all = JSON.parse(await saved[1].text()) as { jobs: { name: string }[] };
    expect(all.jobs.map((j) => j.name)).toEqual(["nightly", "hourly"]);
    const listing = calls.filter((c) => c.path === "/apps/a1/jobs").at(-1)!;
    expect(listing.search.get("tag")).toBe("etl");
    expect(listing.search.get("size")).toBe("500");
    expect(click).toHaveBeenCalledTimes(2);
  });
});
