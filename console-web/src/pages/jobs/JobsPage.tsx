// The jobs of an app: search and filters (in the URL), the paged table,
// and the toolbar (new job, import, export all).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { useAppId } from "../../components/useCurrentApp";
import { ImportJobsDialog } from "./ImportJobsDialog";
import { JobFilters } from "./JobFilters";
import { jobKeys, listJobs } from "./jobsApi";
import { JobsTable } from "./JobsTable";
import { useListParams } from "./listParams";
import { Pager } from "../../components/Pager";
import { useExportAll } from "./useExportAll";
import "./jobs.css";

export function JobsPage() {
  const { t } = useTranslation("jobs");
  const { t: tc } = useTranslation();
  const appId = useAppId();
  const params = useListParams();
  const [importing, setImporting] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const exporter = useExportAll(appId);
  const list = useQuery({
    queryKey: jobKeys.list(appId, params.query),
    queryFn: () => listJobs(appId, params.query),
    placeholderData: keepPreviousData,
  });
  const data = list.data;
  const result = exporter.result;

  return (
    <section className="page jobs-page">
      <div className="page-header">
        <h1>{t("title")}</h1>
        <div className="toolbar">
          <Link to={`/apps/${appId}/jobs/new`} className="btn btn-primary">
            {t("list.newJob")}
          </Link>
          <button type="button" className="btn" onClick={() => setImporting(true)}>
            {t("list.import")}
          </button>
          <button
            type="button"
            className="btn"
            disabled={exporter.progress !== null}
            title={params.filtered ? t("list.exportAllFilteredHint") : undefined}
            onClick={() => void exporter.start(params.filter, params.query.sort)}
          >
            {t("list.exportAll")}
          </button>
        </div>
      </div>
      {exporter.progress && (
        <p className="banner banner-info" role="status">
          {t("list.exporting", { done: exporter.progress.done, total: exporter.progress.total })}
        </p>
      )}
      {result && "count" in result && (
        <p className="banner banner-ok" role="status">
          {result.count === 0
            ? t("list.nothingToExport")
            : params.filtered
              ? t("list.exportedFiltered", { count: result.count })
              : t("list.exported", { count: result.count })}{" "}
          <button type="button" className="btn btn-small btn-ghost" onClick={exporter.dismiss}>
            {tc("actions.dismiss")}
          </button>
        </p>
      )}
      {result && "error" in result && <ErrorBanner error={result.error} onDismiss={exporter.dismiss} />}
      {actionError !== null && <ErrorBanner error={actionError} onDismiss={() => setActionError(null)} />}
      <JobFilters params={params} />
      {list.isError && <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />}
      {list.isPending && <Loading />}
      {data && data.items.length === 0 && (
        <EmptyState title={params.filtered ? t("list.noMatch") : t("list.empty")}>
          {params.filtered ? (
            <button type="button" className="btn" onClick={params.clear}>
              {t("list.clearFilters")}
            </button>
          ) : (
            <p>{t("list.emptyHint")}</p>
          )}
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <div aria-busy={list.isFetching || undefined}>
          <JobsTable appId={appId} jobs={data.items} onError={setActionError} />
        </div>
      )}
      {data && (data.total > data.size || data.page > 0) && (
        <Pager page={data.page} size={data.size} total={data.total} onPage={(p) => params.update("page", String(p + 1))} />
      )}
      {importing && <ImportJobsDialog appId={appId} onClose={() => setImporting(false)} />}
    </section>
  );
}
