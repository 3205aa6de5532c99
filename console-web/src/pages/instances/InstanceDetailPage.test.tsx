import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { InstanceDetailPage } from "./InstanceDetailPage";
import { reply, sampleJob } from "./testData";

const route = "/apps/:appId/instances/:instanceId";
const noLog = () => ({ lines: [], next: 0 });

describe("instance detail", () => {
  it("shows the task counts of a MAP_REDUCE instance", async () => {
    mockApi({
      "GET /instances/i1": () =>
        reply({
          status: "FAILED",
          result: "2 tasks failed",
          tasks: { total: 10, succeeded: 6, failed: 1, running: 2, waiting: 1 },
          workers: [{ address: "10.0.0.2:27777", coordinator: true, state: "LEFT", succeeded: 6, failed: 1, running: 0 }],
        }),
      "GET /jobs/j1": () => sampleJob({ executeType: "MAP_REDUCE" }),
      "GET /instances/i1/logs": noLog,
    });
    renderPage(<InstanceDetailPage />, { path: "/apps/a1/instances/i1", route });
    const counts = await screen.findByTestId("task-counts");
    const count = (label: string) => within(counts).getByText(label).nextElementSibling?.textContent;
    expect(count("Total")).toBe("10");
    expect(count("Succeeded")).toBe("6");
    expect(count("Failed")).toBe("1");
    expect(count("Running")).toBe("2");
    expect(count("Waiting")).toBe("1");
    expect(screen.getByRole("progressbar", { name: "Task progress" })).toHaveAttribute("aria-valuenow", "7");
    expect(screen.getByText("7 of 10 tasks finished (70%)")).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: /10\.0\.0\.2:27777/ })).toHaveTextContent("Coordinator");
    expect(screen.getByText("2 tasks failed")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "nightly-report" })).toHaveAttribute("href", "/apps/a1/jobs/j1");
    expect(screen.getByRole("button", { name: "Retry" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Stop" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeDisabled();
  });

  it("stops a running instance after confirming, and shows a failure's message", async () => {
    let status: "RUNNING" | "STOPPED" = "RUNNING";
    let fail = true;
    const { calls } = mockApi({
      "GET /instances/i1": () => reply({ status, finishedTime: null }),
      "GET /jobs/j1": () => sampleJob(),
      "GET /instances/i1/logs": noLog,
      "POST /instances/i1/stop": () => {
        if (fail) return { status: 409, body: { error: "conflict", message: "the instance is SUCCEED" } };
        status = "STOPPED";
        return reply({ status });
      },
    });
    renderPage(<InstanceDetailPage />, { path: "/apps/a1/instances/i1", route });
    await userEvent.click(await screen.findByRole("button", { name: "Stop" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Stop instance" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the instance is SUCCEED");

    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Stop instance" }));
    await waitFor(() => expect(document.querySelector('[data-status="STOPPED"]')).not.toBeNull());
    expect(calls.filter((c) => c.method === "POST" && c.path === "/instances/i1/stop")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Retry" })).toBeEnabled();
  });
});
