// Stop, cancel and retry of an instance, shared by the list and the
// detail page: the call, its feedback (the server's message on failure)
// and a refresh of what shows instances.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../../components/feedback";
import { instanceAction, instanceKeys, type InstanceAction } from "./instancesApi";
import { Dialog } from "../../components/Dialog";

export interface ActionFeedbackState {
  ok: boolean;
  action: InstanceAction;
  id: string;
  message?: string;
}

export function useInstanceAction() {
  const client = useQueryClient();
  const [feedback, setFeedback] = useState<ActionFeedbackState | null>(null);
  const mutation = useMutation({
    mutationFn: ({ id, action }: { id: string; action: InstanceAction }) => instanceAction(id, action),
    onMutate: () => setFeedback(null),
    onSuccess: (instance, { id, action }) => {
      client.setQueryData(instanceKeys.one(instance.id), instance);
      setFeedback({ ok: true, action, id });
    },
    onError: (error, { id, action }) => setFeedback({ ok: false, action, id, message: errorMessage(error) }),
    onSettled: () => client.invalidateQueries({ queryKey: instanceKeys.all }),
  });
  return {
    run: (id: string, action: InstanceAction) => mutation.mutate({ id, action }),
    pendingId: mutation.isPending ? mutation.variables?.id : undefined,
    feedback,
    dismiss: () => setFeedback(null),
  };
}

const DONE = { stop: "actions.stopped", cancel: "actions.canceled", retry: "actions.retried" } as const;
const FAILED = { stop: "actions.stopFailed", cancel: "actions.cancelFailed", retry: "actions.retryFailed" } as const;

interface FeedbackProps {
  feedback: ActionFeedbackState | null;
  onDismiss: () => void;
}

export function ActionFeedback({ feedback, onDismiss }: FeedbackProps) {
  const { t } = useTranslation("instances");
  if (!feedback) return null;
  const dismiss = (
    <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>
      {t("actions.dismiss")}
    </button>
  );
  if (feedback.ok) {
    return (
      <div className="banner banner-ok" role="status">
        {t(DONE[feedback.action], { id: feedback.id })}
        {dismiss}
      </div>
    );
  }
  return (
    <div className="banner banner-error" role="alert">
      <strong>{t(FAILED[feedback.action], { id: feedback.id })}:</strong> {feedback.message}
      {dismiss}
    </div>
  );
}

export function ConfirmStop({ id, onConfirm, onClose }: { id: string; onConfirm: () => void; onClose: () => void }) {
  const { t } = useTranslation("instances");
  return (
    <Dialog
      title={t("confirmStop.title", { id })}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t("confirmStop.keep")}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => {
              onClose();
              onConfirm();
            }}
          >
            {t("confirmStop.confirm")}
          </button>
        </>
      }
    >
      <p>{t("confirmStop.body")}</p>
    </Dialog>
  );
}
