import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { ContainerDetailPage } from "./ContainerDetailPage";
import { build, detail, version } from "./testData";

const route = "/apps/:appId/containers/:name";
const path = "/apps/a1/containers/hello";
const base = "/apps/a1/containers/hello";

describe("container detail", () => {
  it("shows versions and how the deployed one stands on each worker, polling until all are final", async () => {
    let gets = 0;
    mockApi({
      [`GET ${base}`]: () => {
        gets += 1;
        if (gets === 1) return detail();
        const d = detail();
        return { ...d, workers: d.workers.map((w) => ({ ...w, state: "READY" })) };
      },
      [`GET ${base}/builds`]: () => [],
    });
    renderPage(<ContainerDetailPage />, { path, route });
    const versions = await screen.findByRole("table", { name: "Versions" });
    const v2 = within(versions).getByTestId("version-v2");
    expect(within(v2).getByText("Deployed")).toBeInTheDocument();
    expect(within(v2).getByText("wasmjob:processor/broadcast")).toBeInTheDocument();
    expect(within(v2).getByText("Git")).toBeInTheDocument();
    expect(within(v2).getByText("0123456789")).toBeInTheDocument();
    expect(within(versions).getByTestId("version-v1")).toHaveTextContent("Upload");

    const workers = screen.getByTestId("worker-status");
    expect(within(workers).getByText("10.0.0.1:27777")).toBeInTheDocument();
    expect(within(workers).getByText("Fetching")).toBeInTheDocument();
    expect(within(workers).getByText("Shared pool")).toBeInTheDocument();
    expect(screen.getByText("Updating every 2 s")).toBeInTheDocument();
    await waitFor(() => expect(within(workers).queryByText("Fetching")).not.toBeInTheDocument(), { timeout: 4000 });
    expect(within(workers).getAllByText("Ready")).toHaveLength(2);
    await waitFor(() => expect(screen.queryByText("Updating every 2 s")).not.toBeInTheDocument());
  }, 10_000);

  it("rolls back to an older version through deploy, after asking", async () => {
    const { calls } = mockApi({
      [`GET ${base}`]: () => detail({ workers: [] }),
      [`GET ${base}/builds`]: () => [],
      [`POST ${base}/deploy`]: () => {
        const d = detail({ workers: [] });
        return { ...d, deployedLabel: "v1", versions: d.versions.map((v) => ({ ...v, deployed: v.label === "v1" })) };
      },
    });
    renderPage(<ContainerDetailPage />, { path, route });
    await screen.findByRole("table", { name: "Versions" });
    expect(screen.getByRole("button", { name: "Redeploy v2" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Roll back to v1" }));
    const dialog = await screen.findByRole("dialog", { name: "Roll back to v1?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Roll back" }));
    expect(await screen.findByText("Rolled back to v1.")).toBeInTheDocument();
    const deploy = calls.find((c) => c.method === "POST" && c.path === `${base}/deploy`);
    expect(deploy?.body).toEqual({ label: "v1" });
    // v1 is now the deployed one: v2 is newer, so it is a deploy again.
    expect(screen.getByRole("button", { name: "Deploy v2" })).toBeInTheDocument();
  });

  it("shows the server's refusal to delete a version named by enabled jobs", async () => {
    const message = "`hello@v1` is used by enabled jobs `nightly` (id 7): disable them or change their processorInfo first";
    const { calls } = mockApi({
      [`GET ${base}`]: () => detail({ workers: [] }),
      [`GET ${base}/builds`]: () => [],
      [`DELETE ${base}/versions/v1`]: () => ({ status: 409, body: { error: "conflict", message } }),
    });
    renderPage(<ContainerDetailPage />, { path, route });
    await screen.findByRole("table", { name: "Versions" });
    expect(screen.getByRole("button", { name: "Delete version v2" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Delete version v1" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete version v1?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(message);
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  it("shows the git source without secrets and tails the build log until the build ends", async () => {
    const { calls } = mockApi({
      [`GET ${base}`]: () => detail({ workers: [] }),
      [`GET ${base}/source`]: () => ({
        url: "https://example.com/acme/jobs.git",
        reference: { kind: "BRANCH", name: "main" },
        path: "guests/hello",
        builder: "auto",
        credentials: { kind: "PASSWORD", username: "ci-bot" },
        updatedBy: "admin",
        updatedAt: 1_700_000_000_000,
      }),
      [`GET ${base}/builds`]: () => [build()],
      [`GET ${base}/builds/b1/log`]: ({ search }) => {
        const after = Number(search.get("after"));
        const line = (seq: number, text: string) => ({ seq, time: 1, stream: "stderr", line: text });
        if (after === 0) return { lines: [line(1, "Cloning https://example.com/acme/jobs.git"), line(2, "Compiling hello v0.1.0")], next: 2, status: "RUNNING" };
        if (after === 2) return { lines: [line(3, "Finished release [optimized]")], next: 3, status: "SUCCEEDED" };
        return { lines: [], next: after, status: "SUCCEEDED" };
      },
    });
    renderPage(<ContainerDetailPage />, { path, route });
    const source = await screen.findByTestId("git-source");
    expect(source).toHaveTextContent("https://example.com/acme/jobs.git");
    expect(within(source).getByText("Set")).toBeInTheDocument();
    expect(source).toHaveTextContent("ci-bot");

    const log = await screen.findByTestId("build-log");
    await within(log).findByText("Finished release [optimized]");
    const lines = Array.from(log.querySelectorAll(".log-line")).map((l) => l.textContent);
    expect(lines).toEqual(["Cloning https://example.com/acme/jobs.git", "Compiling hello v0.1.0", "Finished release [optimized]"]);
    expect(await screen.findByText("The build has ended: 3 lines.")).toBeInTheDocument();
    const reads = calls.filter((c) => c.path === `${base}/builds/b1/log`);
    expect(reads.map((c) => c.search.get("after"))).toEqual(["0", "2", "3"]);
    expect(reads[0]?.search.get("waitMs")).toBe("10000");
    expect(screen.queryByRole("button", { name: "Cancel build" })).not.toBeInTheDocument();
  });

  it("shows the version a build stored even when the builds list sees it end before the log does", { timeout: 15_000 }, async () => {
    let listed = 0;
    let ended = false;
    const built = version({ id: "v3", label: "0123456789ab", digest: "c".repeat(64) });
    mockApi({
      [`GET ${base}`]: () => {
        const d = detail({ workers: [] });
        return ended ? { ...d, versions: [built, ...d.versions] } : d;
      },
      [`GET ${base}/builds`]: () => {
        listed += 1;
        // The second poll of the list is the first to see the build ended.
        ended = listed >= 2;
        return [build({ status: ended ? "SUCCEEDED" : "RUNNING" })];
      },
      [`GET ${base}/builds/b1/log`]: ({ search }) => ({
        lines: [],
        next: Number(search.get("after")),
        status: ended ? "SUCCEEDED" : "RUNNING",
      }),
    });
    renderPage(<ContainerDetailPage />, { path, route });
    const versions = await screen.findByRole("region", { name: /Versions/ });
    expect(versions).not.toHaveTextContent("0123456789ab");
    await waitFor(() => expect(versions).toHaveTextContent("0123456789ab"), { timeout: 8000 });
  });

  it("cancels a running build", async () => {
    let cancelled = false;
    const { calls } = mockApi({
      [`GET ${base}`]: () => detail({ workers: [] }),
      [`GET ${base}/builds`]: () => [build({ status: cancelled ? "FAILED" : "RUNNING" })],
      [`GET ${base}/builds/b1/log`]: ({ search }) => ({
        lines: [],
        next: Number(search.get("after")),
        status: cancelled ? "FAILED" : "RUNNING",
      }),
      [`POST ${base}/builds/b1/cancel`]: () => {
        cancelled = true;
        return build({ status: "FAILED", message: "the build was cancelled" });
      },
    });
    renderPage(<ContainerDetailPage />, { path, route });
    await userEvent.click(await screen.findByRole("button", { name: "Cancel build" }));
    await waitFor(() => expect(calls.some((c) => c.path === `${base}/builds/b1/cancel`)).toBe(true));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Cancel build" })).not.toBeInTheDocument(), {
      timeout: 3000,
    });
  });
});
