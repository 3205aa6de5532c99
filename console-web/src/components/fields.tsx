// Form pieces: a labelled field with its hint and error (the browser's own
// check or the server's per-field message), and the banner of a refused
// request listing the problems no field shows.
import { useId, type ReactElement, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { ErrorBanner } from "./feedback";

/** The server's message for `name`, if the error names that field. */
export function serverField(error: unknown, name: string): string | undefined {
  return error instanceof ApiError ? error.field(name) : undefined;
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  testId?: string;
  /** Renders the control with the ids it must carry. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactElement;
}

export function Field({ label, hint, error, className, testId, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field form-field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>
        <span className="form-field-label">{label}</span>
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error && (
        <span className="field-error" id={errorId} data-testid={testId}>
          {error}
        </span>
      )}
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A refused request: the server's message, and its field problems not shown beside a field. */
export function FormError({ error, shown = [] }: { error: unknown; shown?: string[] }) {
  return <ErrorBanner error={error} hideFields={shown} />;
}
