// "Run again": a new instance of the same job, with this instance's
// parameters (editable) and an optional delay; opens the new instance.
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { ErrorBanner } from "../../components/feedback";
import { Dialog } from "../../components/Dialog";
import { runJob } from "./instancesApi";

const MAX_PARAMS = 65_536;
const MAX_DELAY_S = 30 * 24 * 3600;

export function RunAgainDialog({
  appId,
  jobId,
  jobName,
  params,
  onClose,
}: {
  appId: string;
  jobId: string;
  jobName: string;
  params: string;
  onClose: () => void;
}) {
  const { t } = useTranslation("instances");
  const { t: tc } = useTranslation();
  const navigate = useNavigate();
  const ids = useId();
  const [instanceParams, setParams] = useState(params);
  const [delay, setDelay] = useState("0");
  const [touched, setTouched] = useState(false);
  const run = useMutation({
    mutationFn: () => runJob(jobId, { instanceParams, delayMs: Number(delay) * 1000 }),
    onSuccess: (instance) => {
      onClose();
      navigate(`/apps/${appId}/instances/${instance.id}`);
    },
  });
  const serverError = run.error instanceof ApiError ? run.error : null;
  const paramsError =
    new TextEncoder().encode(instanceParams).length > MAX_PARAMS
      ? t("runAgain.paramsTooLong")
      : serverError?.field("instanceParams");
  const delayValid = /^\d+$/.test(delay.trim()) && Number(delay) <= MAX_DELAY_S;
  const delayError = touched && !delayValid ? t("runAgain.delayInvalid") : serverError?.field("delayMs");
  const fieldNamed = serverError?.field("instanceParams") || serverError?.field("delayMs");
  const otherError = run.error && !fieldNamed ? run.error : null;

  return (
    <Dialog
      title={t("runAgain.title", { name: jobName })}
      onClose={onClose}
      onSubmit={() => {
        setTouched(true);
        if (delayValid && !paramsError) run.mutate();
      }}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={run.isPending}>
            {run.isPending ? t("runAgain.running") : t("runAgain.submit")}
          </button>
        </>
      }
    >
      {otherError && <ErrorBanner error={otherError} />}
      <label className="field">
        <span>{t("runAgain.params")}</span>
        <textarea
          rows={6}
          value={instanceParams}
          onChange={(e) => setParams(e.target.value)}
          aria-invalid={paramsError ? true : undefined}
          aria-describedby={`${ids}-params`}
        />
        <span id={`${ids}-params`} className={paramsError ? "field-error" : "field-hint"}>
          {paramsError ?? t("runAgain.paramsHint")}
        </span>
      </label>
      <label className="field">
        <span>{t("runAgain.delay")}</span>
        <input
          type="number"
          min={0}
          max={MAX_DELAY_S}
          step={1}
          inputMode="numeric"
          value={delay}
          onChange={(e) => setDelay(e.target.value)}
          onBlur={() => setTouched(true)}
          aria-invalid={delayError ? true : undefined}
          aria-describedby={`${ids}-delay`}
        />
        <span id={`${ids}-delay`} className={delayError ? "field-error" : "field-hint"}>
          {delayError ?? t("runAgain.delayHint")}
        </span>
      </label>
    </Dialog>
  );
}
