// A modal `<dialog>`: opened with showModal (focus moves in, the page
// behind is inert), closed by Escape, its Close button or the caller.
import { useEffect, useId, useLayoutEffect, useRef, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** The buttons at the bottom; a Close button is added when omitted. */
  actions?: ReactNode;
  /** When given, the body is a form and its submit calls this. */
  onSubmit?: () => void;
  wide?: boolean;
}

export function Dialog({ title, onClose, children, actions, onSubmit, wide }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  // A layout effect: its cleanup runs before the dialog leaves the page, so
  // closing it properly hands focus back to what opened it.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const modal = typeof dialog.showModal === "function";
    if (modal) {
      if (!dialog.open) dialog.showModal();
    } else {
      // Without showModal (old browsers, jsdom): open it and move focus in by hand.
      dialog.setAttribute("open", "");
      dialog.querySelector<HTMLElement>("[autofocus], input, textarea, select, button")?.focus();
    }
    const cancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    // Browsers send `cancel` on Escape; the keydown covers those without showModal.
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") cancel(e);
    };
    dialog.addEventListener("cancel", cancel);
    if (!modal) document.addEventListener("keydown", key);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      document.removeEventListener("keydown", key);
      if (modal && dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit?.();
  };
  const footer = (
    <div className="dialog-actions">
      {actions ?? (
        <button type="button" className="btn" onClick={onClose}>
          {t("actions.close")}
        </button>
      )}
    </div>
  );
  return (
    <dialog ref={ref} aria-labelledby={titleId} className={wide ? "dialog-wide" : undefined}>
      {onSubmit ? (
        <form onSubmit={submit} noValidate>
          <div className="dialog-body">
            <h2 id={titleId}>{title}</h2>
            {children}
          </div>
          {footer}
        </form>
      ) : (
        <>
          <div className="dialog-body">
            <h2 id={titleId}>{title}</h2>
            {children}
          </div>
          {footer}
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  /** What will happen, in a sentence or two. */
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  /** The server's refusal, shown in the dialog. */
  error: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before something that cannot be undone; shows why the server refused. */
export function ConfirmDialog({ title, children, confirmLabel, danger, busy, error, onConfirm, onClose }: ConfirmProps) {
  const { t } = useTranslation();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      onSubmit={onConfirm}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t("actions.cancel")}
          </button>
          <button type="submit" className={danger ? "btn btn-danger" : "btn btn-primary"} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error}
    </Dialog>
  );
}

/** The buttons of a form dialog: Cancel and submit until it is done, then Close. */
export function FormActions({ done, busy, submitLabel, onClose }: { done: boolean; busy: boolean; submitLabel: string; onClose: () => void }) {
  const { t } = useTranslation();
  if (done) {
    return (
      <button type="button" className="btn" onClick={onClose}>
        {t("actions.close")}
      </button>
    );
  }
  return (
    <>
      <button type="button" className="btn" onClick={onClose}>
        {t("actions.cancel")}
      </button>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {submitLabel}
      </button>
    </>
  );
}
