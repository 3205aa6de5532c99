// The fields of an inspected upload: container name, version label,
// whether to deploy it now, and the Save button. Names and labels are
// checked as the user types; the server's field messages show beside them.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { checkName } from "./model";
import { Field, FormError, serverField } from "../../components/fields";

export interface UploadValues {
  name: string;
  label: string;
  deploy: boolean;
}

interface Props {
  values: UploadValues;
  onChange: (values: UploadValues) => void;
  fixedName?: string;
  /** The label the server gives when none is chosen. */
  defaultLabel: string;
  saving: boolean;
  error: unknown;
  onSubmit: () => void;
  onDiscard: () => void;
}

export function UploadForm({ values, onChange, fixedName, defaultLabel, saving, error, onSubmit, onDiscard }: Props) {
  const { t } = useTranslation("containers");
  const [submitted, setSubmitted] = useState(false);
  const nameProblem = fixedName ? null : checkName(values.name, { container: true });
  const labelProblem = checkName(values.label, { optional: true });
  const nameError = nameProblem ? t(`validation.${nameProblem}`) : serverField(error, "name");
  const labelError = labelProblem ? t(`validation.${labelProblem}`) : serverField(error, "label");
  const showName = submitted || values.name !== "";

  return (
    <form
      className="upload-form"
      noValidate
      aria-label={t("upload.formTitle")}
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!nameProblem && !labelProblem) onSubmit();
      }}
    >
      {fixedName ? (
        <p className="muted">
          {t("upload.toContainer")} <code>{fixedName}</code>
        </p>
      ) : (
        <Field label={t("upload.name")} hint={t("upload.nameHint")} error={showName ? nameError : null}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={values.name}
              maxLength={200}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(e) => onChange({ ...values, name: e.target.value })}
            />
          )}
        </Field>
      )}
      <Field
        label={t("upload.label")}
        hint={t("upload.labelHint", { label: defaultLabel, name: fixedName ?? (values.name || "name") })}
        error={labelError}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            value={values.label}
            placeholder={defaultLabel}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(e) => onChange({ ...values, label: e.target.value })}
          />
        )}
      </Field>
      <div className="field">
        <label className="field-inline containers-inline">
          <input
            type="checkbox"
            checked={values.deploy}
            onChange={(e) => onChange({ ...values, deploy: e.target.checked })}
          />
          <span>{t("upload.deploy")}</span>
        </label>
        <span className="field-hint">{values.deploy ? t("upload.deployHint") : t("upload.noDeployHint")}</span>
      </div>
      <FormError error={error} shown={["name", "label"]} />
      <div className="upload-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t("upload.saving") : t("upload.save")}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDiscard} disabled={saving}>
          {t("upload.discard")}
        </button>
      </div>
    </form>
  );
}
