// A helper that writes a DAILY_TIME_INTERVAL expression (PowerJob's JSON:
// interval, unit, window, days 1 = Monday .. 7 = Sunday) from fields. It
// reads the expression each time, so hand edits show up in it too.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

interface Daily {
  interval: number;
  intervalUnit: "SECONDS" | "MINUTES" | "HOURS";
  startTimeOfDay: string;
  endTimeOfDay: string;
  daysOfWeek: number[];
}

const UNITS = ["SECONDS", "MINUTES", "HOURS"] as const;
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const EXAMPLE: Daily = { interval: 10, intervalUnit: "MINUTES", startTimeOfDay: "09:00:00", endTimeOfDay: "18:00:00", daysOfWeek: [] };

/** The expression's values (the server's defaults for absent keys), or the example when it is no JSON object. */
function read(expression: string): Daily {
  try {
    const v = JSON.parse(expression) as Partial<Record<keyof Daily, unknown>> | null;
    if (!v || typeof v !== "object" || Array.isArray(v)) return EXAMPLE;
    return {
      interval: typeof v.interval === "number" ? v.interval : 1,
      intervalUnit: UNITS.includes(v.intervalUnit as Daily["intervalUnit"]) ? (v.intervalUnit as Daily["intervalUnit"]) : "SECONDS",
      startTimeOfDay: typeof v.startTimeOfDay === "string" ? v.startTimeOfDay : "00:00:00",
      endTimeOfDay: typeof v.endTimeOfDay === "string" ? v.endTimeOfDay : "23:59:59",
      daysOfWeek: Array.isArray(v.daysOfWeek) ? v.daysOfWeek.filter((d): d is number => typeof d === "number") : [],
    };
  } catch {
    return EXAMPLE;
  }
}

function write(d: Daily): string {
  const seconds = (s: string) => (/^\d\d:\d\d$/.test(s) ? `${s}:00` : s);
  return JSON.stringify({
    interval: d.interval,
    intervalUnit: d.intervalUnit,
    startTimeOfDay: seconds(d.startTimeOfDay),
    endTimeOfDay: seconds(d.endTimeOfDay),
    daysOfWeek: [...new Set(d.daysOfWeek)].sort((a, b) => a - b),
  });
}

export function DailyIntervalBuilder({ expression, onChange }: { expression: string; onChange: (value: string) => void }) {
  const { t } = useTranslation("jobs");
  const id = useId();
  const [openAtFirst] = useState(() => !expression.trim());
  const daily = read(expression);
  const update = (patch: Partial<Daily>) => onChange(write({ ...daily, ...patch }));
  return (
    <details className="jobs-daily" open={openAtFirst}>
      <summary>{t("daily.builder")}</summary>
      <div className="jobs-daily-grid">
        <label htmlFor={`${id}-interval`}>{t("daily.every")}</label>
        <span className="jobs-inline">
          <input
            id={`${id}-interval`}
            type="number"
            min={1}
            value={daily.interval}
            onChange={(e) => update({ interval: Math.max(0, Math.trunc(Number(e.target.value) || 0)) })}
          />
          <select
            aria-label={t("daily.unit")}
            value={daily.intervalUnit}
            onChange={(e) => update({ intervalUnit: e.target.value as Daily["intervalUnit"] })}
          >
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`daily.units.${u}`)}
              </option>
            ))}
          </select>
        </span>
        <label htmlFor={`${id}-start`}>{t("daily.from")}</label>
        <span className="jobs-inline">
          <input id={`${id}-start`} type="time" step={1} value={daily.startTimeOfDay} onChange={(e) => update({ startTimeOfDay: e.target.value })} />
          <label htmlFor={`${id}-end`}>{t("daily.to")}</label>
          <input id={`${id}-end`} type="time" step={1} value={daily.endTimeOfDay} onChange={(e) => update({ endTimeOfDay: e.target.value })} />
        </span>
        <span>{t("daily.days")}</span>
        <fieldset className="jobs-days">
          <legend className="sr-only">{t("daily.days")}</legend>
          {DAYS.map((d) => (
            <label key={d} className="jobs-day">
              <input
                type="checkbox"
                checked={daily.daysOfWeek.includes(d)}
                onChange={(e) =>
                  update({ daysOfWeek: e.target.checked ? [...daily.daysOfWeek, d] : daily.daysOfWeek.filter((x) => x !== d) })
                }
              />
              {t(`daily.weekdays.d${d}`)}
            </label>
          ))}
          <span className="field-hint">{t("daily.everyDay")}</span>
        </fieldset>
      </div>
    </details>
  );
}
