// Run a job now or after a delay, with parameters for this run; then a
// link to the new instance.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { errorMessage } from "../../components/feedback";
import { Dialog, FormActions } from "../../components/Dialog";
import { runJob, type Job } from "./jobsApi";

const MAX_DELAY_S = 30 * 24 * 3600;

export function RunJobDialog({ job, appId, onClose }: { job: Job; appId: string; onClose: () => void }) {
  const { t } = useTranslation("jobs");
  const [params, setParams] = useState("");
  const [delay, setDelay] = useState("0");
  const [delayError, setDelayError] = useState<string>();
  const run = useMutation({ mutationFn: (body: Schemas["RunJob"]) => runJob(job.id, body) });
  const serverError = run.error instanceof ApiError ? run.error : undefined;
  const paramsError = serverError?.field("instanceParams");
  const delayProblem = delayError ?? serverError?.field("delayMs");

  const submit = () => {
    const seconds = Number(delay.trim() || "0");
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_DELAY_S) {
      setDelayError(t("run.invalidDelay", { max: MAX_DELAY_S }));
      return;
    }
    setDelayError(undefined);
    run.mutate({ instanceParams: params, delayMs: seconds * 1000 });
  };

  const instance = run.data;
  return (
    <Dialog
      title={t("run.title", { name: job.name })}
      onClose={onClose}
      onSubmit={instance ? undefined : submit}
      actions={
        <FormActions done={!!instance} busy={run.isPending} submitLabel={run.isPending ? t("run.running") : Number(delay) > 0 ? t("run.submitDelayed") : t("run.submit")} onClose={onClose} />
      }
    >
      {instance ? (
        <div className="banner banner-ok" role="status">
          {t("run.started", { id: instance.id })}{" "}
          <Link to={`/apps/${appId}/instances/${instance.id}`}>{t("run.open")}</Link>
        </div>
      ) : (
        <>
          {run.isError && !paramsError && !delayProblem && (
            <div className="banner banner-error" role="alert">
              {errorMessage(run.error)}
            </div>
          )}
          <div className="field">
            <label className="jobs-field-label" htmlFor="run-params">
              {t("run.params")}
            </label>
            <textarea
              id="run-params"
              rows={6}
              value={params}
              onChange={(e) => setParams(e.target.value)}
              aria-invalid={paramsError ? true : undefined}
              aria-describedby={`run-params-hint${paramsError ? " run-params-error" : ""}`}
              placeholder={job.jobParams || "{}"}
            />
            <span className="field-hint" id="run-params-hint">
              {t("run.paramsHint")}
            </span>
            {paramsError && (
              <span className="field-error" id="run-params-error" role="alert">
                {paramsError}
              </span>
            )}
          </div>
          <div className="field">
            <label className="jobs-field-label" htmlFor="run-delay">
              {t("run.delay")}
            </label>
            <input
              id="run-delay"
              type="number"
              min={0}
              max={MAX_DELAY_S}
              value={delay}
              onChange={(e) => setDelay(e.target.value)}
              aria-invalid={delayProblem ? true : undefined}
              aria-describedby={`run-delay-hint${delayProblem ? " run-delay-error" : ""}`}
            />
            <span className="field-hint" id="run-delay-hint">
              {t("run.delayHint")}
            </span>
            {delayProblem && (
              <span className="field-error" id="run-delay-error" role="alert">
                {delayProblem}
              </span>
            )}
          </div>
        </>
      )}
    </Dialog>
  );
}
