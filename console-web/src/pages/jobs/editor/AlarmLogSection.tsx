// Alarms & logs: who is told of failures and how often; where logs go.
import { useTranslation } from "react-i18next";
import { LOG_LEVELS, LOG_TYPES } from "../enums";
import { SelectField, TextField } from "./fields";

export function AlarmLogSection() {
  const { t } = useTranslation("jobs");
  return (
    <fieldset>
      <legend>{t("editor.sections.alarmsLogs")}</legend>
      <div className="form-grid">
        <TextField name="alarmReceivers" label={t("fields.alarmReceivers")} hint={t("hints.alarmReceivers")} multiline rows={3} wide />
        <TextField name="alertThreshold" type="number" min={0} label={t("fields.alertThreshold")} hint={t("hints.alertThreshold")} />
        <TextField name="statisticWindowLen" type="number" min={0} label={t("fields.statisticWindowLen")} />
        <TextField name="silenceWindowLen" type="number" min={0} label={t("fields.silenceWindowLen")} hint={t("hints.silenceWindowLen")} />
        <span />
        <SelectField
          name="logType"
          label={t("fields.logType")}
          options={LOG_TYPES.map((v) => ({ value: v, label: t(`enums.logType.${v}`) }))}
        />
        <SelectField
          name="logLevel"
          label={t("fields.logLevel")}
          options={LOG_LEVELS.map((v) => ({ value: v, label: t(`enums.logLevel.${v}`) }))}
        />
      </div>
    </fieldset>
  );
}
