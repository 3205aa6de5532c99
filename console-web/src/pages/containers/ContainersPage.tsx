// An app's containers (PowerJob's 容器管理): the list, an upload panel that
// shows what a component is before storing it, and "Create from git".
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { useAppId } from "../../components/useCurrentApp";
import { containerKeys, listContainers, type Build } from "./containersApi";
import { ContainersTable } from "./ContainersTable";
import { GitSourceDialog } from "./GitSourceDialog";
import { UploadPanel } from "./UploadPanel";
import { useBuildsEnabled } from "./useBuildsEnabled";
import "./containers.css";

export function ContainersPage() {
  const appId = useAppId();
  const { t } = useTranslation("containers");
  const { t: tc } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const buildsEnabled = useBuildsEnabled();
  const [filter, setFilter] = useState("");
  const [fromGit, setFromGit] = useState(false);
  const list = useQuery({ queryKey: containerKeys.list(appId), queryFn: () => listContainers(appId) });

  const open = (name: string, build?: Build | null) => {
    void client.invalidateQueries({ queryKey: containerKeys.all });
    const query = build ? `?build=${encodeURIComponent(build.id)}` : "";
    navigate(`/apps/${appId}/containers/${encodeURIComponent(name)}${query}`);
  };
  const all = list.data ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((c) => c.name.toLowerCase().includes(needle)) : all;

  return (
    <section className="page" aria-labelledby="containers-title">
      <div className="page-header">
        <h1 id="containers-title">{t("title")}</h1>
        <div className="toolbar containers-header-actions">
          <button type="button" className="btn" onClick={() => void list.refetch()} disabled={list.isFetching}>
            {tc("actions.refresh")}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => setFromGit(true)}
            title={buildsEnabled === false ? t("source.buildsDisabled") : undefined}
          >
            {t("list.fromGit")}
          </button>
        </div>
      </div>
      <p className="muted containers-intro">{t("list.intro")}</p>
      <div className="containers-layout">
        <div className="containers-main">
          {all.length > 0 && (
            <div className="toolbar">
              <label className="field-inline containers-inline">
                <span>{t("list.filter")}</span>
                <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </label>
              <span className="muted">{t("list.count", { count: all.length })}</span>
            </div>
          )}
          {list.isPending && <Loading />}
          <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />
          {list.isSuccess && all.length === 0 && (
            <EmptyState title={t("list.emptyTitle")}>
              <p>{t("list.emptyBody")}</p>
            </EmptyState>
          )}
          {all.length > 0 && shown.length === 0 && <EmptyState title={t("list.noMatch", { filter })} />}
          {shown.length > 0 && <ContainersTable appId={appId} containers={shown} />}
        </div>
        <aside className="card containers-upload" aria-labelledby="upload-title">
          <h2 id="upload-title">{t("upload.title")}</h2>
          <p className="field-hint">{t("upload.intro")}</p>
          <UploadPanel appId={appId} onSaved={(_, name) => open(name)} />
        </aside>
      </div>
      {fromGit && (
        <GitSourceDialog
          appId={appId}
          buildsEnabled={buildsEnabled}
          onClose={() => setFromGit(false)}
          onDone={(name, build) => {
            setFromGit(false);
            open(name, build);
          }}
        />
      )}
    </section>
  );
}
