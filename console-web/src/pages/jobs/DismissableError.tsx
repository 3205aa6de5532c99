// The server's message for a failed action (export, enable, ...), until
// it is dismissed.
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { errorMessage } from "../../components/feedback";

export function DismissableError({ error, onDismiss }: { error: unknown; onDismiss: () => void }) {
  const { t } = useTranslation("jobs");
  const { t: tc } = useTranslation();
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <div className="banner banner-error" role="alert">
      <strong>{tc("state.error")}:</strong> {errorMessage(error)}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="btn btn-small" onClick={onDismiss}>
        {t("list.dismiss")}
      </button>
    </div>
  );
}
