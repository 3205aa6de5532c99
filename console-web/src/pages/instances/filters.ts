// The list's filters live in the URL query string (shareable, kept on
// reload): jobId, status (one, or several separated by commas), from,
// to (Unix ms), page, size, sort.
import type { InstanceListQuery } from "./instancesApi";
import { statusFilter } from "./status";

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_SIZE = 20;

function int(value: string | null): number | undefined {
  if (value === null || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

export function readFilters(search: URLSearchParams): InstanceListQuery {
  const status = search.get("status");
  const size = int(search.get("size"));
  const sort = search.get("sort");
  return {
    jobId: search.get("jobId") || undefined,
    status: statusFilter(status),
    from: int(search.get("from")),
    to: int(search.get("to")),
    page: Math.max(0, int(search.get("page")) ?? 0),
    size: size && size >= 1 && size <= 500 ? size : DEFAULT_SIZE,
    sort: sort === "createdAt" ? "createdAt" : undefined,
  };
}

/** The query string of `query`, without defaults. */
export function writeFilters(query: InstanceListQuery): URLSearchParams {
  const out = new URLSearchParams();
  if (query.jobId) out.set("jobId", query.jobId);
  if (query.status) out.set("status", query.status);
  if (query.from !== undefined) out.set("from", String(query.from));
  if (query.to !== undefined) out.set("to", String(query.to));
  if (query.page > 0) out.set("page", String(query.page));
  if (query.size !== DEFAULT_SIZE) out.set("size", String(query.size));
  if (query.sort) out.set("sort", query.sort);
  return out;
}

export function rangeInvalid(query: InstanceListQuery): boolean {
  return query.from !== undefined && query.to !== undefined && query.from >= query.to;
}
