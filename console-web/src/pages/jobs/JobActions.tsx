// Run, Copy, Export and Delete of one job, with their dialogs: in each
// row of the list (names carry the job's, so each button is unique) and
// at the top of the editor.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CopyJobDialog } from "./CopyJobDialog";
import { DeleteJobDialog } from "./DeleteJobDialog";
import { downloadJson, exportFileName, exportJob, type Job } from "./jobsApi";
import { RunJobDialog } from "./RunJobDialog";

type Open = "run" | "copy" | "delete" | null;

interface Props {
  job: Job;
  appId: string;
  /** Buttons are named with the job's name (in a list of many). */
  named?: boolean;
  small?: boolean;
  onError: (error: unknown) => void;
  onDeleted?: () => void;
}

export function JobActions({ job, appId, named, small, onError, onDeleted }: Props) {
  const { t } = useTranslation("jobs");
  const [open, setOpen] = useState<Open>(null);
  const [exporting, setExporting] = useState(false);
  const cls = `btn${small ? " btn-small" : ""}`;
  const label = (action: "run" | "copy" | "export" | "delete") =>
    named ? t(`actions.${action}Named`, { name: job.name }) : undefined;

  const doExport = async () => {
    setExporting(true);
    try {
      downloadJson(exportFileName(job.name), await exportJob(job.id));
    } catch (e) {
      onError(e);
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <button type="button" className={`${cls} btn-primary`} aria-label={label("run")} onClick={() => setOpen("run")}>
        {t("actions.run")}
      </button>
      <button type="button" className={cls} aria-label={label("copy")} onClick={() => setOpen("copy")}>
        {t("actions.copy")}
      </button>
      <button type="button" className={cls} aria-label={label("export")} disabled={exporting} onClick={() => void doExport()}>
        {t("actions.export")}
      </button>
      <button type="button" className={`${cls} btn-danger`} aria-label={label("delete")} onClick={() => setOpen("delete")}>
        {t("actions.delete")}
      </button>
      {open === "run" && <RunJobDialog job={job} appId={appId} onClose={() => setOpen(null)} />}
      {open === "copy" && <CopyJobDialog job={job} appId={appId} onClose={() => setOpen(null)} />}
      {open === "delete" && <DeleteJobDialog job={job} onClose={() => setOpen(null)} onDeleted={onDeleted} />}
    </>
  );
}
