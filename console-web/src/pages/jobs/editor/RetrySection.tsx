// Retry & limits: instance and task retries, their interval and backoff,
// and how many instances may run at once.
import { useTranslation } from "react-i18next";
import { formatDuration } from "../../../components/format";
import { TextField } from "./fields";
import { useFormValue } from "./store";

export function RetrySection() {
  const { t } = useTranslation("jobs");
  const interval = Number(useFormValue("instanceRetryInterval"));
  return (
    <fieldset>
      <legend>{t("editor.sections.retry")}</legend>
      <div className="form-grid">
        <TextField name="instanceRetryNum" type="number" min={0} max={100} label={t("fields.instanceRetryNum")} hint={t("hints.instanceRetryNum")} />
        <TextField name="taskRetryNum" type="number" min={0} max={100} label={t("fields.taskRetryNum")} hint={t("hints.taskRetryNum")} />
        <TextField
          name="instanceRetryInterval"
          type="number"
          min={0}
          max={86_400_000}
          label={t("fields.instanceRetryInterval")}
          hint={interval > 0 ? t("hints.equals", { duration: formatDuration(interval) }) : t("hints.retryAtOnce")}
        />
        <TextField
          name="instanceRetryBackoff"
          type="number"
          min={1}
          max={10}
          step="any"
          label={t("fields.instanceRetryBackoff")}
          hint={t("hints.instanceRetryBackoff")}
        />
        <TextField name="maxInstanceNum" type="number" min={0} label={t("fields.maxInstanceNum")} hint={t("hints.maxInstanceNum")} />
      </div>
    </fieldset>
  );
}
