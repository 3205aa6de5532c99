// An app's secret, just created or rotated: shown this once, with copy
// buttons and the command that starts a worker of the app with it.
import { useTranslation } from "react-i18next";
import { CopyButton } from "../../components/CopyButton";
import { startCommand } from "../workers/StartWorkerHint";
import type { AppWithSecret } from "./appsApi";

export function SecretPanel({ reply, rotated }: { reply: AppWithSecret; rotated?: boolean }) {
  const { t } = useTranslation("apps");
  const { t: tc } = useTranslation();
  const command = startCommand(reply.app.name, reply.secret);
  return (
    <div className="secret-panel" data-testid="secret-panel">
      <p className="banner banner-ok" role="status">
        {t(rotated ? "secret.rotated" : "secret.created", { name: reply.app.name })}
      </p>
      <p className="banner banner-warn">{t("secret.once")}</p>
      <h3>{t("secret.secret")}</h3>
      <div className="secret-row">
        <code className="secret-value" data-testid="app-secret">
          {reply.secret}
        </code>
        <CopyButton text={reply.secret} label={`${t("secret.secret")}: ${tc("copy.copy")}`} />
      </div>
      <h3>{t("secret.command")}</h3>
      <div className="secret-row">
        <pre className="secret-command">
          <code>{command}</code>
        </pre>
        <CopyButton text={command} label={`${t("secret.command")}: ${tc("copy.copy")}`} />
      </div>
    </div>
  );
}
