import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { LoginPage } from "./LoginPage";
import { mockApi, renderPage } from "../../test/render";

describe("login", () => {
  it("shows the server's message when the password is wrong", async () => {
    const { calls } = mockApi({
      "POST /auth/login": () => ({ status: 401, body: { error: "unauthorized", message: "wrong username or password" } }),
    });
    renderPage(<LoginPage />, { path: "/login", route: "/login", loggedIn: false });
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong username or password");
    expect(calls[0]?.body).toEqual({ username: "admin", password: "nope" });
  });

  it("stores the token and leaves the page after a good password", async () => {
    mockApi({
      "POST /auth/login": () => ({ token: "wjt_x", expiresAt: 1 }),
      "GET /auth/me": () => ({ kind: "user", id: "1", name: "admin", admin: true }),
    });
    renderPage(<LoginPage />, { path: "/login", route: "/login", loggedIn: false });
    await userEvent.type(screen.getByLabelText("Password"), "right");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(localStorage.getItem("wasmjob.token")).toBe("wjt_x"));
  });
});
