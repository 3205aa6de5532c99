// The deployment in force and how its version stands on every live worker
// that may run the container's jobs (READY, FETCHING, FAILED, NOT_REPORTED).
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { WorkerStateBadge } from "./BuildBadge";
import type { ContainerDetail } from "./containersApi";
import { isWorkerFinal, shortDigest } from "./model";

interface Props {
  detail: ContainerDetail;
  /** Polled every 2 s now. */
  polling: boolean;
  onRefresh: () => void;
  refreshing: boolean;
}

export function DeploymentStatus({ detail, polling, onRefresh, refreshing }: Props) {
  const { t } = useTranslation("containers");
  const { deployment, workers } = detail;
  const ready = workers.filter((w) => w.state === "READY").length;
  const waiting = workers.some((w) => !isWorkerFinal(w.state));

  return (
    <section className="card" aria-labelledby="deployment-title">
      <div className="section-header">
        <h2 id="deployment-title">{t("deployment.title")}</h2>
        <div className="toolbar">
          {polling && (
            <span className="muted live-note" role="status">
              <span className="spinner" aria-hidden="true" /> {t("deployment.polling")}
            </span>
          )}
          <button type="button" className="btn btn-small" onClick={onRefresh} disabled={refreshing}>
            {t("deployment.refresh")}
          </button>
        </div>
      </div>
      {deployment ? (
        <p className="deployment-current">
          {t("deployment.current")} <span className="tag mono">{deployment.label}</span>{" "}
          <code title={deployment.digest}>{shortDigest(deployment.digest)}</code>{" "}
          <span className="muted">{t("deployment.by", { who: deployment.deployedBy, when: formatTime(deployment.deployedAt) })}</span>
        </p>
      ) : (
        <p className="muted">{t("deployment.none")}</p>
      )}
      {deployment && workers.length > 0 && (
        <p className="muted">{t("deployment.summary", { ready, total: workers.length })}</p>
      )}
      {!polling && waiting && deployment && <p className="banner banner-warn">{t("deployment.stillWaiting")}</p>}
      {workers.some((w) => w.state === "FAILED") && <p className="banner banner-error">{t("deployment.failedHint")}</p>}
      {deployment && workers.length === 0 && <EmptyState title={t("workers.none")}>{t("workers.noneHint")}</EmptyState>}
      {deployment && workers.length > 0 && (
        <table className="table" aria-label={t("workers.title")} data-testid="worker-status">
          <thead>
            <tr>
              <th scope="col">{t("workers.worker")}</th>
              <th scope="col">{t("workers.kind")}</th>
              <th scope="col">{t("workers.stateCol")}</th>
              <th scope="col">{t("workers.message")}</th>
              <th scope="col">{t("workers.updated")}</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.workerId}>
                <td className="mono">{w.address}</td>
                <td>{w.pool ? t("workers.pool") : t("workers.own")}</td>
                <td>
                  <WorkerStateBadge state={w.state} />
                </td>
                <td className={w.state === "FAILED" ? "worker-failed" : "muted"}>{w.message || "—"}</td>
                <td>{formatTime(w.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
