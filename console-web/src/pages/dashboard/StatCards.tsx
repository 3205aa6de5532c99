// The app's numbers: jobs, instances now and over the last day, workers;
// each card leads to the list it counts.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { AppOverview } from "../../api/console";
import { STATUS_GROUPS } from "../instances/status";

interface Stat {
  id: string;
  label: string;
  value: number;
  detail?: string;
  to: string;
  tone?: "bad" | "busy" | "wait" | "ok";
}

export function StatCards({ appId, overview }: { appId: string; overview: AppOverview }) {
  const { t } = useTranslation("dashboard");
  const base = `/apps/${encodeURIComponent(appId)}`;
  const { jobs, instances, workers } = overview;
  const stats: Stat[] = [
    { id: "jobs", label: t("stats.jobs"), value: jobs.total, detail: t("stats.jobsEnabled", { count: jobs.enabled }), to: `${base}/jobs` },
    { id: "running", label: t("stats.running"), value: instances.running, to: `${base}/instances?status=RUNNING`, tone: "busy" },
    {
      id: "waiting",
      label: t("stats.waiting"),
      value: instances.waiting,
      detail: t("stats.waitingHint"),
      to: `${base}/instances?status=${STATUS_GROUPS.waiting}`,
      tone: instances.waiting > 0 ? "wait" : undefined,
    },
    { id: "succeeded", label: t("stats.succeeded"), value: instances.succeededLast24h, to: `${base}/instances?status=SUCCEED`, tone: "ok" },
    {
      id: "failed",
      label: t("stats.failed"),
      value: instances.failedLast24h,
      to: `${base}/instances?status=FAILED`,
      tone: instances.failedLast24h > 0 ? "bad" : undefined,
    },
    {
      id: "workers",
      label: t("stats.workers"),
      value: workers.alive,
      detail: t("stats.workersTotal", { count: workers.total }),
      to: `${base}/workers`,
      tone: workers.alive === 0 ? "bad" : "ok",
    },
  ];
  return (
    <section aria-label={t("stats.title")}>
      <ul className="cards stat-cards">
        {stats.map((s) => (
          <li key={s.id}>
            <Link to={s.to} className={`card stat-card${s.tone ? ` stat-${s.tone}` : ""}`} data-testid={`stat-${s.id}`}>
              <span className="stat-label">{s.label}</span>
              <span className="stat-value">{s.value}</span>
              {s.detail && <span className="stat-detail">{s.detail}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
