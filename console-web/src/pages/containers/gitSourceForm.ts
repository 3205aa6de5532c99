// The git source form's values, the checks made before sending (the
// server's rules, so most mistakes show at once), and the request body.
import type { Builder, GitSource, GitSourceInput } from "./containersApi";
import { checkName, type NameProblem } from "./model";

export type RefKind = "BRANCH" | "TAG" | "COMMIT";
/** keep: the stored ones (if the URL is unchanged); none: no credentials; clear: remove stored. */
export type CredentialChoice = "keep" | "none" | "PASSWORD" | "SSH_KEY" | "clear";

export interface SourceValues {
  name: string;
  url: string;
  refKind: RefKind;
  refName: string;
  path: string;
  builder: Builder;
  credentials: CredentialChoice;
  username: string;
  password: string;
  privateKey: string;
  passphrase: string;
  build: boolean;
  deploy: boolean;
}

export function initialValues(name: string, source: GitSource | null | undefined, build: boolean): SourceValues {
  return {
    name,
    url: source?.url ?? "",
    refKind: (source?.reference.kind as RefKind | undefined) ?? "BRANCH",
    refName: source?.reference.name ?? "main",
    path: source?.path ?? "",
    builder: source?.builder ?? "auto",
    credentials: source?.credentials ? "keep" : "none",
    username: source?.credentials?.username ?? "",
    password: "",
    privateKey: "",
    passphrase: "",
    build,
    deploy: true,
  };
}

export type Transport = "https" | "ssh" | "local" | null;

/** How a URL reaches its repository, as the server reads it. */
export function transportOf(url: string): Transport {
  const u = url.trim();
  if (u.startsWith("file://") || u.startsWith("/")) return "local";
  const scheme = /^([a-z+]+):\/\//i.exec(u)?.[1]?.toLowerCase();
  if (scheme === "https" || scheme === "http") return "https";
  if (scheme === "ssh" || scheme === "git+ssh") return "ssh";
  if (!scheme && /^[^/:]+:.+/.test(u)) return "ssh";
  return null;
}

/** Keys of the `source.errors.*` messages, by field as the server names them. */
export type SourceErrors = Partial<Record<string, string>>;

export function validate(v: SourceValues, withName: boolean): SourceErrors {
  const errors: SourceErrors = {};
  if (withName) {
    const problem: NameProblem | null = checkName(v.name, { container: true });
    if (problem) errors.name = `validation.${problem}`;
  }
  const url = v.url.trim();
  if (!url) errors.url = "source.errors.urlRequired";
  else if (/\s/.test(url)) errors.url = "source.errors.urlSpaces";
  else if (/^[a-z+]+:\/\/[^/@]*:[^/@]*@/i.test(url)) errors.url = "source.errors.urlPassword";
  else if (!transportOf(url)) errors.url = "source.errors.urlScheme";
  const ref = v.refName.trim();
  if (v.refKind === "COMMIT") {
    if (!/^[0-9a-fA-F]{7,40}$/.test(ref)) errors["reference.name"] = "source.errors.commit";
  } else if (!ref) {
    errors["reference.name"] = "source.errors.refRequired";
  } else if (/\.\.|[\s~^:?*[\\]/.test(ref) || ref.startsWith("-") || ref.endsWith("/") || ref.endsWith(".lock")) {
    errors["reference.name"] = "source.errors.refInvalid";
  }
  const path = v.path.trim().replace(/^\/+|\/+$/g, "");
  if (path.includes("\\") || (path && path.split("/").some((p) => p === "" || p === "." || p === ".."))) {
    errors.path = "source.errors.path";
  }
  const transport = transportOf(url);
  if (v.credentials === "PASSWORD") {
    if (transport && transport !== "https") errors.credentials = "source.errors.passwordNeedsHttps";
    if (!v.username.trim()) errors["credentials.username"] = "source.errors.usernameRequired";
    if (!v.password) errors["credentials.password"] = "source.errors.passwordRequired";
  }
  if (v.credentials === "SSH_KEY") {
    if (transport && transport !== "ssh") errors.credentials = "source.errors.keyNeedsSsh";
    if (!v.privateKey.includes("PRIVATE KEY")) errors["credentials.privateKey"] = "source.errors.privateKey";
  }
  return errors;
}

export function toInput(v: SourceValues): GitSourceInput {
  const input: GitSourceInput = {
    url: v.url.trim(),
    reference: { kind: v.refKind, name: v.refName.trim() },
    path: v.path.trim().replace(/^\/+|\/+$/g, ""),
    builder: v.builder,
  };
  if (v.credentials === "PASSWORD") {
    input.credentials = { kind: "PASSWORD", username: v.username.trim(), password: v.password };
  } else if (v.credentials === "SSH_KEY") {
    input.credentials = {
      kind: "SSH_KEY",
      privateKey: v.privateKey,
      ...(v.username.trim() ? { username: v.username.trim() } : {}),
      ...(v.passphrase ? { passphrase: v.passphrase } : {}),
    };
  } else if (v.credentials === "clear") {
    input.clearCredentials = true;
  }
  return input;
}
