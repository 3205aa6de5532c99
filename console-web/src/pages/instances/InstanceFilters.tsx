// The list's filter bar: job, status, created-time range, order, page
// size and the auto-refresh switch.
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import type { InstanceListQuery } from "./instancesApi";
import { PAGE_SIZES, rangeInvalid } from "./filters";
import { STATUSES, STATUS_GROUPS, fromLocalInput, toLocalInput } from "./status";

interface Props {
  query: InstanceListQuery;
  jobs: Schemas["Job"][];
  onChange: (patch: Partial<InstanceListQuery>) => void;
  onClear: () => void;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
}

export function InstanceFilters({ query, jobs, onChange, onClear, autoRefresh, onAutoRefresh }: Props) {
  const { t } = useTranslation("instances");
  const { t: tc } = useTranslation();
  const badRange = rangeInvalid(query);
  const knownJob = !query.jobId || jobs.some((j) => j.id === query.jobId);
  const sorted = [...jobs].sort((a, b) => a.name.localeCompare(b.name));
  const filtered = Boolean(query.jobId || query.status || query.from !== undefined || query.to !== undefined);
  return (
    <div className="card instance-filters" role="search" aria-label={t("filters.label")}>
      <label className="field">
        <span>{t("filters.job")}</span>
        <select value={query.jobId ?? ""} onChange={(e) => onChange({ jobId: e.target.value || undefined })}>
          <option value="">{t("filters.allJobs")}</option>
          {!knownJob && <option value={query.jobId}>{t("filters.unknownJob", { id: query.jobId })}</option>}
          {sorted.map((j) => (
            <option key={j.id} value={j.id}>
              {j.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t("filters.status")}</span>
        <select value={query.status ?? ""} onChange={(e) => onChange({ status: e.target.value || undefined })}>
          <option value="">{t("filters.allStatuses")}</option>
          <option value={STATUS_GROUPS.unfinished}>{t("filters.unfinished")}</option>
          <option value={STATUS_GROUPS.waiting}>{t("filters.waiting")}</option>
          {isOtherGroup(query.status) && <option value={query.status}>{query.status}</option>}
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {tc(`status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t("filters.from")}</span>
        <input
          type="datetime-local"
          value={toLocalInput(query.from)}
          aria-invalid={badRange || undefined}
          aria-describedby={badRange ? "instances-range-error" : undefined}
          onChange={(e) => onChange({ from: fromLocalInput(e.target.value) })}
        />
      </label>
      <label className="field">
        <span>{t("filters.to")}</span>
        <input
          type="datetime-local"
          value={toLocalInput(query.to)}
          aria-invalid={badRange || undefined}
          aria-describedby={badRange ? "instances-range-error" : undefined}
          onChange={(e) => onChange({ to: fromLocalInput(e.target.value) })}
        />
      </label>
      <label className="field">
        <span>{t("filters.sort")}</span>
        <select value={query.sort ?? ""} onChange={(e) => onChange({ sort: e.target.value || undefined })}>
          <option value="">{t("filters.newest")}</option>
          <option value="createdAt">{t("filters.oldest")}</option>
        </select>
      </label>
      <label className="field">
        <span>{t("filters.pageSize")}</span>
        <select value={query.size} onChange={(e) => onChange({ size: Number(e.target.value) })}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <div className="instance-filters-end">
        <label className="field-inline" title={t("filters.autoRefreshHint")}>
          <input type="checkbox" checked={autoRefresh} onChange={(e) => onAutoRefresh(e.target.checked)} />
          {t("filters.autoRefresh")}
        </label>
        <button type="button" className="btn btn-ghost" onClick={onClear} disabled={!filtered}>
          {t("filters.clear")}
        </button>
      </div>
      {badRange && (
        <p className="field-error instance-filters-error" id="instances-range-error" role="alert">
          {t("filters.rangeError")}
        </p>
      )}
    </div>
  );
}

/** A list of statuses from the URL that the select does not offer. */
function isOtherGroup(status: string | undefined): status is string {
  return Boolean(status?.includes(",")) && !Object.values(STATUS_GROUPS).some((g) => g === status);
}
