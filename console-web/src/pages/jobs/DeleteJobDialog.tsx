// Confirm before a job is deleted (soft: its instances stay).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../../components/feedback";
import { Dialog } from "../../components/Dialog";
import { deleteJob, jobKeys, type Job } from "./jobsApi";

export function DeleteJobDialog({ job, onClose, onDeleted }: { job: Job; onClose: () => void; onDeleted?: () => void }) {
  const { t } = useTranslation("jobs");
  const { t: tc } = useTranslation();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteJob(job.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: jobKeys.one(job.id) });
      await queryClient.invalidateQueries({ queryKey: jobKeys.all });
      onClose();
      onDeleted?.();
    },
  });
  return (
    <Dialog
      title={t("remove.title", { name: job.name })}
      onClose={onClose}
      onSubmit={() => remove.mutate()}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-danger" disabled={remove.isPending}>
            {remove.isPending ? t("remove.deleting") : t("remove.submit")}
          </button>
        </>
      }
    >
      {remove.isError && (
        <div className="banner banner-error" role="alert">
          {errorMessage(remove.error)}
        </div>
      )}
      <p>{t("remove.body")}</p>
    </Dialog>
  );
}
