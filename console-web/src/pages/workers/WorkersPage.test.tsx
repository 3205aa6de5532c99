import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { container, containerDetail, worker } from "./testFixtures";
import { WorkersPage } from "./WorkersPage";

const ROUTE = "/apps/:appId/workers";

function base(workers: unknown, admin = false) {
  return {
    "GET /auth/me": () => ({ kind: "user", id: "1", name: "admin", admin }),
    "GET /apps": () => [{ id: "a1", name: "orders", description: "", createdAt: 1, updatedAt: 1 }],
    "GET /apps/a1/workers": () => workers,
    "GET /apps/a1/containers": () => [container("etl")],
    "GET /apps/a1/containers/etl": () =>
      containerDetail("etl", [
        { workerId: "w1", address: "10.0.0.5:7701", state: "READY", message: "", pool: false, updatedAt: 1 },
      ]),
  };
}

describe("workers page", () => {
  it("shows each worker's metrics, tags, processor types and deployed versions", async () => {
    mockApi(base([worker(), worker({ id: "w2", appId: null, address: "pool-1:7701", tags: [], alive: true })]));
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    const table = await screen.findByRole("table", { name: "Workers" });
    const row = within(table).getByText("10.0.0.5:7701").closest("tr") as HTMLElement;
    expect(within(row).getByText("Alive")).toBeInTheDocument();
    expect(within(row).getByText(/heartbeat \d+ s ago/)).toBeInTheDocument();
    expect(within(row).getByText("4 cores · load 1.00")).toBeInTheDocument();
    expect(within(row).getByText("12.0 / 16.0 GB free")).toBeInTheDocument();
    expect(within(row).getByText("50.0 / 200 GB free")).toBeInTheDocument();
    expect(within(row).getByRole("meter", { name: "Memory in use" })).toHaveAttribute("aria-valuenow", "25");
    expect(within(row).getByRole("meter", { name: "Disk in use" })).toHaveAttribute("aria-valuenow", "75");
    expect(within(row).getByText("gpu")).toHaveClass("tag");
    expect(within(row).getByText("zone-a")).toHaveClass("tag");
    expect(within(row).getByText("WASM")).toBeInTheDocument();
    expect(within(row).getByText("SHELL")).toBeInTheDocument();
    expect(within(row).getByText("16")).toBeInTheDocument();
    expect(within(row).getByText("version 0.3.0")).toBeInTheDocument();
    expect(within(row).getByText("orders")).toBeInTheDocument();
    expect(within(row).getByText(/registered 1 h ago/)).toBeInTheDocument();
    expect((await within(row).findByText("etl")).closest("li")).toHaveTextContent("etl@v1.2 ready");
    const pool = within(table).getByText("pool-1:7701").closest("tr") as HTMLElement;
    expect(within(pool).getByText("Shared pool")).toBeInTheDocument();
    expect(screen.getByText("2 alive of 2")).toBeInTheDocument();
  });

  it("explains how to start a worker when none is registered", async () => {
    mockApi(base([]));
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    expect(await screen.findByText("No worker has connected yet")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("start-worker-command")).toHaveTextContent("--app orders"));
    expect(screen.getByTestId("start-worker-command")).toHaveTextContent(/^wasmjob worker --server http:\/\/\S+ --app orders --secret/);
  });

  it("filters by address or tag and hides offline workers until asked", async () => {
    mockApi(
      base([
        worker(),
        worker({ id: "w2", address: "10.0.0.6:7701", tags: ["cpu-heavy"] }),
        worker({ id: "w3", address: "10.0.0.7:7701", alive: false, lastHeartbeat: Date.now() - 600_000 }),
      ]),
    );
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    const table = await screen.findByRole("table", { name: "Workers" });
    expect(within(table).queryByText("10.0.0.7:7701")).not.toBeInTheDocument();
    expect(screen.getByText(/1 offline hidden/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("checkbox", { name: "Show offline" }));
    const offline = (await within(table).findByText("10.0.0.7:7701")).closest("tr") as HTMLElement;
    expect(within(offline).getByText("Offline")).toBeInTheDocument();
    expect(within(offline).getByText("heartbeat 10 min ago")).toBeInTheDocument();

    await userEvent.type(screen.getByRole("searchbox", { name: "Filter" }), "heavy");
    expect(within(table).getByText("10.0.0.6:7701")).toBeInTheDocument();
    expect(within(table).queryByText("10.0.0.5:7701")).not.toBeInTheDocument();

    await userEvent.clear(screen.getByRole("searchbox", { name: "Filter" }));
    await userEvent.type(screen.getByRole("searchbox", { name: "Filter" }), "nothing-like-this");
    expect(screen.getByText("No worker matches the filter.")).toBeInTheDocument();
  });

  it("says when every worker is offline and hidden", async () => {
    mockApi(base([worker({ alive: false })]));
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    expect(await screen.findByText(/Every worker is offline/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("checkbox", { name: "Show offline" }));
    expect(await screen.findByRole("table", { name: "Workers" })).toHaveTextContent("Offline");
  });

  it("sorts by health, offline last, and reverses on a second click", async () => {
    mockApi(
      base([
        worker({ id: "w1", address: "a:1", alive: false }),
        worker({ id: "w2", address: "b:1", loadAverage: 3.9 }),
        worker({ id: "w3", address: "c:1", loadAverage: 0.1, memoryAvailableGb: 15, diskAvailableGb: 190 }),
      ]),
    );
    renderPage(<WorkersPage />, { path: "/apps/a1/workers?offline=1", route: ROUTE });
    const table = await screen.findByRole("table", { name: "Workers" });
    const addresses = () => within(table).getAllByText(/^[abc]:1$/).map((e) => e.textContent);
    expect(addresses()).toEqual(["c:1", "b:1", "a:1"]);
    const health = screen.getByRole("button", { name: /Health/ });
    expect(health.closest("th")).toHaveAttribute("aria-sort", "ascending");
    await userEvent.click(health);
    expect(addresses()).toEqual(["a:1", "b:1", "c:1"]);
    expect(health.closest("th")).toHaveAttribute("aria-sort", "descending");
    await userEvent.click(screen.getByRole("button", { name: /Worker/ }));
    expect(addresses()).toEqual(["a:1", "b:1", "c:1"]);
  });

  it("lets an administrator see every app's workers", async () => {
    const { calls } = mockApi({
      ...base([worker()], true),
      "GET /workers": () => [worker(), worker({ id: "w9", appId: "a2", address: "other:1" })],
    });
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    const scope = await screen.findByRole("combobox", { name: "Workers of" });
    await userEvent.selectOptions(scope, "all");
    const row = (await screen.findByText("other:1")).closest("tr") as HTMLElement;
    expect(within(row).getByText("a2")).toBeInTheDocument();
    expect(calls.some((c) => c.path === "/workers")).toBe(true);
  });

  it("offers no scope to a non-administrator", async () => {
    mockApi(base([worker()]));
    renderPage(<WorkersPage />, { path: "/apps/a1/workers?scope=all", route: ROUTE });
    await screen.findByRole("table", { name: "Workers" });
    expect(screen.queryByRole("combobox", { name: "Workers of" })).not.toBeInTheDocument();
  });

  it("shows the server's message when the registry cannot be read", async () => {
    mockApi({
      ...base([]),
      "GET /apps/a1/workers": () => ({ status: 403, body: { error: "forbidden", message: "not your app" } }),
    });
    renderPage(<WorkersPage />, { path: "/apps/a1/workers", route: ROUTE });
    expect(await screen.findByRole("alert")).toHaveTextContent("not your app");
  });
});
