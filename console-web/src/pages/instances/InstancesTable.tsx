// The instance list's table: one row per instance with its status (and
// how many times it ran, when more than once), when it was dispatched and
// how late, when it finished and how long it took, its worker, container
// version and the actions its status allows. It fits 1280 px without
// scrolling; the detail page has every field.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration, formatTime } from "../../components/format";
import type { InstanceAction } from "./instancesApi";
import { canCancel, canRetry, canStop, instanceDuration, isFinal, type Instance } from "./status";

interface Props {
  appId: string;
  items: Instance[];
  jobNames: Map<string, string>;
  pendingId?: string;
  onAction: (instance: Instance, action: InstanceAction) => void;
}

/** How long after its expected time the instance was dispatched, when both are known. */
function lateness(i: Instance): number | null {
  if (!i.actualTriggerTime || !i.expectedTriggerTime) return null;
  return Math.max(0, i.actualTriggerTime - i.expectedTriggerTime);
}

export function InstancesTable({ appId, items, jobNames, pendingId, onAction }: Props) {
  const { t } = useTranslation("instances");
  const now = Date.now();
  const triggerTitle = (i: Instance) =>
    `${t("list.expected")} ${formatTime(i.expectedTriggerTime)}\n${t("list.actual")} ${formatTime(i.actualTriggerTime)}`;
  return (
    <div className="table-scroll">
      <table className="table instances-table">
        <caption className="sr-only">{t("list.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("list.columns.id")}</th>
            <th scope="col">{t("list.columns.job")}</th>
            <th scope="col">{t("list.columns.status")}</th>
            <th scope="col">{t("list.columns.trigger")}</th>
            <th scope="col">{t("list.columns.finished")}</th>
            <th scope="col">{t("list.columns.worker")}</th>
            <th scope="col">{t("list.columns.version")}</th>
            <th scope="col" className="actions">
              {t("list.columns.actions")}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const duration = instanceDuration(i, now);
            const late = lateness(i);
            const busy = pendingId === i.id;
            return (
              <tr key={i.id}>
                <td className="mono">
                  <Link to={`/apps/${appId}/instances/${i.id}`}>{i.id}</Link>
                </td>
                <td>
                  <Link to={`/apps/${appId}/jobs/${i.jobId}`} className="instance-job-link">
                    {jobNames.get(i.jobId) ?? i.jobId}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={i.status} />
                  {i.runningTimes > 1 && <span className="instance-note muted">{t("list.runs", { count: i.runningTimes })}</span>}
                </td>
                <td className="instance-time" title={triggerTitle(i)}>
                  {i.actualTriggerTime ? (
                    formatTime(i.actualTriggerTime)
                  ) : (
                    <>
                      <span className="muted">{t("list.expected")}</span> {formatTime(i.expectedTriggerTime)}
                    </>
                  )}
                  <span className="instance-note muted">
                    {t(`trigger.${i.triggerType}`)}
                    {late !== null && ` · ${t("list.late", { duration: formatDuration(late) })}`}
                  </span>
                </td>
                <td className="instance-time">
                  {formatTime(i.finishedTime)}
                  {duration !== null && (
                    <span className="instance-note muted">
                      {t(isFinal(i.status) ? "list.took" : "list.runningFor", { duration: formatDuration(duration) })}
                    </span>
                  )}
                </td>
                <td className="mono">{i.coordinator ?? "—"}</td>
                <td className="mono instance-version" title={i.containerDigest ?? undefined}>
                  {i.containerVersion ?? "—"}
                </td>
                <td className="actions">
                  {canStop(i.status) && (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={t("list.stopOne", { id: i.id })}
                      disabled={busy}
                      onClick={() => onAction(i, "stop")}
                    >
                      {t("actions.stop")}
                    </button>
                  )}
                  {canCancel(i.status) && (
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t("list.cancelOne", { id: i.id })}
                      disabled={busy}
                      onClick={() => onAction(i, "cancel")}
                    >
                      {t("actions.cancel")}
                    </button>
                  )}
                  {canRetry(i.status) && (
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t("list.retryOne", { id: i.id })}
                      disabled={busy}
                      onClick={() => onAction(i, "retry")}
                    >
                      {t("actions.retry")}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
