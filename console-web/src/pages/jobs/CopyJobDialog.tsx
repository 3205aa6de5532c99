// Copy a job under a new name (the copy starts disabled).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { errorMessage } from "../../components/feedback";
import { Dialog, FormActions } from "../../components/Dialog";
import { copyJob, jobKeys, type Job } from "./jobsApi";

export function CopyJobDialog({ job, appId, onClose }: { job: Job; appId: string; onClose: () => void }) {
  const { t } = useTranslation("jobs");
  const queryClient = useQueryClient();
  const [name, setName] = useState(() => t("copy.defaultName", { name: job.name }));
  const [nameError, setNameError] = useState<string>();
  const copy = useMutation({
    mutationFn: (copyName: string) => copyJob(job.id, copyName),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobKeys.all }),
  });
  const problem = nameError ?? (copy.error instanceof ApiError ? copy.error.field("name") : undefined);

  const submit = () => {
    const trimmed = name.trim();
    if (!trimmed || [...trimmed].length > 255) {
      setNameError(t("copy.nameRequired"));
      return;
    }
    setNameError(undefined);
    copy.mutate(trimmed);
  };

  const created = copy.data;
  return (
    <Dialog
      title={t("copy.title", { name: job.name })}
      onClose={onClose}
      onSubmit={created ? undefined : submit}
      actions={
        <FormActions done={!!created} busy={copy.isPending} submitLabel={copy.isPending ? t("copy.copying") : t("copy.submit")} onClose={onClose} />
      }
    >
      {created ? (
        <div className="banner banner-ok" role="status">
          {t("copy.done", { name: created.name })}{" "}
          <Link to={`/apps/${appId}/jobs/${created.id}`} onClick={onClose}>
            {t("copy.open")}
          </Link>
        </div>
      ) : (
        <>
          {copy.isError && !problem && (
            <div className="banner banner-error" role="alert">
              {errorMessage(copy.error)}
            </div>
          )}
          <div className="field">
            <label className="jobs-field-label" htmlFor="copy-name">
              {t("copy.name")}
            </label>
            <input
              id="copy-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby={`copy-name-hint${problem ? " copy-name-error" : ""}`}
            />
            <span className="field-hint" id="copy-name-hint">
              {t("copy.hint")}
            </span>
            {problem && (
              <span className="field-error" id="copy-name-error" role="alert">
                {problem}
              </span>
            )}
          </div>
        </>
      )}
    </Dialog>
  );
}
