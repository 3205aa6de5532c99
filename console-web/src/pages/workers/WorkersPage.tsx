// The worker registry: every worker that serves the app (and, for
// administrators, every worker of every app), refreshed every 3 seconds,
// with its health, machine metrics, tags and processor types.
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { EmptyState, ErrorBanner, Loading, errorMessage } from "../../components/feedback";
import { useAppId } from "../../components/useCurrentApp";
import { useAllWorkers, useAppNames, useAppWorkers, useDeployments } from "./queries";
import { StartWorkerHint } from "./StartWorkerHint";
import { useNow } from "./useNow";
import { matchesFilter, sortWorkers, type Sort, type SortKey } from "./workerModel";
import { WorkersTable, type Column } from "./WorkersTable";
import { WorkersToolbar, type Scope } from "./WorkersToolbar";
import "./workers.css";

const REFRESH_MS = 3000;
const SORT_KEYS: SortKey[] = ["health", "address", "cpu", "memory", "disk"];

function readSort(value: string | null): Sort {
  const descending = value?.startsWith("-") ?? false;
  const key = (value ?? "").replace(/^-/, "") as SortKey;
  return SORT_KEYS.includes(key) ? { key, descending } : { key: "health", descending: false };
}

export function WorkersPage() {
  const { t } = useTranslation("workers");
  const { t: tc } = useTranslation();
  const appId = useAppId();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const isAdmin = me?.admin === true;
  const scope: Scope = isAdmin && params.get("scope") === "all" ? "all" : "app";
  const filter = params.get("q") ?? "";
  const showOffline = params.get("offline") === "1";
  const sort = readSort(params.get("sort"));

  const appWorkers = useAppWorkers(appId, REFRESH_MS, scope === "app");
  const allWorkers = useAllWorkers(REFRESH_MS, scope === "all");
  const query = scope === "all" ? allWorkers : appWorkers;
  const deployments = useDeployments(appId, REFRESH_MS * 3);
  const appNames = useAppNames();
  const now = useNow();

  function update(name: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value === null || value === "") next.delete(name);
    else next.set(name, value);
    setParams(next, { replace: true });
  }
  function onSort(key: SortKey) {
    const descending = sort.key === key ? !sort.descending : false;
    update("sort", key === "health" && !descending ? null : `${descending ? "-" : ""}${key}`);
  }

  const workers = query.data ?? [];
  const alive = workers.filter((w) => w.alive).length;
  const hiddenOffline = showOffline ? 0 : workers.length - alive;
  const shown = sortWorkers(
    workers.filter((w) => (showOffline || w.alive) && matchesFilter(w, filter)),
    sort,
  );
  const columns: Column[] = [
    "worker",
    "health",
    "resources",
    "maxTasks",
    "processorTypes",
    ...(scope === "app" ? (["deployed"] as Column[]) : []),
  ];

  return (
    <section className="page workers-page">
      <div className="page-header">
        <div>
          <h1>{t("title")}</h1>
          <p className="muted page-intro">{scope === "all" ? t("introAll") : t("intro")}</p>
        </div>
        <button type="button" className="btn" onClick={() => void query.refetch()}>
          {tc("actions.refresh")}
        </button>
      </div>
      <WorkersToolbar
        filter={filter}
        onFilter={(v) => update("q", v)}
        showOffline={showOffline}
        onShowOffline={(v) => update("offline", v ? "1" : null)}
        scope={scope}
        onScope={isAdmin ? (s) => update("scope", s === "all" ? "all" : null) : undefined}
      />
      <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />
      {query.isLoading && <Loading />}
      {query.data && (
        <>
          <p className="workers-summary" aria-live="polite">
            {t("summary", { alive, total: workers.length })}
            {hiddenOffline > 0 && <span className="muted"> · {t("offlineHidden", { count: hiddenOffline })}</span>}
          </p>
          {workers.length === 0 ? (
            <StartWorkerHint appName={appNames.get(appId)} />
          ) : shown.length === 0 ? (
            <EmptyState title={alive === 0 && !showOffline && !filter.trim() ? t("allOffline") : t("noMatch")} />
          ) : (
            <WorkersTable
              workers={shown}
              columns={columns}
              now={now}
              label={t("table")}
              appId={appId}
              appNames={appNames}
              deployments={deployments.byWorker}
              detailed
              sort={sort}
              onSort={onSort}
            />
          )}
          {scope === "app" && deployments.error && workers.length > 0 && (
            <div className="banner banner-error" role="alert">
              <strong>{t("deploymentsError")}:</strong> {errorMessage(deployments.error)}
            </div>
          )}
        </>
      )}
    </section>
  );
}
