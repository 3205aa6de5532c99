// Create a job (`/apps/:appId/jobs/new`) or edit one
// (`/apps/:appId/jobs/:jobId`), with its actions and a link to its
// instances in edit mode.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ErrorBanner, Loading } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { useAppId } from "../../components/useCurrentApp";
import { JobFormView } from "./editor/JobFormView";
import { JobActions } from "./JobActions";
import { getJob, jobKeys, type Job } from "./jobsApi";
import "./jobs.css";

export function JobEditorPage() {
  const { t } = useTranslation("jobs");
  const appId = useAppId();
  const { jobId } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>((location.state as { created?: boolean } | null)?.created ? t("editor.created") : null);
  const [actionError, setActionError] = useState<unknown>(null);
  const job = useQuery({ queryKey: jobKeys.one(jobId ?? ""), queryFn: () => getJob(jobId ?? ""), enabled: !!jobId });

  const saved = (j: Job, created: boolean) => {
    queryClient.setQueryData(jobKeys.one(j.id), j);
    void queryClient.invalidateQueries({ queryKey: ["jobs", "list"] });
    if (created) {
      navigate(`/apps/${appId}/jobs/${j.id}`, { state: { created: true } });
      setNotice(t("editor.created"));
    } else {
      setNotice(t("editor.saved", { time: formatTime(j.updatedAt) }));
    }
  };

  const back = (
    <Link to={`/apps/${appId}/jobs`} className="jobs-back">
      ← {t("editor.back")}
    </Link>
  );

  if (jobId && job.isPending) {
    return (
      <section className="page">
        {back}
        <Loading />
      </section>
    );
  }
  if (jobId && job.isError) {
    return (
      <section className="page">
        {back}
        <ErrorBanner error={job.error} onRetry={() => void job.refetch()} />
      </section>
    );
  }
  const current = jobId ? job.data : undefined;

  return (
    <section className="page jobs-editor">
      {back}
      <div className="page-header">
        <div>
          <h1>{current ? current.name : t("editor.newTitle")}</h1>
          {current && (
            <p className="muted jobs-meta">
              {t("editor.meta", { id: current.id, created: formatTime(current.createdAt), updated: formatTime(current.updatedAt) })}
            </p>
          )}
        </div>
        {current && (
          <div className="toolbar">
            <Link to={`/apps/${appId}/instances?jobId=${encodeURIComponent(current.id)}`} className="btn">
              {t("actions.instances")}
            </Link>
            <JobActions job={current} appId={appId} onError={setActionError} onDeleted={() => navigate(`/apps/${appId}/jobs`)} />
          </div>
        )}
      </div>
      {notice && (
        <p className="banner banner-ok" role="status">
          {notice}
        </p>
      )}
      {actionError !== null && <ErrorBanner error={actionError} onDismiss={() => setActionError(null)} />}
      <JobFormView key={current?.id ?? "new"} appId={appId} job={current} onSaved={saved} />
    </section>
  );
}
