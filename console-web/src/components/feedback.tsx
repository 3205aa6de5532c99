// Loading, empty and error states: an API error is always shown with the
// server's message, never swallowed.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

interface ErrorBannerProps {
  error: unknown;
  onRetry?: () => void;
  onDismiss?: () => void;
  /** Fields whose problems a form already shows beside them. */
  hideFields?: string[];
}

export function ErrorBanner({ error, onRetry, onDismiss, hideFields = [] }: ErrorBannerProps) {
  const { t } = useTranslation();
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fields.filter((f) => !hideFields.includes(f.field)) : [];
  return (
    <div className="banner banner-error" role="alert">
      <strong>{t("state.error")}:</strong> {errorMessage(error)}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t("actions.retry")}
        </button>
      )}
      {onDismiss && (
        <button type="button" className="btn btn-small" onClick={onDismiss}>
          {t("actions.dismiss")}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label ?? t("state.loading")}
    </div>
  );
}

export function EmptyState({ title, children }: { title?: string; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="empty">
      <p className="empty-title">{title ?? t("state.empty")}</p>
      {children}
    </div>
  );
}
