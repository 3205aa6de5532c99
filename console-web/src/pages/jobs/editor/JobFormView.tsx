// The job form: every JobSpec field in six fieldsets, checked before it
// is sent; the server's 422 messages are shown next to their fields.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../../api/client";
import { errorMessage } from "../../../components/feedback";
import { createJob, updateJob, type Job } from "../jobsApi";
import { AlarmLogSection } from "./AlarmLogSection";
import { BasicSection } from "./BasicSection";
import { DispatchSection } from "./DispatchSection";
import { ExecutionSection } from "./ExecutionSection";
import { fieldId } from "./fields";
import { emptyForm, formKeyOf, formOf, specOf, type FormKey, type JobForm } from "./form";
import { RetrySection } from "./RetrySection";
import { ScheduleSection } from "./ScheduleSection";
import { FormStore, FormStoreContext } from "./store";
import { validateForm, type FormErrors } from "./validate";

interface Props {
  appId: string;
  job?: Job;
  onSaved: (job: Job, created: boolean) => void;
}

/** Puts the server's problems on the fields showing them; the rest stay general. */
function placeErrors(error: ApiError, form: JobForm): { fields: FormErrors; rest: { field: string; message: string }[] } {
  const fields: FormErrors = {};
  const rest: { field: string; message: string }[] = [];
  for (const f of error.fields) {
    const key = formKeyOf(f.field, form);
    if (key && !fields[key]) fields[key] = f.message;
    else if (key) fields[key] += `; ${f.message}`;
    else rest.push(f);
  }
  return { fields, rest };
}

export function JobFormView({ appId, job, onSaved }: Props) {
  const { t } = useTranslation("jobs");
  const [store] = useState(() => new FormStore(job ? formOf(job) : emptyForm()));
  const [general, setGeneral] = useState<{ message: string; rest: { field: string; message: string }[] } | null>(null);
  const save = useMutation({
    mutationFn: (spec: ReturnType<typeof specOf>) => (job ? updateJob(job.id, spec) : createJob(appId, spec)),
    onSuccess: (saved) => onSaved(saved, !job),
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length > 0) {
        const placed = placeErrors(e, store.values);
        // Rendered at once, so the field that takes focus is already described by its error.
        flushSync(() => store.setErrors(placed.fields));
        setGeneral({ message: t("editor.refused", { message: e.message }), rest: placed.rest });
        focusFirst(Object.keys(placed.fields) as FormKey[]);
      } else {
        setGeneral({ message: t("editor.refused", { message: errorMessage(e) }), rest: [] });
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const form = store.values;
    const found = validateForm(form, t);
    flushSync(() => store.setErrors(found));
    if (Object.keys(found).length > 0) {
      setGeneral({ message: t("editor.clientInvalid", { count: Object.keys(found).length }), rest: [] });
      focusFirst(Object.keys(found) as FormKey[]);
      return;
    }
    setGeneral(null);
    save.mutate(specOf(form));
  };

  return (
    <FormStoreContext.Provider value={store}>
      <form className="jobs-form" onSubmit={submit} noValidate aria-label={job ? t("editor.editTitle", { name: job.name }) : t("editor.newTitle")}>
        {general && (
          <div className="banner banner-error" role="alert" data-testid="job-form-errors">
            {general.message}
            {general.rest.length > 0 && (
              <ul>
                {general.rest.map((f) => (
                  <li key={f.field}>
                    <code>{f.field}</code>: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <BasicSection />
        <ScheduleSection />
        <ExecutionSection appId={appId} />
        <DispatchSection />
        <RetrySection />
        <AlarmLogSection />
        <div className="jobs-form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t("editor.saving") : t("editor.save")}
          </button>
        </div>
      </form>
    </FormStoreContext.Provider>
  );
}

/** Moves focus to the first field (in page order) with a problem. */
function focusFirst(keys: FormKey[]) {
  const elements = keys
    .map((k) => document.getElementById(fieldId(k)))
    .filter((el): el is HTMLElement => el !== null)
    .sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  elements[0]?.focus();
}
