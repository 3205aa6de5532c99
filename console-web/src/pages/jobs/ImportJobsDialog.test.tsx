import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { makeJob, page } from "./fixtures";
import { JobsPage } from "./JobsPage";

const route = "/apps/:appId/jobs";
const specs = [
  { name: "nightly", timeExpressionType: "CRON", timeExpression: "0 0 2 * * ?", executeType: "STANDALONE", processorType: "WASM", processorInfo: "billing" },
  { name: "broken", timeExpressionType: "CRON", timeExpression: "every day", executeType: "STANDALONE", processorType: "WASM", processorInfo: "billing" },
];

async function openImport() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Import" }));
  return { user, dialog: screen.getByRole("dialog", { name: "Import jobs" }) };
}

describe("import", () => {
  it("shows the server's per-job problems and imports nothing", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([]),
      "POST /apps/a1/jobs/import": () => ({
        status: 422,
        body: {
          error: "validation",
          message: "the request has invalid fields",
          fields: [{ field: "jobs[1].timeExpression", message: "`every day` is not a valid CRON expression" }],
        },
      }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const { user, dialog } = await openImport();
    await user.click(within(dialog).getByLabelText("Job definitions (JSON)"));
    await user.paste(JSON.stringify({ jobs: specs }));
    expect(within(dialog).getByText("2 job definitions ready to import.")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    const errors = await within(dialog).findByTestId("import-errors");
    expect(errors).toHaveTextContent("Nothing was imported: the request has invalid fields");
    expect(errors).toHaveTextContent("Job 2 (broken):");
    expect(errors).toHaveTextContent("timeExpression");
    expect(errors).toHaveTextContent("`every day` is not a valid CRON expression");
    expect(calls.find((c) => c.path === "/apps/a1/jobs/import")?.body).toEqual({ jobs: specs });
  });

  it("reads a file, takes a bare array and links to the imported jobs", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/jobs": () => page([]),
      "POST /apps/a1/jobs/import": () => ({ status: 201, body: [makeJob({ id: "n1", name: "nightly" })] }),
    });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const { user, dialog } = await openImport();
    const file = new File([JSON.stringify([specs[0]])], "jobs.json", { type: "application/json" });
    await user.upload(within(dialog).getByLabelText("JSON file"), file);
    await waitFor(() => expect(within(dialog).getByText("1 job definition ready to import.")).toBeInTheDocument());
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(await screen.findByText("Imported 1 job.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "nightly" })).toHaveAttribute("href", "/apps/a1/jobs/n1");
    expect(calls.find((c) => c.path === "/apps/a1/jobs/import")?.body).toEqual({ jobs: [specs[0]] });
  });

  it("refuses text that is not JSON before sending it", async () => {
    const { calls } = mockApi({ "GET /apps/a1/jobs": () => page([]) });
    renderPage(<JobsPage />, { path: "/apps/a1/jobs", route });
    const { user, dialog } = await openImport();
    await user.click(within(dialog).getByLabelText("Job definitions (JSON)"));
    await user.paste("{nope");
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("This is not valid JSON");
    expect(within(dialog).getByLabelText("Job definitions (JSON)")).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((c) => c.path === "/apps/a1/jobs/import")).toBe(false);
  });
});
