// A container's git source (credentials only as "set" / "not set"), with
// "Edit source", "Build now" and "Build a revision…".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { ErrorBanner, Loading } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { BuildRevisionDialog } from "./BuildRevisionDialog";
import { containerKeys, getSource, startBuild, type Build } from "./containersApi";
import { GitSourceDialog } from "./GitSourceDialog";

interface Props {
  appId: string;
  name: string;
  buildsEnabled: boolean | undefined;
}

export function SourceSection({ appId, name, buildsEnabled }: Props) {
  const { t } = useTranslation("containers");
  const client = useQueryClient();
  const [, setSearch] = useSearchParams();
  const [editing, setEditing] = useState(false);
  const [revision, setRevision] = useState(false);
  const [deploy, setDeploy] = useState(true);
  const source = useQuery({
    queryKey: containerKeys.source(appId, name),
    queryFn: async () => {
      try {
        return await getSource(appId, name);
      } catch (e) {
        // No source yet is a state of its own, not an error.
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  const started = (build: Build) => {
    void client.invalidateQueries({ queryKey: containerKeys.builds(appId, name) });
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set("build", build.id);
      return next;
    }, { replace: true });
  };
  const build = useMutation({
    mutationFn: (body: Schemas["BuildRequest"]) => startBuild(appId, name, body),
    onSuccess: started,
  });
  const s = source.data;
  const disabled = buildsEnabled === false;

  return (
    <section className="card" aria-labelledby="source-title">
      <h2 id="source-title">{t("source.title")}</h2>
      {source.isPending && <Loading />}
      <ErrorBanner error={source.error} onRetry={() => void source.refetch()} />
      {disabled && <p className="banner banner-info">{t("source.buildsDisabled")}</p>}
      {source.isSuccess && !s && <p className="muted">{t("source.none")}</p>}
      {s && (
        <dl className="containers-facts" data-testid="git-source">
          <dt>{t("source.url")}</dt>
          <dd className="mono containers-digest">{s.url}</dd>
          <dt>{t("source.reference")}</dt>
          <dd>
            {t(`source.refKinds.${s.reference.kind}`)} <code>{s.reference.name}</code>
          </dd>
          <dt>{t("source.path")}</dt>
          <dd className="mono">{s.path || t("source.root")}</dd>
          <dt>{t("source.builder")}</dt>
          <dd>{t(`source.builders.${s.builder}`)}</dd>
          <dt>{t("source.credentials")}</dt>
          <dd>
            {s.credentials ? (
              <>
                <span className="badge badge-ok">{t("source.credentialsSet")}</span>{" "}
                <span className="muted">
                  {t(`source.kinds.${s.credentials.kind}` as "source.kinds.PASSWORD", { defaultValue: s.credentials.kind })} ·{" "}
                  {s.credentials.username}
                </span>
              </>
            ) : (
              <span className="badge badge-muted">{t("source.credentialsNotSet")}</span>
            )}
          </dd>
          <dt>{t("source.updated")}</dt>
          <dd>
            {formatTime(s.updatedAt)} <span className="muted">{s.updatedBy}</span>
          </dd>
        </dl>
      )}
      {source.isSuccess && (
        <div className="toolbar source-actions">
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            {s ? t("source.edit") : t("source.set")}
          </button>
          {s && (
            <>
              <button
                type="button"
                className="btn btn-primary"
                disabled={disabled || build.isPending}
                onClick={() => build.mutate({ deploy })}
              >
                {build.isPending ? t("builds.starting") : t("builds.buildNow")}
              </button>
              <label className="field-inline containers-inline">
                <input type="checkbox" checked={deploy} onChange={(e) => setDeploy(e.target.checked)} />
                <span>{t("source.deployBuilt")}</span>
              </label>
              <button type="button" className="btn btn-ghost" disabled={disabled} onClick={() => setRevision(true)}>
                {t("builds.revision")}
              </button>
            </>
          )}
        </div>
      )}
      <ErrorBanner error={build.error} />
      {editing && (
        <GitSourceDialog
          appId={appId}
          name={name}
          source={s}
          buildsEnabled={buildsEnabled}
          onClose={() => setEditing(false)}
          onDone={(_, started_) => {
            setEditing(false);
            if (started_) started(started_);
          }}
        />
      )}
      {revision && s && (
        <BuildRevisionDialog
          appId={appId}
          name={name}
          source={s}
          onClose={() => setRevision(false)}
          onStarted={(b) => {
            setRevision(false);
            started(b);
          }}
        />
      )}
    </section>
  );
}
