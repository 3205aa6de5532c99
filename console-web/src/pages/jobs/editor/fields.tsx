// Labelled inputs bound to the editor's form: each shows its hint and its
// problem (the form's own check or the server's), wired with aria-invalid
// and aria-describedby so a screen reader reads them with the field.
import type { ReactNode } from "react";
import type { FormKey, JobForm } from "./form";
import { useFieldError, useFormStore, useFormValue } from "./store";

export const fieldId = (name: string) => `job-${name}`;

interface Common {
  name: FormKey;
  label: string;
  hint?: ReactNode;
  /** Shown instead of the form's error for this field (e.g. the live preview's). */
  error?: string;
  wide?: boolean;
  /** The error is announced as it appears (role="alert"). */
  alert?: boolean;
  errorTestId?: string;
  disabled?: boolean;
  children?: ReactNode;
}

/** Label, control, hint and error of one field. */
function FieldFrame({ name, label, hint, error, wide, alert, errorTestId, children, control }: Common & { control: ReactNode }) {
  const id = fieldId(name);
  const errorEl = error && (
    <span className="field-error" id={`${id}-error`} role={alert ? "alert" : undefined}>
      {error}
    </span>
  );
  return (
    <div className={`field${wide ? " wide" : ""}`}>
      <label className="jobs-field-label" htmlFor={id}>
        {label}
      </label>
      {control}
      {errorEl && errorTestId ? <div data-testid={errorTestId}>{errorEl}</div> : errorEl}
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children}
    </div>
  );
}

function useFieldProps(name: FormKey, hint: ReactNode | undefined, override: string | undefined) {
  const store = useFormStore();
  const value = useFormValue(name);
  const own = useFieldError(name);
  const error = override ?? own;
  const id = fieldId(name);
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const set = (v: JobForm[FormKey]) => store.set(name, v as never);
  return { value, set, error, aria: { id, name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy } };
}

type TextProps = Common & {
  type?: "text" | "number" | "datetime-local";
  multiline?: boolean;
  rows?: number;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number | "any";
  list?: string;
  required?: boolean;
};

export function TextField(props: TextProps) {
  const { name, hint, error: override, multiline, rows, type = "text", placeholder, min, max, step, list, required, disabled } = props;
  const field = useFieldProps(name, hint, override);
  const { error, aria } = field;
  const value = String(field.value ?? "");
  const change = (v: string) => field.set(v);
  const control = multiline ? (
    <textarea {...aria} rows={rows ?? 3} value={value} placeholder={placeholder} disabled={disabled} onChange={(e) => change(e.target.value)} />
  ) : (
    <input
      {...aria}
      type={type}
      value={value}
      placeholder={placeholder}
      min={min}
      max={max}
      step={step ?? (type === "datetime-local" ? 1 : undefined)}
      list={list}
      required={required}
      aria-required={required || undefined}
      disabled={disabled}
      onChange={(e) => change(e.target.value)}
    />
  );
  return <FieldFrame {...props} error={error} control={control} />;
}

export function SelectField(props: Common & { options: { value: string; label: string }[] }) {
  const { name, hint, error: override, options, disabled } = props;
  const { value, set, error, aria } = useFieldProps(name, hint, override);
  const control = (
    <select {...aria} value={String(value)} disabled={disabled} onChange={(e) => set(e.target.value)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
  return <FieldFrame {...props} error={error} control={control} />;
}

export function CheckField(props: Common) {
  const { name, label, hint, error: override, wide, disabled } = props;
  const { value, set, error, aria } = useFieldProps(name, hint, override);
  return (
    <div className={`field${wide ? " wide" : ""}`}>
      <label className="field-inline jobs-check">
        <input
          {...aria}
          type="checkbox"
          checked={Boolean(value)}
          disabled={disabled}
          onChange={(e) => set(e.target.checked)}
        />
        <span>{label}</span>
      </label>
      {error && (
        <span className="field-error" id={`${aria.id}-error`}>
          {error}
        </span>
      )}
      {hint && (
        <span className="field-hint" id={`${aria.id}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
}
