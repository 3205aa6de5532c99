// One instance: polled every second until it ends, every field, live task
// counts of distributed runs, stop / cancel / retry, run again, and the
// online log.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { ErrorBanner, Loading } from "../../components/feedback";
import { StatusBadge } from "../../components/StatusBadge";
import { browserTimeZone } from "../../components/format";
import { useAppId } from "../../components/useCurrentApp";
import { ActionFeedback, ConfirmStop, useInstanceAction } from "./actions";
import { InstanceFields } from "./InstanceFields";
import { InstanceProgressCard } from "./InstanceProgressCard";
import { getInstance, getJob, instanceKeys } from "./instancesApi";
import { LogPanel } from "./LogPanel";
import { RunAgainDialog } from "./RunAgainDialog";
import { canCancel, canRetry, canStop, isFinal } from "./status";
import "./instances.css";

const POLL_MS = 1000;
const DISTRIBUTED = new Set(["BROADCAST", "MAP", "MAP_REDUCE"]);

export function InstanceDetailPage() {
  const appId = useAppId();
  const { instanceId = "" } = useParams();
  const { t } = useTranslation("instances");
  const action = useInstanceAction();
  const [confirmStop, setConfirmStop] = useState(false);
  const [runAgain, setRunAgain] = useState(false);

  const query = useQuery({
    queryKey: instanceKeys.one(instanceId),
    queryFn: () => getInstance(instanceId),
    refetchInterval: (q) => {
      const data = q.state.data;
      if (q.state.error && !data) return false;
      return data && isFinal(data.status) ? false : POLL_MS;
    },
  });
  const instance = query.data;
  const job = useQuery({
    queryKey: instanceKeys.job(instance?.jobId ?? ""),
    queryFn: () => getJob(instance?.jobId ?? ""),
    enabled: Boolean(instance?.jobId),
  });

  if (query.isPending) return <Loading />;
  if (!instance) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <section className="page">
        <h1>{t("detail.title", { id: instanceId })}</h1>
        {notFound ? (
          <div className="banner banner-error" role="alert">
            {t("detail.notFound")}
          </div>
        ) : (
          <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />
        )}
        <Link to={`/apps/${appId}/instances`}>{t("detail.back")}</Link>
      </section>
    );
  }

  const status = instance.status;
  const busy = action.pendingId === instance.id;
  const jobName = job.data?.name ?? instance.jobId;
  const distributed =
    Boolean(instance.tasks) || (instance.workers?.length ?? 0) > 0 || DISTRIBUTED.has(job.data?.executeType ?? "");
  return (
    <section className="page instance-detail">
      <nav className="instance-breadcrumb" aria-label={t("title")}>
        <Link to={`/apps/${appId}/instances`}>{t("detail.back")}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={`/apps/${appId}/instances?jobId=${encodeURIComponent(instance.jobId)}`}>
          {t("actions.jobInstances")}
        </Link>
      </nav>
      <div className="page-header">
        <div className="instance-heading">
          <h1>{t("detail.title", { id: instance.id })}</h1>
          <StatusBadge status={status} />
          {!isFinal(status) && <span className="muted">{t("detail.polling")}</span>}
        </div>
        <div className="toolbar instance-toolbar">
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy || !canStop(status)}
            onClick={() => setConfirmStop(true)}
          >
            {t("actions.stop")}
          </button>
          <button
            type="button"
            className="btn"
            disabled={busy || !canCancel(status)}
            onClick={() => action.run(instance.id, "cancel")}
          >
            {t("actions.cancel")}
          </button>
          <button
            type="button"
            className="btn"
            disabled={busy || !canRetry(status)}
            onClick={() => action.run(instance.id, "retry")}
          >
            {t("actions.retry")}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => setRunAgain(true)}>
            {t("actions.runAgain")}
          </button>
          <Link className="btn" to={`/apps/${appId}/jobs/${instance.jobId}`}>
            {t("actions.editJob")}
          </Link>
        </div>
      </div>
      <ActionFeedback feedback={action.feedback} onDismiss={action.dismiss} />
      {query.error && <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />}
      <p className="muted">{t("detail.zone", { zone: browserTimeZone() })}</p>
      <div className="stack">
        <InstanceFields appId={appId} instance={instance} jobName={job.data?.name} />
        {distributed && <InstanceProgressCard progress={instance} />}
        <LogPanel key={instance.id} instanceId={instance.id} live={!isFinal(status)} />
      </div>
      {confirmStop && (
        <ConfirmStop
          id={instance.id}
          onClose={() => setConfirmStop(false)}
          onConfirm={() => action.run(instance.id, "stop")}
        />
      )}
      {runAgain && (
        <RunAgainDialog
          appId={appId}
          jobId={instance.jobId}
          jobName={jobName}
          params={instance.instanceParams}
          onClose={() => setRunAgain(false)}
        />
      )}
    </section>
  );
}
