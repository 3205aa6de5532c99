// The typed API client: every call goes through `openapi-fetch` with the
// paths and bodies of `schema.ts`, which is generated from the server's
// OpenAPI document (`npm run gen:api`; the test suite checks it is current).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type FieldProblem = Schemas["FieldError"];

/** An error the server answered with (or a network failure), with the
 * server's message for people and its per-field problems. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];

  constructor(status: number, code: string, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /** The message for one field, if the server named it. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.field === name)?.message;
  }
}

const TOKEN_KEY = "wasmjob.token";

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called when the server answers 401: the session has ended. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = storedToken();
    if (token && !request.headers.has("authorization")) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith("/auth/login")) {
      unauthorizedListeners.forEach((l) => l());
    }
    return response;
  },
};

/** The API's absolute base: the console is served by the server it talks to. */
export const BASE_URL = new URL("/api/v1", globalThis.location?.href ?? "http://localhost/").href;

/** `fetch` is looked up at call time, so tests can replace it. */
export const api = createClient<paths>({
  baseUrl: BASE_URL,
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(auth);

/** Turns an error body (or anything) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object" && "message" in body) {
    const b = body as { error?: string; message?: string; fields?: FieldProblem[] };
    return new ApiError(status, b.error ?? "error", b.message ?? `HTTP ${status}`, b.fields ?? []);
  }
  if (typeof body === "string" && body.trim()) return new ApiError(status, "error", body.trim());
  return new ApiError(status, "error", `The server answered HTTP ${status}.`);
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or throws the server's error as an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    throw new ApiError(0, "network", `The server cannot be reached: ${(e as Error).message}`);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data as T;
}

/** A raw request for bodies openapi-fetch does not model (wasm uploads). */
export async function rawRequest<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const headers = new Headers();
  const token = storedToken();
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (contentType) headers.set("content-type", contentType);
  let response: Response;
  try {
    response = await globalThis.fetch(`${BASE_URL}${path}`, { method, headers, body });
  } catch (e) {
    throw new ApiError(0, "network", `The server cannot be reached: ${(e as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  if (!response.ok) {
    if (response.status === 401) unauthorizedListeners.forEach((l) => l());
    throw toApiError(response.status, parsed);
  }
  return parsed as T;
}
