// Import job definitions (a file from Export / Export all, or pasted
// JSON) as new jobs of this app: all or none; the server's problems are
// listed per job.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { errorMessage } from "../../components/feedback";
import { Dialog } from "../../components/Dialog";
import { importJobs, jobKeys, parseImport, type JobSpec } from "./jobsApi";

interface Parsed {
  jobs?: JobSpec[];
  error?: string;
}

/** The server's `jobs[3].timeExpression` problems, by job. */
function problemsByJob(error: ApiError): { index: number | null; field: string; message: string }[] {
  return error.fields.map((f) => {
    const m = /^jobs\[(\d+)\]\.?(.*)$/.exec(f.field);
    return m ? { index: Number(m[1]), field: m[2], message: f.message } : { index: null, field: f.field, message: f.message };
  });
}

export function ImportJobsDialog({ appId, onClose }: { appId: string; onClose: () => void }) {
  const { t } = useTranslation("jobs");
  const { t: tc } = useTranslation();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [fileError, setFileError] = useState<string>();
  const [tried, setTried] = useState(false);
  const parsed: Parsed = useMemo(() => {
    if (!text.trim()) return {};
    try {
      return { jobs: parseImport(text) };
    } catch (e) {
      if (e instanceof SyntaxError) return { error: t("import.badJson", { message: e.message }) };
      return { error: t("import.notJobs") };
    }
  }, [text, t]);
  const run = useMutation({
    mutationFn: (jobs: JobSpec[]) => importJobs(appId, jobs),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobKeys.all }),
  });

  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      setText(await file.text());
      setFileError(undefined);
      run.reset();
    } catch (err) {
      setFileError(t("import.fileFailed", { message: errorMessage(err) }));
    }
  };
  const submit = () => {
    setTried(true);
    if (parsed.jobs && parsed.jobs.length > 0) run.mutate(parsed.jobs);
  };
  const inputProblem =
    parsed.error ??
    (tried && !text.trim() ? t("import.empty") : undefined) ??
    (parsed.jobs && parsed.jobs.length === 0 ? t("import.none") : undefined);
  const refused = run.error instanceof ApiError && run.error.fields.length > 0 ? run.error : undefined;
  const names = parsed.jobs ?? [];

  if (run.data) {
    return (
      <Dialog title={t("import.title")} onClose={onClose}>
        <div className="banner banner-ok" role="status">
          {t("import.done", { count: run.data.length })}
        </div>
        <ul>
          {run.data.map((job) => (
            <li key={job.id}>
              <Link to={`/apps/${appId}/jobs/${job.id}`}>{job.name}</Link>
            </li>
          ))}
        </ul>
      </Dialog>
    );
  }
  return (
    <Dialog
      title={t("import.title")}
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={run.isPending}>
            {run.isPending ? t("import.importing") : t("import.submit")}
          </button>
        </>
      }
    >
      {run.isError && (
        <div className="banner banner-error" role="alert" data-testid="import-errors">
          {t("import.failed", { message: errorMessage(run.error) })}
          {refused && (
            <ul>
              {problemsByJob(refused).map((p, i) => (
                <li key={i}>
                  {p.index !== null && (
                    <strong>
                      {t("import.jobLabel", { index: p.index + 1, name: names[p.index]?.name ?? "?" })}
                      {": "}
                    </strong>
                  )}
                  {p.field && <code>{p.field}</code>} {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="field">
        <label className="jobs-field-label" htmlFor="import-file">
          {t("import.file")}
        </label>
        <input id="import-file" type="file" accept=".json,application/json" onChange={(e) => void readFile(e)} aria-describedby="import-file-hint" />
        <span className="field-hint" id="import-file-hint">
          {t("import.fileHint")}
        </span>
        {fileError && <span className="field-error">{fileError}</span>}
      </div>
      <div className="field">
        <label className="jobs-field-label" htmlFor="import-text">
          {t("import.paste")}
        </label>
        <textarea
          id="import-text"
          rows={12}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            run.reset();
          }}
          placeholder='{"jobs": [{"name": "nightly", "timeExpressionType": "CRON", ...}]}'
          aria-invalid={inputProblem ? true : undefined}
          aria-describedby={`import-text-hint${inputProblem ? " import-text-error" : ""}`}
        />
        <span className="field-hint" id="import-text-hint">
          {parsed.jobs ? t("import.count", { count: parsed.jobs.length }) : t("import.pasteHint")}
        </span>
        {inputProblem && (
          <span className="field-error" id="import-text-error" role="alert">
            {inputProblem}
          </span>
        )}
      </div>
    </Dialog>
  );
}
