// The fields of a git source: repository, revision, crate directory,
// builder and credentials (secrets are typed here and never shown back).
import type { InputHTMLAttributes } from "react";
import { useTranslation } from "react-i18next";
import type { Builder, CredentialsInfo } from "./containersApi";
import { Field } from "../../components/fields";
import type { CredentialChoice, RefKind, SourceValues } from "./gitSourceForm";

interface Props {
  values: SourceValues;
  onChange: (values: SourceValues) => void;
  /** The message beside each field (already translated). */
  errorOf: (field: string) => string | undefined;
  /** Credentials stored now, if any. */
  stored: CredentialsInfo | null;
  /** The URL stored now: stored credentials are kept only for it. */
  storedUrl?: string;
}

const REF_KINDS: RefKind[] = ["BRANCH", "TAG", "COMMIT"];
const BUILDERS: Builder[] = ["auto", "cargo", "cargo-component"];

export function GitSourceFields({ values, onChange, errorOf, stored, storedUrl }: Props) {
  const { t } = useTranslation("containers");
  const set = (patch: Partial<SourceValues>) => onChange({ ...values, ...patch });
  const choices: CredentialChoice[] = stored ? ["keep", "PASSWORD", "SSH_KEY", "clear"] : ["none", "PASSWORD", "SSH_KEY"];
  const urlChanged = stored && storedUrl !== undefined && values.url.trim() !== storedUrl;
  type TextField = "url" | "refName" | "path" | "username" | "password" | "passphrase";
  const input =
    (field: TextField, extra: InputHTMLAttributes<HTMLInputElement> = {}) =>
    ({ id, describedBy, invalid }: { id: string; describedBy: string | undefined; invalid: boolean }) => (
      <input
        id={id}
        value={values[field]}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => set({ [field]: e.target.value })}
        {...extra}
      />
    );

  return (
    <div className="form-grid">
      <Field label={t("source.url")} hint={t("source.urlHint")} error={errorOf("url")} className="wide">
        {input("url", { placeholder: "https://github.com/acme/jobs.git" })}
      </Field>
      <Field label={t("source.refKind")} error={undefined}>
        {({ id }) => (
          <select id={id} value={values.refKind} onChange={(e) => set({ refKind: e.target.value as RefKind })}>
            {REF_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`source.refKinds.${k}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("source.refName")} hint={t(`source.refHints.${values.refKind}`)} error={errorOf("reference.name")}>
        {input("refName")}
      </Field>
      <Field label={t("source.path")} hint={t("source.pathHint")} error={errorOf("path")}>
        {input("path", { placeholder: "guests/reports" })}
      </Field>
      <Field label={t("source.builder")} hint={t(`source.builderHints.${values.builder}`)} error={errorOf("builder")}>
        {({ id, describedBy }) => (
          <select
            id={id}
            value={values.builder}
            aria-describedby={describedBy}
            onChange={(e) => set({ builder: e.target.value as Builder })}
          >
            {BUILDERS.map((b) => (
              <option key={b} value={b}>
                {t(`source.builders.${b}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={t("source.credentials")}
        className="wide"
        hint={urlChanged && values.credentials === "keep" ? t("source.keepNewUrl") : t("source.credentialsHint")}
        error={errorOf("credentials") ?? errorOf("clearCredentials")}
      >
        {({ id, describedBy, invalid }) => (
          <select
            id={id}
            value={values.credentials}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(e) => set({ credentials: e.target.value as CredentialChoice })}
          >
            {choices.map((c) => (
              <option key={c} value={c}>
                {c === "keep" && stored
                  ? t("source.credentialChoices.keep", { kind: t(`source.kinds.${stored.kind}` as "source.kinds.PASSWORD", { defaultValue: stored.kind }), user: stored.username })
                  : t(`source.credentialChoices.${c}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {(values.credentials === "PASSWORD" || values.credentials === "SSH_KEY") && (
        <Field
          label={t("source.username")}
          hint={values.credentials === "SSH_KEY" ? t("source.sshUserHint") : t("source.usernameHint")}
          error={errorOf("credentials.username")}
        >
          {input("username", { placeholder: values.credentials === "SSH_KEY" ? "git" : "" })}
        </Field>
      )}
      {values.credentials === "PASSWORD" && (
        <Field label={t("source.password")} hint={t("source.secretHint")} error={errorOf("credentials.password")}>
          {input("password", { type: "password", autoComplete: "new-password" })}
        </Field>
      )}
      {values.credentials === "SSH_KEY" && (
        <>
          <Field label={t("source.passphrase")} error={errorOf("credentials.passphrase")}>
            {input("passphrase", { type: "password", autoComplete: "new-password" })}
          </Field>
          <Field
            label={t("source.privateKey")}
            hint={t("source.secretHint")}
            error={errorOf("credentials.privateKey")}
            className="wide"
          >
            {({ id, describedBy, invalid }) => (
              <textarea
                id={id}
                rows={5}
                value={values.privateKey}
                spellCheck={false}
                placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(e) => set({ privateKey: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
    </div>
  );
}
