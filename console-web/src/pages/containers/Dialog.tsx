// A modal `<dialog>`: opened with showModal (focus moves in, the page
// behind is inert), closed by Escape, its Close button or the caller; focus
// goes back to what opened it.
import { useEffect, useId, useLayoutEffect, useRef, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** The buttons at the bottom; a Close button when omitted. */
  actions?: ReactNode;
  /** When given, the body is a form and submitting it calls this. */
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

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    const cancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") cancel(e);
    };
    dialog.addEventListener("cancel", cancel);
    // Browsers send `cancel` on Escape; the keydown covers those without showModal.
    if (typeof dialog.showModal !== "function") dialog.addEventListener("keydown", key);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      dialog.removeEventListener("keydown", key);
      if (typeof dialog.close === "function" && dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit?.();
  };
  const body = (
    <>
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
      <div className="dialog-actions">
        {actions ?? (
          <button type="button" className="btn" onClick={onClose}>
            {t("actions.close")}
          </button>
        )}
      </div>
    </>
  );
  return (
    <dialog ref={ref} aria-labelledby={titleId} className={wide ? "containers-dialog-wide" : undefined}>
      {onSubmit ? (
        <form onSubmit={submit} noValidate>
          {body}
        </form>
      ) : (
        body
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
