import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import i18n from "../../i18n";
import { mockApi, renderPage } from "../../test/render";
import { ContainersPage } from "./ContainersPage";
import { DIGEST_1, DIGEST_2, inspection, wasmFile } from "./testData";

const route = "/apps/:appId/containers";
const path = "/apps/a1/containers";

const containers = [
  {
    id: "c1",
    appId: "a1",
    name: "hello",
    deployedVersionId: "v1",
    deployedLabel: "v1",
    deployedDigest: DIGEST_1,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
  },
];

describe("containers list", () => {
  it("lists containers with links to their pages", async () => {
    mockApi({ "GET /apps/a1/containers": () => containers });
    renderPage(<ContainersPage />, { path, route });
    const link = await screen.findByRole("link", { name: "hello" });
    expect(link).toHaveAttribute("href", "/apps/a1/containers/hello");
    expect(screen.getByText("v1")).toBeInTheDocument();
    expect(screen.getByText(DIGEST_1.slice(0, 12))).toBeInTheDocument();
  });

  it("invites an upload when there are none", async () => {
    mockApi({ "GET /apps/a1/containers": () => [] });
    renderPage(<ContainersPage />, { path, route });
    expect(await screen.findByText("No containers yet")).toBeInTheDocument();
    expect(screen.getByLabelText("Component file")).toHaveAttribute("accept", ".wasm,application/wasm");
  });
});

describe("uploading a component", () => {
  it("is one file field that the keyboard reaches", async () => {
    mockApi({ "GET /apps/a1/containers": () => [] });
    renderPage(<ContainersPage />, { path, route });
    const input = await screen.findByLabelText("Component file");
    expect(input).toHaveAttribute("type", "file");
    expect(input).toHaveAccessibleName("Component file Drop a .wasm component here");
    expect(input).toHaveAccessibleDescription(/press Enter/);
    for (let i = 0; i < 10 && document.activeElement !== input; i++) await userEvent.tab();
    expect(input).toHaveFocus();
    expect(screen.getByTestId("dropzone")).toContainElement(input);
  });

  it("inspects a chosen file and shows its worlds and imports before storing anything", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "POST /apps/a1/containers/inspect": () => inspection,
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.upload(screen.getByLabelText("Component file"), wasmFile());
    const preview = await screen.findByTestId("inspect-result");
    expect(within(preview).getByText("wasmjob:processor/basic")).toHaveClass("tag");
    expect(within(preview).getByText("wasi:cli/environment@0.2.0")).toBeInTheDocument();
    expect(within(preview).getByText("wasmjob:processor/host")).toBeInTheDocument();
    expect(within(preview).getByText(`sha256:${DIGEST_2}`)).toBeInTheDocument();
    expect(within(preview).getByText("report-exporter.wasm")).toBeInTheDocument();
    const inspect = calls.find((c) => c.path === "/apps/a1/containers/inspect");
    expect(inspect?.search.get("name")).toBe("report-exporter");
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/versions"))).toBe(false);
    expect(screen.getByLabelText("Container name")).toHaveValue("report-exporter");
  });

  it("inspects a dropped file, and says when the container has these bytes already", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "POST /apps/a1/containers/inspect": () => ({ ...inspection, existingVersion: "v7" }),
    });
    renderPage(<ContainersPage />, { path, route });
    const zone = screen.getByTestId("dropzone");
    fireEvent.dragEnter(zone, { dataTransfer: { files: [] } });
    expect(zone).toHaveClass("active");
    fireEvent.drop(zone, { dataTransfer: { files: [wasmFile("hello.wasm")] } });
    await screen.findByTestId("inspect-result");
    expect(zone).not.toHaveClass("active");
    expect(screen.getByText(/already has these bytes, as version v7/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/versions"))).toHaveLength(0);
  });

  it("shows the server's message for a rejected component, and nothing else", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "POST /apps/a1/containers/inspect": () => ({
        status: 422,
        body: { error: "validation", message: "the component satisfies no processor world", fields: [{ field: "body", message: "no world" }] },
      }),
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.upload(screen.getByLabelText("Component file"), wasmFile());
    expect(await screen.findByRole("alert")).toHaveTextContent("the component satisfies no processor world");
    expect(screen.queryByTestId("inspect-result")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save version" })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/versions"))).toHaveLength(0);
  });

  it("saves with the label and deploy choice, then opens the container", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "POST /apps/a1/containers/inspect": () => inspection,
      "POST /apps/a1/containers/exporter/versions": () => ({ status: 201, body: { id: "v9", label: "v2.0" } }),
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.upload(screen.getByLabelText("Component file"), wasmFile());
    const name = await screen.findByLabelText("Container name");
    await userEvent.clear(name);
    await userEvent.type(name, "exporter");
    await userEvent.type(screen.getByLabelText("Version label"), "v2.0");
    await userEvent.click(screen.getByLabelText("Deploy now"));
    await userEvent.click(screen.getByRole("button", { name: "Save version" }));
    await screen.findByTestId("elsewhere");
    const upload = calls.find((c) => c.path === "/apps/a1/containers/exporter/versions");
    expect(upload?.method).toBe("POST");
    expect(upload?.search.get("label")).toBe("v2.0");
    expect(upload?.search.get("deploy")).toBe("false");
  }, 10_000);

  it("checks the name before sending and shows the server's field message", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "POST /apps/a1/containers/inspect": () => inspection,
      "POST /apps/a1/containers/report-exporter/versions": () => ({
        status: 409,
        body: { error: "conflict", message: "the label `v1` is taken by another version", fields: [{ field: "label", message: "the label `v1` is taken by another version" }] },
      }),
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.upload(screen.getByLabelText("Component file"), wasmFile());
    const name = await screen.findByLabelText("Container name");
    await userEvent.clear(name);
    await userEvent.type(name, "bad name");
    expect(screen.getByText("Use only letters, digits, “.”, “_” or “-”.")).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
    await userEvent.click(screen.getByRole("button", { name: "Save version" }));
    expect(calls.filter((c) => c.path.endsWith("/versions"))).toHaveLength(0);

    await userEvent.clear(name);
    await userEvent.type(name, "report-exporter");
    await userEvent.type(screen.getByLabelText("Version label"), "v1");
    await userEvent.click(screen.getByRole("button", { name: "Save version" }));
    await waitFor(() => expect(screen.getByLabelText("Version label")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByRole("alert")).toHaveTextContent("is taken by another version");
    expect(calls.find((c) => c.path.endsWith("/versions"))?.search.get("deploy")).toBe("true");
  }, 10_000);
});

/** Replaces a field's text at once (typing long URLs key by key is slow). */
async function fill(field: HTMLElement, text: string) {
  await userEvent.clear(field);
  await userEvent.click(field);
  await userEvent.paste(text);
}

describe("creating a container from git", () => {
  it("sets the source, starts a build and opens the container on that build", async () => {
    const { calls } = mockApi({
      "GET /apps/a1/containers": () => [],
      "PUT /apps/a1/containers/reports/source": () => ({
        url: "https://example.com/acme/jobs.git",
        reference: { kind: "TAG", name: "v1.0" },
        path: "guests/reports",
        builder: "auto",
        credentials: { kind: "PASSWORD", username: "ci-bot" },
        updatedBy: "admin",
        updatedAt: 1,
      }),
      "POST /apps/a1/containers/reports/builds": () => ({ status: 202, body: { id: "b5", status: "QUEUED" } }),
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.click(screen.getByRole("button", { name: "Create from git" }));
    const dialog = await screen.findByRole("dialog", { name: "Create a container from git" });
    const d = within(dialog);
    await userEvent.click(d.getByRole("button", { name: "Save and build" }));
    expect(d.getByText("Give the repository's URL.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);

    await fill(d.getByLabelText("Container name"), "reports");
    await fill(d.getByLabelText("Repository URL"), "https://example.com/acme/jobs.git");
    await userEvent.selectOptions(d.getByLabelText("Revision kind"), "TAG");
    await fill(d.getByLabelText("Branch, tag or commit"), "v1.0");
    await fill(d.getByLabelText("Crate directory"), "guests/reports");
    await userEvent.selectOptions(d.getByLabelText("Credentials"), "PASSWORD");
    await fill(d.getByLabelText("User name"), "ci-bot");
    await fill(d.getByLabelText("Password or token"), "s3cret");
    await userEvent.click(d.getByRole("button", { name: "Save and build" }));
    await screen.findByTestId("elsewhere");
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      url: "https://example.com/acme/jobs.git",
      reference: { kind: "TAG", name: "v1.0" },
      path: "guests/reports",
      builder: "auto",
      credentials: { kind: "PASSWORD", username: "ci-bot", password: "s3cret" },
    });
    expect(calls.find((c) => c.path === "/apps/a1/containers/reports/builds")?.body).toEqual({ deploy: true });
  }, 15_000);

  it("shows the server's field messages beside the fields", async () => {
    mockApi({
      "GET /apps/a1/containers": () => [],
      "PUT /apps/a1/containers/reports/source": () => ({
        status: 422,
        body: {
          error: "validation",
          message: "the request is invalid",
          fields: [{ field: "url", message: "local repositories (file:// URLs and paths) are not allowed on this server" }],
        },
      }),
    });
    renderPage(<ContainersPage />, { path, route });
    await userEvent.click(screen.getByRole("button", { name: "Create from git" }));
    const d = within(await screen.findByRole("dialog"));
    await fill(d.getByLabelText("Container name"), "reports");
    await fill(d.getByLabelText("Repository URL"), "file:///srv/repo");
    await userEvent.click(d.getByRole("button", { name: "Save and build" }));
    expect(await d.findByText(/local repositories .* are not allowed/)).toBeInTheDocument();
    expect(d.getByLabelText("Repository URL")).toHaveAttribute("aria-invalid", "true");
    expect(d.getByRole("alert")).toHaveTextContent("the request is invalid");
  });
});

describe("in Chinese", () => {
  it("labels the upload controls", async () => {
    mockApi({ "GET /apps/a1/containers": () => [] });
    await i18n.changeLanguage("zh");
    renderPage(<ContainersPage />, { path, route });
    expect(await screen.findByText("还没有容器")).toBeInTheDocument();
    expect(screen.getByLabelText("组件文件")).toBeInTheDocument();
  });
});
