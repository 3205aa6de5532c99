// "Delete container": asks first; the server refuses (409) while enabled
// jobs name it, and that message shows in the dialog.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ErrorBanner } from "../../components/feedback";
import { containerKeys, deleteContainer, type ContainerDetail } from "./containersApi";
import { ConfirmDialog } from "../../components/Dialog";

export function DeleteContainer({ appId, detail }: { appId: string; detail: ContainerDetail }) {
  const { t } = useTranslation("containers");
  const navigate = useNavigate();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => deleteContainer(appId, detail.name),
    onSuccess: () => {
      client.removeQueries({ queryKey: containerKeys.detail(appId, detail.name) });
      void client.invalidateQueries({ queryKey: containerKeys.list(appId) });
      navigate(`/apps/${appId}/containers`, { replace: true });
    },
  });
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        {t("detail.delete")}
      </button>
      {open && (
        <ConfirmDialog
          title={t("detail.deleteTitle", { name: detail.name })}
          confirmLabel={t("detail.deleteConfirm")}
          danger
          busy={remove.isPending}
          error={<ErrorBanner error={remove.error} />}
          onConfirm={() => remove.mutate()}
          onClose={() => {
            setOpen(false);
            remove.reset();
          }}
        >
          <p>{t("detail.deleteBody", { name: detail.name, count: detail.versions.length })}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
