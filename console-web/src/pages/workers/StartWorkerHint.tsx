// What to do when no worker is connected: the command that starts one.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/feedback";

export function startCommand(appName: string): string {
  const server = globalThis.location?.origin ?? "http://127.0.0.1:7700";
  return `wasmjob worker --server ${server} --app ${appName} --secret <secret>`;
}

export function StartWorkerHint({ appName }: { appName: string | undefined }) {
  const { t } = useTranslation("workers");
  const [copy, setCopy] = useState<"idle" | "done" | "failed">("idle");
  const command = startCommand(appName ?? "<app>");
  async function copyCommand() {
    try {
      await navigator.clipboard.writeText(command);
      setCopy("done");
    } catch {
      setCopy("failed");
    }
  }
  return (
    <EmptyState title={t("empty.title")}>
      <div className="start-worker">
        <p>{t("empty.intro")}</p>
        <div className="start-command">
          <pre aria-label={t("empty.commandLabel")} data-testid="start-worker-command">
            <code>{command}</code>
          </pre>
          <button type="button" className="btn btn-small" onClick={() => void copyCommand()}>
            {copy === "done" ? t("empty.copied") : t("empty.copy")}
          </button>
        </div>
        {copy === "failed" && (
          <p className="field-error" role="alert">
            {t("empty.copyFailed")}
          </p>
        )}
        <p className="field-hint">{t("empty.secret")}</p>
        <p className="field-hint">{t("empty.shared")}</p>
      </div>
    </EmptyState>
  );
}
