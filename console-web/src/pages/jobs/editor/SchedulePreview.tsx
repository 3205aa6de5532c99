// The next fire times of the schedule being typed, as the server computes
// them (debounced), in the browser's zone and the zone the server read
// the calendar in; or the server's problem with the expression.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Schemas } from "../../../api/client";
import { previewSchedule, type SchedulePreview as Preview } from "../../../api/console";
import { errorMessage } from "../../../components/feedback";
import { browserTimeZone, formatTime } from "../../../components/format";
import { isTimed } from "../enums";
import { fromLocalInput } from "./form";

export interface PreviewInput {
  timeExpressionType: Schemas["TimeExpressionType"];
  timeExpression: string;
  timeZone: string;
  lifecycleStart: string;
  lifecycleEnd: string;
}

export interface PreviewState {
  preview?: Preview;
  loading: boolean;
  /** The server's messages by field (`timeExpression`, `timeZone`, `lifecycle`). */
  fieldErrors: Record<string, string>;
  /** A failure that names no field (network, server). */
  error?: string;
}

const DEBOUNCE_MS = 300;

export function useSchedulePreview(input: PreviewInput): PreviewState {
  const { timeExpressionType, timeZone, lifecycleStart, lifecycleEnd } = input;
  const timeExpression = input.timeExpression.trim();
  const [state, setState] = useState<PreviewState>({ loading: false, fieldErrors: {} });
  const active = isTimed(timeExpressionType) && timeExpression !== "";

  useEffect(() => {
    if (!active) {
      setState({ loading: false, fieldErrors: {} });
      return;
    }
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      previewSchedule({
        timeExpressionType,
        timeExpression,
        timeZone: timeZone.trim() || undefined,
        lifecycle: { start: fromLocalInput(lifecycleStart), end: fromLocalInput(lifecycleEnd) },
        count: 5,
      }).then(
        (preview) => current && setState({ preview, loading: false, fieldErrors: {} }),
        (e: unknown) => {
          if (!current) return;
          const fieldErrors: Record<string, string> = {};
          if (e instanceof ApiError) for (const f of e.fields) fieldErrors[f.field] ??= f.message;
          const named = Object.keys(fieldErrors).length > 0;
          setState({ loading: false, fieldErrors, error: named ? undefined : errorMessage(e) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [active, timeExpressionType, timeExpression, timeZone, lifecycleStart, lifecycleEnd]);

  return state;
}

/** The list of fire times under the expression. */
export function FireTimes({ state, type }: { state: PreviewState; type: Schemas["TimeExpressionType"] }) {
  const { t } = useTranslation("jobs");
  if (type === "API") return <p className="field-hint">{t("preview.apiHint")}</p>;
  if (type === "WORKFLOW") return <p className="field-hint">{t("preview.workflowHint")}</p>;
  const { preview, loading, error, fieldErrors } = state;
  const browser = browserTimeZone();
  return (
    <section className="jobs-preview" aria-labelledby="job-preview-title" aria-busy={loading || undefined}>
      <h3 id="job-preview-title">
        {t("preview.title")} {loading && <span className="spinner" role="img" aria-label={t("preview.loading")} />}
      </h3>
      {error && (
        <p className="field-error" role="alert">
          {t("preview.failed", { message: error })}
        </p>
      )}
      {!preview && !error && !loading && Object.keys(fieldErrors).length === 0 && (
        <p className="field-hint">{t("preview.typeToSee")}</p>
      )}
      {preview && (
        <>
          <p className="field-hint">{t("preview.zones", { browser, server: preview.timeZone })}</p>
          {preview.fireTimes.length === 0 ? (
            <p className="muted" data-testid="no-fire-times">
              {t("preview.none")}
            </p>
          ) : (
            <ol data-testid="next-fire-times" className="jobs-fire-times">
              {preview.fireTimes.map((ms) => (
                <li key={ms}>
                  <time dateTime={new Date(ms).toISOString()}>{formatTime(ms)}</time>
                  {preview.timeZone !== browser && (
                    <span className="muted">
                      {" "}
                      · {t("preview.inZone", { time: formatTime(ms, preview.timeZone), zone: preview.timeZone })}
                    </span>
                  )}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
