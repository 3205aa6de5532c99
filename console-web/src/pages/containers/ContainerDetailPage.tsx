// One container: its versions (deploy, roll back, delete), the deployment
// and how it stands on each worker (polled every 2 s while a worker is
// still fetching), a new upload, the git source, builds with a live log,
// and the deployment history.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { useAppId } from "../../components/useCurrentApp";
import { BuildsSection } from "./BuildsSection";
import { containerKeys, getContainer } from "./containersApi";
import { DeleteContainer } from "./DeleteContainer";
import { DeploymentHistory } from "./DeploymentHistory";
import { DeploymentStatus } from "./DeploymentStatus";
import { isWorkerFinal, shortDigest } from "./model";
import { SourceSection } from "./SourceSection";
import { UploadPanel } from "./UploadPanel";
import { useBuildsEnabled } from "./useBuildsEnabled";
import { VersionsSection } from "./VersionsSection";
import "./containers.css";

export const POLL_MS = 2000;
/** How long workers are watched after the page opens or a deployment. */
const WATCH_MS = 5 * 60_000;

export function ContainerDetailPage() {
  const appId = useAppId();
  const { name = "" } = useParams();
  const { t } = useTranslation("containers");
  const client = useQueryClient();
  const buildsEnabled = useBuildsEnabled();
  const [watchUntil, setWatchUntil] = useState(() => Date.now() + WATCH_MS);
  const [saved, setSaved] = useState<string | null>(null);
  const watch = useCallback(() => setWatchUntil(Date.now() + WATCH_MS), []);
  // Re-render when the watch ends, so the page stops saying it polls.
  const [, setExpired] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => setExpired((n) => n + 1), Math.max(0, watchUntil - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [watchUntil]);

  const detail = useQuery({
    queryKey: containerKeys.detail(appId, name),
    queryFn: () => getContainer(appId, name),
    refetchInterval: (q) => {
      const workers = q.state.data?.workers ?? [];
      const waiting = Boolean(q.state.data?.deployment) && workers.some((w) => !isWorkerFinal(w.state));
      return waiting && Date.now() < watchUntil ? POLL_MS : false;
    },
  });
  const d = detail.data;
  const polling =
    Boolean(d?.deployment) && (d?.workers ?? []).some((w) => !isWorkerFinal(w.state)) && Date.now() < watchUntil;
  const back = (
    <Link to={`/apps/${appId}/containers`} className="back-link">
      ← {t("detail.back")}
    </Link>
  );

  if (detail.isPending) return <Loading />;
  if (!d) {
    const missing = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <section className="page">
        {back}
        <h1 className="containers-title">{name}</h1>
        {missing ? (
          <EmptyState title={t("detail.notFound", { name })} />
        ) : (
          <ErrorBanner error={detail.error} onRetry={() => void detail.refetch()} />
        )}
      </section>
    );
  }

  return (
    <section className="page" aria-labelledby="container-title">
      {back}
      <div className="page-header">
        <h1 id="container-title" className="containers-title">
          {d.name}
        </h1>
        <DeleteContainer appId={appId} detail={d} />
      </div>
      <ErrorBanner error={detail.error} onRetry={() => void detail.refetch()} />
      <dl className="containers-summary card">
        <div>
          <dt>{t("detail.deployedVersion")}</dt>
          <dd>{d.deployedLabel ? <span className="tag mono">{d.deployedLabel}</span> : t("list.notDeployed")}</dd>
        </div>
        <div>
          <dt>{t("detail.digest")}</dt>
          <dd className="mono" title={d.deployedDigest ?? undefined}>
            {shortDigest(d.deployedDigest)}
          </dd>
        </div>
        <div>
          <dt>{t("detail.versions")}</dt>
          <dd>{d.versions.length}</dd>
        </div>
        <div>
          <dt>{t("detail.updated")}</dt>
          <dd>{formatTime(d.updatedAt)}</dd>
        </div>
        <div>
          <dt>{t("detail.created")}</dt>
          <dd>{formatTime(d.createdAt)}</dd>
        </div>
        <div>
          <dt>{t("detail.jobsName")}</dt>
          <dd>
            <code>{d.name}</code> <span className="muted">{t("detail.orPinned", { name: d.name })}</span>
          </dd>
        </div>
      </dl>
      <div className="stack">
        <DeploymentStatus
          detail={d}
          polling={polling}
          refreshing={detail.isFetching}
          onRefresh={() => {
            watch();
            void detail.refetch();
          }}
        />
        <VersionsSection appId={appId} detail={d} onDeployed={watch} />
        <div className="grid-2">
          <section className="card" aria-labelledby="new-version-title">
            <h2 id="new-version-title">{t("upload.newVersion")}</h2>
            {saved && (
              <p className="banner banner-ok" role="status">
                {saved}
              </p>
            )}
            <UploadPanel
              appId={appId}
              fixedName={d.name}
              onSaved={(version) => {
                setSaved(t("upload.savedAs", { label: version.label }));
                watch();
                void client.invalidateQueries({ queryKey: containerKeys.detail(appId, d.name) });
                void client.invalidateQueries({ queryKey: containerKeys.list(appId) });
              }}
            />
          </section>
          <SourceSection appId={appId} name={d.name} buildsEnabled={buildsEnabled} />
        </div>
        <BuildsSection appId={appId} name={d.name} onFinished={watch} />
        <DeploymentHistory appId={appId} detail={d} />
      </div>
    </section>
  );
}
