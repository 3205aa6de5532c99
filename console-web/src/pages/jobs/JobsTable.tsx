// The rows of the job list: name, schedule, execute type, processor,
// the enabled switch, the next fire time (when the server gives it) and
// the actions.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDuration, formatTime } from "../../components/format";
import { JobActions } from "./JobActions";
import { jobKeys, nextFireTime, setJobEnabled, type Job } from "./jobsApi";

interface Props {
  appId: string;
  jobs: Job[];
  onError: (error: unknown) => void;
}

function Schedule({ job }: { job: Job }) {
  const { t } = useTranslation("jobs");
  const expression = job.timeExpression ?? "";
  const ms = Number(expression);
  return (
    <>
      <span className="badge badge-muted">{t(`enums.timeExpressionType.${job.timeExpressionType}`)}</span>{" "}
      {expression && (
        <code className="jobs-expr" title={expression}>
          {expression}
        </code>
      )}
      {(job.timeExpressionType === "FIXED_RATE" || job.timeExpressionType === "FIXED_DELAY") && ms > 0 && (
        <div className="muted">{t("list.every", { duration: formatDuration(ms) })}</div>
      )}
      {job.timeZone && <div className="muted">{job.timeZone}</div>}
    </>
  );
}

export function JobsTable({ appId, jobs, onError }: Props) {
  const { t } = useTranslation("jobs");
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => setJobEnabled(id, enabled),
    onMutate: ({ id, enabled }) => setPending((p) => ({ ...p, [id]: enabled })),
    onError,
    onSettled: async (_data, _error, { id }) => {
      await queryClient.invalidateQueries({ queryKey: jobKeys.all });
      setPending(({ [id]: _done, ...rest }) => rest);
    },
  });
  const showNext = jobs.some((j) => nextFireTime(j) !== undefined);

  return (
    <table className="table jobs-table">
      <thead>
        <tr>
          <th scope="col">{t("list.columns.name")}</th>
          <th scope="col">{t("list.columns.schedule")}</th>
          <th scope="col">{t("list.columns.executeType")}</th>
          <th scope="col">{t("list.columns.processor")}</th>
          <th scope="col">{t("list.columns.enabled")}</th>
          {showNext && <th scope="col">{t("list.columns.nextFire")}</th>}
          <th scope="col" className="actions">
            {t("list.columns.actions")}
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => {
          const enabled = pending[job.id] ?? job.enabled ?? true;
          return (
            <tr key={job.id}>
              <td>
                <Link to={`/apps/${appId}/jobs/${job.id}`} className="jobs-name">
                  {job.name}
                </Link>
                <div className="muted jobs-sub">
                  #{job.id}
                  {job.tag && <span className="tag">{job.tag}</span>}
                </div>
                {job.description && <div className="muted jobs-desc">{job.description}</div>}
              </td>
              <td>
                <Schedule job={job} />
              </td>
              <td>{t(`enums.executeType.${job.executeType}`)}</td>
              <td>
                {t(`enums.processorType.${job.processorType}`)}
                {job.processorInfo && (
                  <div>
                    <code className="jobs-expr" title={job.processorInfo}>
                      {job.processorInfo}
                    </code>
                  </div>
                )}
              </td>
              <td>
                <label className="jobs-switch">
                  <input
                    type="checkbox"
                    role="switch"
                    checked={enabled}
                    aria-checked={enabled}
                    aria-label={t("list.enabledFor", { name: job.name })}
                    disabled={job.id in pending}
                    onChange={(e) => toggle.mutate({ id: job.id, enabled: e.target.checked })}
                  />
                  <span aria-hidden="true">{enabled ? t("list.on") : t("list.off")}</span>
                </label>
              </td>
              {showNext && <td>{formatTime(nextFireTime(job))}</td>}
              <td className="actions">
                <JobActions job={job} appId={appId} named small onError={onError} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
