// The tasks of a BROADCAST, MAP or MAP_REDUCE instance: counts, a
// progress bar and each worker's share.
import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";

type Tally = Schemas["TaskTally"];
const PARTS = ["succeeded", "failed", "running", "waiting"] as const;

function ProgressBar({ tasks }: { tasks: Tally }) {
  const { t } = useTranslation("instances");
  const done = tasks.succeeded + tasks.failed;
  const percent = tasks.total > 0 ? Math.round((done / tasks.total) * 100) : 0;
  const width = (n: number): CSSProperties => ({ width: `${tasks.total > 0 ? (n / tasks.total) * 100 : 0}%` });
  return (
    <div className="task-progress">
      <div
        className="task-bar"
        role="progressbar"
        aria-label={t("progress.bar")}
        aria-valuemin={0}
        aria-valuemax={tasks.total}
        aria-valuenow={done}
        aria-valuetext={t("progress.summary", { done, total: tasks.total, percent })}
      >
        {PARTS.map((p) => (
          <span key={p} className={`task-bar-${p}`} style={width(tasks[p])} />
        ))}
      </div>
      <p className="muted">{t("progress.summary", { done, total: tasks.total, percent })}</p>
    </div>
  );
}

export function InstanceProgressCard({ progress }: { progress: Schemas["InstanceProgress"] }) {
  const { t } = useTranslation("instances");
  const tasks = progress.tasks;
  const workers = progress.workers ?? [];
  return (
    <section className="card" aria-labelledby="instance-progress-title">
      <h2 id="instance-progress-title">{t("progress.title")}</h2>
      {tasks ? (
        <>
          <dl className="task-counts" data-testid="task-counts">
            <div>
              <dt>{t("progress.total")}</dt>
              <dd>{tasks.total}</dd>
            </div>
            {PARTS.map((p) => (
              <div key={p} className={`task-count-${p}`}>
                <dt>{t(`progress.${p}`)}</dt>
                <dd>{tasks[p]}</dd>
              </div>
            ))}
          </dl>
          <ProgressBar tasks={tasks} />
        </>
      ) : (
        <p className="muted">{t("progress.waitingReport")}</p>
      )}
      {workers.length > 0 && (
        <table className="table">
          <caption className="instance-caption">{t("progress.workers")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("progress.address")}</th>
              <th scope="col">{t("progress.state")}</th>
              <th scope="col">{t("progress.succeeded")}</th>
              <th scope="col">{t("progress.failed")}</th>
              <th scope="col">{t("progress.running")}</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.address}>
                <td className="mono">
                  {w.address} {w.coordinator && <span className="tag">{t("progress.coordinator")}</span>}
                </td>
                <td>{t(`progress.states.${w.state}` as "progress.states.ACTIVE", { defaultValue: w.state })}</td>
                <td>{w.succeeded}</td>
                <td>{w.failed}</td>
                <td>{w.running}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
