import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../../i18n";
import { mockApi, renderPage, type Handler } from "../../test/render";
import { AppsPage } from "./AppsPage";

const route = "/apps";
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const apps = [
  { id: "a1", name: "orders", description: "Order pipeline", namespaceId: "n1", createdAt: T0, updatedAt: T0 },
  { id: "a2", name: "reports", description: "", namespaceId: null, createdAt: T0, updatedAt: T0 },
];
const namespaces = [{ id: "n1", code: "shop", name: "Shop team", createdAt: T0 }];

function routes(admin = true, more: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    "GET /auth/me": () => ({ kind: "user", id: "u1", name: admin ? "admin" : "ann", admin }),
    "GET /apps": () => apps,
    "GET /namespaces": () => namespaces,
    ...more,
  };
}

afterEach(async () => {
  await i18n.changeLanguage("en");
});

describe("apps page", () => {
  it("lists the apps with their namespaces, and the namespaces with their apps", async () => {
    mockApi(routes());
    renderPage(<AppsPage />, { path: "/apps", route });
    const table = await screen.findByRole("table", { name: "Apps" });
    const orders = within(table).getByRole("link", { name: "orders" }).closest("tr") as HTMLElement;
    expect(within(orders).getByRole("link", { name: "orders" })).toHaveAttribute("href", "/apps/a1/dashboard");
    expect(orders).toHaveTextContent("Shop team");
    expect(orders).toHaveTextContent("Order pipeline");
    const spaces = screen.getByRole("table", { name: "Namespaces" });
    expect(within(spaces).getByText("shop").closest("tr")).toHaveTextContent("Shop team1");
    expect(await screen.findByRole("button", { name: "New app" })).toBeInTheDocument();
  });

  it("checks a new app's name before sending, then shows its secret once with the worker command", async () => {
    const { calls } = mockApi(
      routes(true, {
        "POST /apps": (c) => ({
          status: 201,
          body: { app: { ...apps[1], id: "a9", name: (c.body as { name: string }).name, namespaceId: "n1" }, secret: "s3cr3t-value" },
        }),
      }),
    );
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "New app" }));
    const dialog = screen.getByRole("dialog", { name: "New app" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "billing app");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create app" }));
    expect(within(dialog).getByText("Use only letters, digits, “.”, “_” or “-”.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await userEvent.clear(within(dialog).getByLabelText("Name"));
    await userEvent.type(within(dialog).getByLabelText("Name"), "billing");
    await userEvent.selectOptions(within(dialog).getByLabelText("Namespace"), "Shop team (shop)");
    await userEvent.type(within(dialog).getByLabelText("Description"), "Invoices");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create app" }));
    expect(await within(dialog).findByTestId("app-secret")).toHaveTextContent("s3cr3t-value");
    expect(calls.find((c) => c.method === "POST" && c.path === "/apps")?.body).toEqual({
      name: "billing",
      description: "Invoices",
      namespaceId: "n1",
    });
    expect(within(dialog).getByText(/WASMJOB_APP_SECRET='s3cr3t-value'/)).toHaveTextContent("--app billing");
    expect(within(dialog).getByRole("link", { name: "Open billing" })).toHaveAttribute("href", "/apps/a9/dashboard");
    expect(within(dialog).queryByRole("button", { name: "Create app" })).not.toBeInTheDocument();
  });

  it("shows the server's message beside the name it refuses", async () => {
    mockApi(
      routes(true, {
        "POST /apps": () => ({
          status: 409,
          body: { error: "conflict", message: "an app named orders exists", fields: [{ field: "name", message: "an app named orders exists" }] },
        }),
      }),
    );
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "New app" }));
    const dialog = screen.getByRole("dialog", { name: "New app" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "orders");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create app" }));
    await waitFor(() => expect(within(dialog).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true"));
    expect(within(dialog).getAllByText("an app named orders exists").length).toBeGreaterThan(0);
    expect(within(dialog).queryByTestId("app-secret")).not.toBeInTheDocument();
  });

  it("rotates a secret after asking, and shows the new one", async () => {
    const { calls } = mockApi(routes(true, { "POST /apps/a1/secret": () => ({ app: apps[0], secret: "n3w-secret" }) }));
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "Rotate secret of orders" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate the secret of orders?" });
    expect(calls.some((c) => c.path === "/apps/a1/secret")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Rotate secret" }));
    expect(await within(dialog).findByTestId("app-secret")).toHaveTextContent("n3w-secret");
    expect(within(dialog).getByRole("status")).toHaveTextContent("The secret of orders is replaced.");
  });

  it("deletes an app only once its name is typed", async () => {
    const { calls } = mockApi(routes(true, { "DELETE /apps/a2": () => ({ status: 204 }) }));
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "Delete reports" }));
    const dialog = screen.getByRole("dialog", { name: "Delete reports?" });
    const submit = within(dialog).getByRole("button", { name: "Delete app" });
    expect(submit).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText("Type reports to confirm"), "report");
    expect(submit).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText("Type reports to confirm"), "s");
    await userEvent.click(submit);
    await waitFor(() => expect(calls.filter((c) => c.method === "DELETE" && c.path === "/apps/a2")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("adds a namespace, and shows why a non-empty one cannot be deleted", async () => {
    const { calls } = mockApi(
      routes(true, {
        "POST /namespaces": () => ({ status: 201, body: { id: "n2", code: "ops", name: "ops", createdAt: T0 } }),
        "DELETE /namespaces/n1": () => ({ status: 409, body: { error: "conflict", message: "the namespace still holds 1 app(s)" } }),
      }),
    );
    renderPage(<AppsPage />, { path: "/apps", route });
    const section = (await screen.findByRole("heading", { name: "Namespaces" })).closest("section") as HTMLElement;
    await userEvent.type(within(section).getByLabelText("Code"), "ops");
    await userEvent.click(within(section).getByRole("button", { name: "Add namespace" }));
    await waitFor(() => expect(calls.find((c) => c.method === "POST" && c.path === "/namespaces")?.body).toEqual({ code: "ops", name: "ops" }));
    await userEvent.click(within(section).getByRole("button", { name: "Delete namespace Shop team" }));
    const dialog = screen.getByRole("dialog", { name: "Delete namespace Shop team?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete namespace" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("the namespace still holds 1 app(s)");
  });

  it("moves an app to another namespace, sending the namespace only when it changes", async () => {
    const two = [...namespaces, { id: "n2", code: "ops", name: "Ops team", createdAt: T0 }];
    const { calls } = mockApi(
      routes(true, {
        "GET /namespaces": () => two,
        "PUT /apps/a1": ({ body }) => ({ ...apps[0], ...(body as object) }),
        "PUT /apps/a2": ({ body }) => ({ ...apps[1], ...(body as object) }),
      }),
    );
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "Edit orders" }));
    let dialog = screen.getByRole("dialog", { name: "Edit orders" });
    const namespace = within(dialog).getByLabelText(/Namespace/);
    expect(namespace).toHaveValue("n1");
    expect(dialog).toHaveTextContent("Its jobs, instances, containers and workers move with it.");
    await userEvent.selectOptions(namespace, "n2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(calls.find((c) => c.method === "PUT" && c.path === "/apps/a1")?.body).toEqual({ description: "Order pipeline", namespaceId: "n2" });

    await userEvent.click(screen.getByRole("button", { name: "Edit reports" }));
    dialog = screen.getByRole("dialog", { name: "Edit reports" });
    await userEvent.type(within(dialog).getByLabelText(/Description/), "Monthly");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PUT" && c.path === "/apps/a2")?.body).toEqual({ description: "Monthly" }));
  });

  it("lets a user who is not an administrator edit a description but not move the app", async () => {
    mockApi(routes(false));
    renderPage(<AppsPage />, { path: "/apps", route });
    await userEvent.click(await screen.findByRole("button", { name: "Edit orders" }));
    const dialog = screen.getByRole("dialog", { name: "Edit orders" });
    expect(within(dialog).getByLabelText(/Description/)).toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/Namespace/)).not.toBeInTheDocument();
  });

  it("offers creation and deletion to administrators only", async () => {
    mockApi(routes(false));
    renderPage(<AppsPage />, { path: "/apps", route });
    expect(await screen.findByText("Only administrators create, move and delete apps, and manage namespaces.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New app" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete orders" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add namespace" })).not.toBeInTheDocument();
  });

  it("speaks Chinese", async () => {
    mockApi(routes());
    await i18n.changeLanguage("zh");
    renderPage(<AppsPage />, { path: "/apps", route });
    expect(await screen.findByRole("heading", { name: "应用管理" })).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "新建应用" })).toBeInTheDocument();
  });
});
