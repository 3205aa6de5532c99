import { useTranslation } from "react-i18next";

const TONE: Record<string, string> = {
  SUCCEED: "ok",
  FAILED: "bad",
  RUNNING: "busy",
  WAITING_DISPATCH: "wait",
  WAITING_WORKER_RECEIVE: "wait",
  CANCELED: "muted",
  STOPPED: "muted",
};

/** An instance status as a coloured, translated badge. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${TONE[status] ?? "muted"}`} data-status={status}>
      {t(`status.${status}` as "status.RUNNING", { defaultValue: status })}
    </span>
  );
}
