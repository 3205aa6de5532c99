import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { InstancesPage } from "./InstancesPage";
import { page, reply, sampleInstance, sampleJob } from "./testData";

const route = "/apps/:appId/instances";
const jobs = () => page([sampleJob(), sampleJob({ id: "j2", name: "hourly-sync" })], 500);

describe("instances list", () => {
  it("sends the filters of the URL and of the controls", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () => page([sampleInstance()]),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances?jobId=j1", route });
    expect(await screen.findByRole("link", { name: "i1" })).toHaveAttribute("href", "/apps/a1/instances/i1");
    const listCalls = () => calls.filter((c) => c.path === "/apps/a1/instances");
    const last = () => listCalls()[listCalls().length - 1].search;
    expect(last().get("jobId")).toBe("j1");
    expect(last().get("size")).toBe("20");
    expect(calls.find((c) => c.path === "/apps/a1/jobs")?.search.get("size")).toBe("500");
    await waitFor(() => expect(screen.getByLabelText("Job")).toHaveValue("j1"));
    expect(within(screen.getByLabelText("Job")).getByRole("option", { name: "nightly-report" })).toBeInTheDocument();
    expect(screen.getByRole("row", { name: /nightly-report/ })).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Status"), "Unfinished (waiting or running)");
    await waitFor(() => expect(last().get("status")).toBe("WAITING_DISPATCH,WAITING_WORKER_RECEIVE,RUNNING"));
    await userEvent.selectOptions(screen.getByLabelText("Status"), "FAILED");
    await waitFor(() => expect(last().get("status")).toBe("FAILED"));
    expect(last().get("jobId")).toBe("j1");
    expect(last().get("page")).toBe("0");

    fireEvent.change(screen.getByLabelText("Created from"), { target: { value: "2024-05-01T10:00" } });
    await waitFor(() => expect(last().get("from")).toBe(String(new Date(2024, 4, 1, 10, 0).getTime())));
    expect(last().has("to")).toBe(false);

    const before = listCalls().length;
    fireEvent.change(screen.getByLabelText("Created before"), { target: { value: "2024-05-01T09:00" } });
    expect(await screen.findByText("The start must be before the end.")).toBeInTheDocument();
    expect(listCalls().length).toBe(before);
  });

  it("shows how late each instance was dispatched, how long it took and how often it ran", async () => {
    mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () =>
        page([sampleInstance(), sampleInstance({ id: "i2", runningTimes: 3, triggerType: "SCHEDULE", status: "FAILED" })]),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances", route });
    const first = (await screen.findByRole("link", { name: "i1" })).closest("tr") as HTMLElement;
    expect(first).toHaveTextContent("API · 100 ms late");
    expect(first).toHaveTextContent("took 2.0 s");
    expect(first).not.toHaveTextContent(/runs?\b/);
    const second = screen.getByRole("link", { name: "i2" }).closest("tr") as HTMLElement;
    expect(second).toHaveTextContent("Schedule · 100 ms late");
    expect(second).toHaveTextContent("3 runs");
  });

  it("stops an instance and shows the server's message when it fails", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () => page([sampleInstance({ id: "i7", status: "RUNNING", finishedTime: null })]),
      "POST /instances/i7/stop": () => ({
        status: 409,
        body: { error: "conflict", message: "the instance is SUCCEED; this applies only to RUNNING" },
      }),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances", route });
    expect(screen.queryByRole("button", { name: "Retry instance i7" })).not.toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Stop instance i7" }));
    const dialog = screen.getByRole("dialog", { name: "Stop instance i7?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Stop instance" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the instance is SUCCEED; this applies only to RUNNING");
    expect(calls.filter((c) => c.method === "POST" && c.path === "/instances/i7/stop")).toHaveLength(1);
    await waitFor(() => expect(calls.filter((c) => c.path === "/apps/a1/instances").length).toBeGreaterThan(1));
  });

  it("retries a failed instance", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () => page([sampleInstance({ id: "i8", status: "FAILED" })]),
      "POST /instances/i8/retry": () => reply({ id: "i8", status: "WAITING_DISPATCH" }),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances", route });
    expect(screen.queryByRole("button", { name: "Stop instance i8" })).not.toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Retry instance i8" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Instance i8 will run again.");
    expect(calls.some((c) => c.method === "POST" && c.path === "/instances/i8/retry")).toBe(true);
  });
});

describe("instances list status filter", () => {
  it("sends several statuses from the URL and drops names that are not statuses", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () => page([sampleInstance()]),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances?status=WAITING_DISPATCH,WAITING_WORKER_RECEIVE", route });
    await screen.findByRole("link", { name: "i1" });
    const sent = calls.filter((c) => c.path === "/apps/a1/instances").map((c) => c.search.get("status"));
    expect(sent).toContain("WAITING_DISPATCH,WAITING_WORKER_RECEIVE");
    expect(screen.getByLabelText("Status")).toHaveDisplayValue("Waiting (for dispatch or a worker)");
  });

  it("ignores a status list naming something else", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": jobs,
      "GET /apps/a1/instances": () => page([sampleInstance()]),
    });
    renderPage(<InstancesPage />, { path: "/apps/a1/instances?status=RUNNING,DONE", route });
    await screen.findByRole("link", { name: "i1" });
    expect(calls.filter((c) => c.path === "/apps/a1/instances").every((c) => !c.search.has("status"))).toBe(true);
    expect(screen.getByLabelText("Status")).toHaveDisplayValue("All statuses");
  });
});
