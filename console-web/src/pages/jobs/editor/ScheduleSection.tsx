// Schedule: type, expression (with the live preview of its next fire
// times), time zone, lifecycle and misfire policy.
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { formatDuration } from "../../../components/format";
import { isTimed, MISFIRE_POLICIES, TIME_EXPRESSION_TYPES } from "../enums";
import { DailyIntervalBuilder } from "./DailyIntervalBuilder";
import { SelectField, TextField } from "./fields";
import { FireTimes, useSchedulePreview } from "./SchedulePreview";
import { useFormStore, useFormValue } from "./store";

const CRON_PRESETS = [
  ["0 * * * * ?", "everyMinute"],
  ["0 */5 * * * ?", "every5Minutes"],
  ["0 0 * * * ?", "hourly"],
  ["0 0 2 * * ?", "daily2am"],
  ["0 0 9 ? * MON-FRI", "weekdays9am"],
] as const;

/** The zones the browser knows, offered as the time zone is typed (rendered once). */
const TimeZoneList = memo(function TimeZoneList({ id }: { id: string }) {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    /* an old browser: no suggestions */
  }
  return (
    <datalist id={id}>
      {zones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
});

export function ScheduleSection() {
  const { t } = useTranslation("jobs");
  const store = useFormStore();
  const type = useFormValue("timeExpressionType");
  const timeExpression = useFormValue("timeExpression");
  const misfirePolicy = useFormValue("misfirePolicy");
  const timeZone = useFormValue("timeZone");
  const lifecycleStart = useFormValue("lifecycleStart");
  const lifecycleEnd = useFormValue("lifecycleEnd");
  const preview = useSchedulePreview({ timeExpressionType: type, timeExpression, timeZone, lifecycleStart, lifecycleEnd });
  const timed = isTimed(type);
  const interval = Number(timeExpression.trim());
  const intervalHint =
    (type === "FIXED_RATE" || type === "FIXED_DELAY") && Number.isInteger(interval) && interval > 0
      ? t("expression.equals", { duration: formatDuration(interval) })
      : null;

  return (
    <fieldset>
      <legend>{t("editor.sections.schedule")}</legend>
      <div className="form-grid">
        <SelectField
          name="timeExpressionType"
          label={t("fields.timeExpressionType")}
          hint={t(`expression.typeHints.${type}`)}
          options={TIME_EXPRESSION_TYPES.map((v) => ({ value: v, label: t(`enums.timeExpressionType.${v}`) }))}
        />
        <SelectField
          name="misfirePolicy"
          label={t("fields.misfirePolicy")}
          hint={t(`hints.misfirePolicy.${misfirePolicy}`)}
          disabled={!timed}
          options={MISFIRE_POLICIES.map((v) => ({ value: v, label: t(`enums.misfirePolicy.${v}`) }))}
        />
        <TextField
          name="timeExpression"
          label={t("fields.timeExpression")}
          wide
          multiline={type === "DAILY_TIME_INTERVAL"}
          rows={2}
          disabled={!timed}
          placeholder={t(`expression.placeholders.${type}`)}
          hint={
            <>
              {t(`expression.hints.${type}`)}
              {intervalHint && <strong> {intervalHint}</strong>}
            </>
          }
          error={preview.fieldErrors.timeExpression}
          alert
          errorTestId="time-expression-error"
        >
          {type === "CRON" && (
            <div className="jobs-presets" role="group" aria-label={t("expression.presets")}>
              {CRON_PRESETS.map(([cron, key]) => (
                <button key={cron} type="button" className="btn btn-small" onClick={() => store.set("timeExpression", cron)}>
                  {t(`expression.presetNames.${key}`)} <code>{cron}</code>
                </button>
              ))}
            </div>
          )}
          {type === "DAILY_TIME_INTERVAL" && (
            <DailyIntervalBuilder expression={timeExpression} onChange={(v) => store.set("timeExpression", v)} />
          )}
          <FireTimes state={preview} type={type} />
        </TextField>
        <TextField
          name="timeZone"
          label={t("fields.timeZone")}
          hint={t("hints.timeZone")}
          placeholder="Asia/Shanghai"
          list="job-time-zones"
          disabled={!timed}
          error={preview.fieldErrors.timeZone}
          wide
        />
        <TimeZoneList id="job-time-zones" />
        <TextField
          name="lifecycleStart"
          type="datetime-local"
          label={t("fields.lifecycleStart")}
          hint={t("hints.lifecycle")}
        />
        <TextField
          name="lifecycleEnd"
          type="datetime-local"
          label={t("fields.lifecycleEnd")}
          hint={t("hints.lifecycle")}
          error={preview.fieldErrors.lifecycle}
        />
      </div>
    </fieldset>
  );
}
