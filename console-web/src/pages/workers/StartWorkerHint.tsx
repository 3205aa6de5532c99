// What to do when no worker is connected: the command that starts one.
import { useTranslation } from "react-i18next";
import { CopyButton } from "../../components/CopyButton";
import { EmptyState } from "../../components/feedback";

/** The shell lines that start a worker of `appName` against this server;
 * with the secret (just created or rotated), it goes in the environment,
 * out of process listings. */
export function startCommand(appName: string, secret?: string): string {
  const server = globalThis.location?.origin ?? "http://127.0.0.1:7700";
  if (secret === undefined) return `wasmjob worker --server ${server} --app ${appName} --secret <secret>`;
  return `export WASMJOB_APP_SECRET='${secret}'\nwasmjob worker --server ${server} --app ${appName}`;
}

export function StartWorkerHint({ appName }: { appName: string | undefined }) {
  const { t } = useTranslation("workers");
  const command = startCommand(appName ?? "<app>");
  return (
    <EmptyState title={t("empty.title")}>
      <div className="start-worker">
        <p>{t("empty.intro")}</p>
        <div className="start-command">
          <pre aria-label={t("empty.commandLabel")} data-testid="start-worker-command">
            <code>{command}</code>
          </pre>
          <CopyButton text={command} />
        </div>
        <p className="field-hint">{t("empty.secret")}</p>
        <p className="field-hint">{t("empty.shared")}</p>
      </div>
    </EmptyState>
  );
}
