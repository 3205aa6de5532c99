// Renders a page as the console does (query client, router, i18n), and
// answers its API calls from a table of routes, so component tests see
// the requests a page makes and the states it shows.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { AuthProvider } from "../auth/AuthContext";
import "../i18n";

export interface Call {
  method: string;
  path: string;
  search: URLSearchParams;
  body: unknown;
}

export type Handler = (call: Call) => { status?: number; body?: unknown } | unknown;

/** Mocks `fetch`: keys are "METHOD /path" (path after /api/v1, no query). */
export function mockApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const url = new URL(request.url, "http://localhost");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const text = request.body ? await request.text() : "";
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* raw body */
    }
    const call = { method: request.method, path, search: url.searchParams, body };
    calls.push(call);
    const handler = routes[`${request.method} ${path}`];
    if (!handler) {
      return new Response(JSON.stringify({ error: "not_found", message: `no mock for ${request.method} ${path}` }), {
        status: 404,
        headers: { "content-type": "application/json" },
      });
    }
    const out = handler(call) as { status?: number; body?: unknown } | undefined;
    // `{status: 422, body}` is a reply; a payload that merely has a
    // `status` field (an instance) is a body.
    const isReply =
      !!out &&
      typeof out === "object" &&
      Object.keys(out).every((k) => k === "status" || k === "body") &&
      (typeof out.status === "number" || "body" in out);
    const status = isReply ? (out.status ?? 200) : 200;
    const payload = isReply ? out.body : out;
    return new Response(payload === undefined ? null : JSON.stringify(payload), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

/** Renders `element` at `path`, matched by `route` (e.g. "/apps/:appId/jobs"). */
export function renderPage(
  element: ReactElement,
  { path, route, loggedIn = true }: { path: string; route: string; loggedIn?: boolean },
) {
  if (loggedIn) localStorage.setItem("wasmjob.token", "test-token");
  else localStorage.removeItem("wasmjob.token");
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <Routes>
            <Route path={route} element={element} />
            <Route path="*" element={<div data-testid="elsewhere" />} />
          </Routes>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
