// Who deployed which version when (rollbacks included): the last 50 come
// with the container; "Show all" reads `…/deployments`.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { containerKeys, listDeployments, type ContainerDetail } from "./containersApi";
import { shortDigest } from "./model";

const INLINE = 50;

export function DeploymentHistory({ appId, detail }: { appId: string; detail: ContainerDetail }) {
  const { t } = useTranslation("containers");
  const [all, setAll] = useState(false);
  const full = useQuery({
    queryKey: containerKeys.deployments(appId, detail.name),
    queryFn: () => listDeployments(appId, detail.name),
    enabled: all,
  });
  const rows = all && full.data ? full.data : detail.deployments;
  const current = detail.deployment?.id;
  const labels = new Set(detail.versions.map((v) => v.label));

  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("history.title")}</h2>
      {rows.length === 0 ? (
        <EmptyState title={t("history.empty")} />
      ) : (
        <table className="table" aria-label={t("history.title")}>
          <thead>
            <tr>
              <th scope="col">{t("history.when")}</th>
              <th scope="col">{t("history.version")}</th>
              <th scope="col">{t("history.digest")}</th>
              <th scope="col">{t("history.by")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.deployedAt)}</td>
                <td>
                  <span className="tag mono">{d.label}</span>{" "}
                  {d.id === current && <span className="badge badge-ok">{t("history.current")}</span>}
                  {!labels.has(d.label) && <span className="badge badge-muted">{t("history.deleted")}</span>}
                </td>
                <td className="mono" title={d.digest}>
                  {shortDigest(d.digest)}
                </td>
                <td>{d.deployedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {all && full.isFetching && <Loading />}
      <ErrorBanner error={full.error} onRetry={() => void full.refetch()} />
      {!all && detail.deployments.length >= INLINE && (
        <button type="button" className="btn btn-small history-more" onClick={() => setAll(true)}>
          {t("history.showAll")}
        </button>
      )}
    </section>
  );
}
