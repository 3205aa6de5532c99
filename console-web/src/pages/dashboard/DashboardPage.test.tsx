import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AppOverview, SystemInfo } from "../../api/console";
import type { Schemas } from "../../api/client";
import { mockApi, renderPage, type Handler } from "../../test/render";
import { container, containerDetail, worker } from "../workers/testFixtures";
import { DashboardPage } from "./DashboardPage";
import { browserOffsetMinutes, formatOffset } from "./timeModel";

const ROUTE = "/apps/:appId/dashboard";
const PATH = "/apps/a1/dashboard";

function info(over: Partial<SystemInfo> = {}): SystemInfo {
  return {
    version: "0.9.1",
    serverTime: Date.now(),
    timeZone: "UTC",
    utcOffsetMinutes: 0,
    buildsEnabled: true,
    artifactStore: "fs:/var/lib/wasmjob/artifacts",
    ...over,
  };
}

function failure(over: Partial<Schemas["Instance"]> = {}): Schemas["Instance"] {
  return {
    id: "i42",
    appId: "a1",
    jobId: "j7",
    status: "FAILED",
    result: "processor trapped: unreachable executed at wasm function 12",
    runningTimes: 3,
    triggerType: "SCHEDULE",
    instanceParams: "",
    createdAt: 1,
    updatedAt: 2,
    expectedTriggerTime: 1,
    finishedTime: Date.UTC(2025, 0, 2, 3, 4, 5),
    containerVersion: "etl@v1.2",
    ...over,
  };
}

function overview(over: Partial<AppOverview> = {}): AppOverview {
  return {
    jobs: { total: 12, enabled: 9 },
    instances: { running: 3, waiting: 2, succeededLast24h: 140, failedLast24h: 5 },
    recentFailures: [failure()],
    workers: { alive: 1, total: 2 },
    ...over,
  };
}

function routes(over: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    "GET /system/info": () => info(),
    "GET /apps/a1/overview": () => overview(),
    "GET /apps": () => [{ id: "a1", name: "orders", description: "", createdAt: 1, updatedAt: 1 }],
    "GET /apps/a1/workers": () => [worker()],
    "GET /apps/a1/containers": () => [container("etl")],
    "GET /apps/a1/containers/etl": () =>
      containerDetail("etl", [{ workerId: "w1", address: "10.0.0.5:7701", state: "FETCHING", message: "", pool: false }]),
    "GET /jobs/j7": () => ({ id: "j7", appId: "a1", name: "nightly-export", executeType: "STANDALONE" }),
    ...over,
  };
}

describe("dashboard", () => {
  it("shows the server's zone beside the browser's and warns when their offsets differ", async () => {
    // A zone whose offset is not the test machine's.
    const mine = browserOffsetMinutes(Date.now());
    const server = mine === 480 ? { timeZone: "America/New_York", utcOffsetMinutes: -300 } : { timeZone: "Asia/Shanghai", utcOffsetMinutes: 480 };
    mockApi(routes({ "GET /system/info": () => info(server) }));
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    const card = screen.getByTestId("time-card");
    const serverClock = await within(card).findByTestId("server-clock");
    expect(serverClock).toHaveTextContent(server.timeZone);
    expect(serverClock).toHaveTextContent(formatOffset(server.utcOffsetMinutes));
    expect(serverClock).toHaveTextContent(/\d\d:\d\d:\d\d/);
    const browserClock = within(card).getByTestId("browser-clock");
    expect(browserClock).toHaveTextContent(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(browserClock).toHaveTextContent(formatOffset(mine));
    const warning = within(card).getByTestId("time-zone-mismatch");
    expect(warning).toHaveTextContent("CRON expressions of jobs without a time zone fire in the server's zone");
    expect(warning).toHaveTextContent(server.timeZone);
    expect(within(card).getByText("0.9.1")).toBeInTheDocument();
    expect(within(card).getByText("fs:/var/lib/wasmjob/artifacts")).toBeInTheDocument();
    expect(within(card).getByText("Enabled")).toBeInTheDocument();
    expect(within(card).queryByTestId("clock-skew")).not.toBeInTheDocument();
  });

  it("keeps both clocks ticking between fetches", async () => {
    // A server clock one hour behind the browser's, fetched once.
    mockApi(routes({ "GET /system/info": () => info({ serverTime: Date.now() - 3_600_000 }) }));
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    const serverClock = await screen.findByTestId("server-clock");
    const browserClock = screen.getByTestId("browser-clock");
    const first = { server: serverClock.textContent, browser: browserClock.textContent };
    await waitFor(() => expect(serverClock.textContent).not.toBe(first.server), { timeout: 2500 });
    expect(browserClock.textContent).not.toBe(first.browser);
    expect(screen.getByTestId("clock-skew")).toHaveTextContent("The server's clock is 3600 s behind yours.");
  });

  it("gives no warning when the server's offset is the browser's", async () => {
    const mine = browserOffsetMinutes(Date.now());
    mockApi(routes({ "GET /system/info": () => info({ timeZone: "Etc/Test", utcOffsetMinutes: mine, buildsEnabled: false }) }));
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    const serverClock = await screen.findByTestId("server-clock");
    expect(serverClock).toHaveTextContent("Etc/Test");
    expect(screen.getByText("Disabled")).toBeInTheDocument();
    expect(screen.queryByTestId("time-zone-mismatch")).not.toBeInTheDocument();
  });

  it("renders the stat cards and the recent failures from the overview", async () => {
    mockApi(routes());
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    const jobs = await screen.findByTestId("stat-jobs");
    expect(jobs).toHaveTextContent("12");
    expect(jobs).toHaveTextContent("9 enabled");
    expect(jobs).toHaveAttribute("href", "/apps/a1/jobs");
    expect(screen.getByTestId("stat-running")).toHaveTextContent("3");
    expect(screen.getByTestId("stat-running")).toHaveAttribute("href", "/apps/a1/instances?status=RUNNING");
    expect(screen.getByTestId("stat-waiting")).toHaveTextContent("2");
    expect(screen.getByTestId("stat-waiting")).toHaveAttribute(
      "href",
      "/apps/a1/instances?status=WAITING_DISPATCH,WAITING_WORKER_RECEIVE",
    );
    expect(screen.getByTestId("stat-succeeded")).toHaveTextContent("140");
    expect(screen.getByTestId("stat-failed")).toHaveTextContent("5");
    expect(screen.getByTestId("stat-workers")).toHaveTextContent("of 2 registered");

    const failures = screen.getByRole("table", { name: "Recent failures" });
    expect(within(failures).getByRole("link", { name: "i42" })).toHaveAttribute("href", "/apps/a1/instances/i42");
    expect(await within(failures).findByRole("link", { name: "nightly-export" })).toHaveAttribute("href", "/apps/a1/jobs/j7");
    const result = within(failures).getByText(/processor trapped/);
    expect(result).toHaveAttribute("title", "processor trapped: unreachable executed at wasm function 12");
    expect(within(failures).getByText("etl@v1.2")).toBeInTheDocument();
  });

  it("says so when nothing failed", async () => {
    mockApi(routes({ "GET /apps/a1/overview": () => overview({ recentFailures: [] }) }));
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    expect(await screen.findByText("No failed instance. All good.")).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Recent failures" })).not.toBeInTheDocument();
  });

  it("shows the overview's error message", async () => {
    mockApi(
      routes({ "GET /apps/a1/overview": () => ({ status: 404, body: { error: "not_found", message: "app not found" } }) }),
    );
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    expect(await screen.findByRole("alert")).toHaveTextContent("app not found");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("summarises the workers with their metrics and deployed versions", async () => {
    mockApi(routes());
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    const table = await screen.findByRole("table", { name: "Workers" });
    const row = within(table).getByText("10.0.0.5:7701").closest("tr") as HTMLElement;
    expect(within(row).getByText("Alive")).toBeInTheDocument();
    expect(within(row).getByText("4 cores · load 1.00")).toBeInTheDocument();
    expect(within(row).getByText("12.0 / 16.0 GB free")).toBeInTheDocument();
    expect(within(row).getByText("gpu")).toHaveClass("tag");
    expect(within(row).getByText("HTTP")).toBeInTheDocument();
    expect((await within(row).findByText("etl")).closest("li")).toHaveTextContent("etl@v1.2 fetching");
  });

  it("explains how to start a worker when none is registered", async () => {
    mockApi(routes({ "GET /apps/a1/workers": () => [] }));
    renderPage(<DashboardPage />, { path: PATH, route: ROUTE });
    expect(await screen.findByText("No worker has connected yet")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId("start-worker-command")).toHaveTextContent("wasmjob worker --server"),
    );
    await waitFor(() => expect(screen.getByTestId("start-worker-command")).toHaveTextContent("--app orders --secret"));
  });
});
