import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { lazy, Suspense } from "react";
import { describe, expect, it, vi } from "vitest";
import "../i18n";
import { PageBoundary } from "./PageBoundary";

function Broken(): never {
  throw new Error("cannot read properties of undefined");
}

describe("page boundary", () => {
  it("shows a page whose code cannot be fetched as an error with a reload, and the next page again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const Missing = lazy(() =>
      Promise.reject(new TypeError("Failed to fetch dynamically imported module: /assets/JobsPage-old.js")),
    );
    const view = render(
      <PageBoundary resetKey="/apps/a1/jobs">
        <Suspense fallback={<p>loading</p>}>
          <Missing />
        </Suspense>
      </PageBoundary>,
    );
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This page could not be shown:");
    expect(alert).toHaveTextContent("Failed to fetch dynamically imported module: /assets/JobsPage-old.js");
    expect(alert).toHaveTextContent("reloading fetches the new version");
    const reload = vi.fn();
    vi.spyOn(window, "location", "get").mockReturnValue({ ...window.location, reload });
    await userEvent.click(screen.getByRole("button", { name: "Reload the console" }));
    expect(reload).toHaveBeenCalledOnce();

    view.rerender(
      <PageBoundary resetKey="/apps/a1/workers">
        <p>workers page</p>
      </PageBoundary>,
    );
    expect(await screen.findByText("workers page")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows a page that throws while rendering with its message", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <PageBoundary resetKey="/apps/a1/dashboard">
        <Broken />
      </PageBoundary>,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("cannot read properties of undefined");
  });
});
