// The app's instances (PowerJob's 运行记录): filters in the URL, paging,
// auto refresh while something is unfinished, and stop / cancel / retry.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { browserTimeZone } from "../../components/format";
import { useAppId } from "../../components/useCurrentApp";
import { ActionFeedback, ConfirmStop, useInstanceAction } from "./actions";
import { readFilters, rangeInvalid, writeFilters } from "./filters";
import { InstanceFilters } from "./InstanceFilters";
import { InstancesTable } from "./InstancesTable";
import { instanceKeys, listAppJobs, listInstances, type InstanceListQuery } from "./instancesApi";
import { Pager } from "../../components/Pager";
import { isFinal, type Instance } from "./status";
import "./instances.css";

const REFRESH_MS = 3000;

export function InstancesPage() {
  const appId = useAppId();
  const { t } = useTranslation("instances");
  const { t: tc } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const query = useMemo(() => readFilters(search), [search]);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [confirming, setConfirming] = useState<Instance | null>(null);
  const action = useInstanceAction();

  const jobs = useQuery({ queryKey: instanceKeys.jobs(appId), queryFn: () => listAppJobs(appId) });
  const jobNames = useMemo(() => new Map((jobs.data?.items ?? []).map((j) => [j.id, j.name])), [jobs.data]);
  const list = useQuery({
    queryKey: instanceKeys.list(appId, query),
    queryFn: () => listInstances(appId, query),
    enabled: !rangeInvalid(query),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      autoRefresh && (q.state.data?.items ?? []).some((i) => !isFinal(i.status)) ? REFRESH_MS : false,
  });

  function update(patch: Partial<InstanceListQuery>) {
    const page = "page" in patch ? (patch.page ?? 0) : 0;
    setSearch(writeFilters({ ...query, ...patch, page }));
  }

  const data = list.data;
  return (
    <section className="page instances-page">
      <div className="page-header">
        <div>
          <h1>{t("title")}</h1>
          <p className="muted page-subtitle">{t("subtitle", { zone: browserTimeZone() })}</p>
        </div>
        <button type="button" className="btn" onClick={() => void list.refetch()}>
          {tc("actions.refresh")}
        </button>
      </div>
      <InstanceFilters
        query={query}
        jobs={jobs.data?.items ?? []}
        onChange={update}
        onClear={() => setSearch(writeFilters({ page: 0, size: query.size, sort: query.sort }))}
        autoRefresh={autoRefresh}
        onAutoRefresh={setAutoRefresh}
      />
      <ActionFeedback feedback={action.feedback} onDismiss={action.dismiss} />
      {jobs.error && <ErrorBanner error={jobs.error} onRetry={() => void jobs.refetch()} />}
      {list.error && <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />}
      {list.isPending && !rangeInvalid(query) && <Loading />}
      {data && data.items.length === 0 && (
        <EmptyState title={t("list.empty")}>
          <p>{t("list.emptyHint")}</p>
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <>
          <InstancesTable
            appId={appId}
            items={data.items}
            jobNames={jobNames}
            pendingId={action.pendingId}
            onAction={(instance, kind) => (kind === "stop" ? setConfirming(instance) : action.run(instance.id, kind))}
          />
          <Pager page={data.page} size={data.size} total={data.total} onPage={(page) => update({ page })} />
        </>
      )}
      {confirming && (
        <ConfirmStop
          id={confirming.id}
          onClose={() => setConfirming(null)}
          onConfirm={() => action.run(confirming.id, "stop")}
        />
      )}
    </section>
  );
}
