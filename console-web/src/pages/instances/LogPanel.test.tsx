import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { mockApi, renderPage } from "../../test/render";
import { LogPanel } from "./LogPanel";
import { logLine } from "./testData";

function Harness({ initiallyLive }: { initiallyLive: boolean }) {
  const [live, setLive] = useState(initiallyLive);
  return (
    <>
      <button type="button" onClick={() => setLive(false)}>
        finish
      </button>
      <LogPanel instanceId="i1" live={live} />
    </>
  );
}

const messages = () => screen.queryAllByTestId("log-line").map((l) => l.querySelector(".log-msg")?.textContent);

describe("log panel", () => {
  it("appends two long-poll replies without duplicates and stops once the instance is final", async () => {
    let n = 0;
    const { calls } = mockApi({
      "GET /instances/i1/logs": ({ search }) => {
        n += 1;
        if (n === 1) return { lines: [logLine(1, "first"), logLine(2, "second")], next: 2 };
        if (n === 2) return { lines: [logLine(2, "second"), logLine(3, "third", "WARN")], next: 3 };
        return { lines: [], next: Number(search.get("after")) };
      },
    });
    renderPage(<Harness initiallyLive />, { path: "/x", route: "/x" });
    await waitFor(() => expect(messages()).toEqual(["first", "second", "third"]));
    const logCalls = () => calls.filter((c) => c.path === "/instances/i1/logs");
    expect(logCalls()[0].search.get("after")).toBe("0");
    expect(logCalls()[0].search.get("waitMs")).toBe("20000");
    expect(logCalls()[1].search.get("after")).toBe("2");
    expect(screen.getByTestId("log-view")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "finish" }));
    expect(await screen.findByText("The whole log is shown.")).toBeInTheDocument();
    const drained = logCalls().length;
    expect(logCalls()[drained - 1].search.get("after")).toBe("3");
    expect(logCalls()[drained - 1].search.has("waitMs")).toBe(false);
    await new Promise((r) => setTimeout(r, 1300));
    expect(logCalls().length).toBe(drained);
    expect(messages()).toEqual(["first", "second", "third"]);
  });

  it("reads a finished instance's log once and stops", async () => {
    const { calls } = mockApi({
      "GET /instances/i1/logs": () => ({ lines: [logLine(5, "done")], next: 5 }),
    });
    renderPage(<Harness initiallyLive={false} />, { path: "/x", route: "/x" });
    expect(await screen.findByText("The whole log is shown.")).toBeInTheDocument();
    expect(messages()).toEqual(["done"]);
    const logCalls = calls.filter((c) => c.path === "/instances/i1/logs");
    expect(logCalls).toHaveLength(1);
    expect(logCalls[0].search.has("waitMs")).toBe(false);
  });

  it("filters by the search and highlights the matches", async () => {
    mockApi({
      "GET /instances/i1/logs": () => ({
        lines: [logLine(1, "alpha beta"), logLine(2, "gamma"), logLine(3, "Beta again", "ERROR")],
        next: 3,
      }),
    });
    renderPage(<Harness initiallyLive={false} />, { path: "/x", route: "/x" });
    await waitFor(() => expect(messages()).toHaveLength(3));
    await userEvent.type(screen.getByRole("searchbox", { name: "Search log" }), "beta");
    await waitFor(() => expect(messages()).toEqual(["alpha beta", "Beta again"]));
    const marks = screen.getAllByTestId("log-line").map((l) => [...l.querySelectorAll("mark")].map((m) => m.textContent));
    expect(marks).toEqual([["beta"], ["Beta"]]);
    expect(screen.getByText("2 of 3 lines")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Level"), "ERROR");
    await waitFor(() => expect(messages()).toEqual(["Beta again"]));
  });
});
