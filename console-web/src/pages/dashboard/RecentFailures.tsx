// The app's newest failed instances, with the job's name and the
// processor's result message.
import { useQueries } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../../api/client";
import { EmptyState } from "../../components/feedback";
import { formatTime } from "../../components/format";

type Instance = Schemas["Instance"];

/** Job names by id; a job that cannot be fetched (deleted) shows by its id. */
function useJobNames(jobIds: string[]): Map<string, string> {
  const jobs = useQueries({
    queries: jobIds.map((id) => ({
      queryKey: ["dashboard", "job", id],
      queryFn: () => unwrap(api.GET("/jobs/{id}", { params: { path: { id } } })),
      staleTime: 60_000,
    })),
  });
  const names = new Map<string, string>();
  jobs.forEach((q, i) => {
    if (q.data) names.set(jobIds[i], q.data.name);
  });
  return names;
}

export function RecentFailures({ appId, failures }: { appId: string; failures: Instance[] }) {
  const { t } = useTranslation("dashboard");
  const base = `/apps/${encodeURIComponent(appId)}`;
  const names = useJobNames([...new Set(failures.map((f) => f.jobId))]);
  return (
    <section className="dashboard-section" aria-labelledby="recent-failures-title">
      <div className="section-header">
        <h2 id="recent-failures-title">{t("failures.title")}</h2>
        <Link to={`${base}/instances?status=FAILED`}>{t("failures.viewAll")}</Link>
      </div>
      {failures.length === 0 ? (
        <EmptyState title={t("failures.empty")} />
      ) : (
        <table className="table failures-table" aria-labelledby="recent-failures-title">
          <thead>
            <tr>
              <th>{t("failures.instance")}</th>
              <th>{t("failures.job")}</th>
              <th>{t("failures.time")}</th>
              <th>{t("failures.attempts")}</th>
              <th>{t("failures.version")}</th>
              <th>{t("failures.result")}</th>
            </tr>
          </thead>
          <tbody>
            {failures.map((f) => {
              const name = names.get(f.jobId);
              return (
                <tr key={f.id}>
                  <td>
                    <Link className="mono" to={`${base}/instances/${encodeURIComponent(f.id)}`}>
                      {f.id}
                    </Link>
                  </td>
                  <td>
                    <Link to={`${base}/jobs/${encodeURIComponent(f.jobId)}`}>{name ?? f.jobId}</Link>
                    {name && <div className="muted mono small">{f.jobId}</div>}
                  </td>
                  <td className="nowrap">{formatTime(f.finishedTime ?? f.updatedAt)}</td>
                  <td>{f.runningTimes}</td>
                  <td>{f.containerVersion ? <code>{f.containerVersion}</code> : <span className="muted">—</span>}</td>
                  <td className="failure-result" title={f.result || undefined}>
                    {f.result || <span className="muted">—</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
