// The list's search, filters, order and page, kept in the URL's query
// string (so a filtered list can be bookmarked and shared).
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { EXECUTE_TYPES, PAGE_SIZES, PROCESSOR_TYPES, SORTS, TIME_EXPRESSION_TYPES } from "./enums";
import type { JobFilter, JobListQuery } from "./jobsApi";

export const FILTER_KEYS = ["name", "enabled", "timeExpressionType", "executeType", "processorType", "tag"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export const DEFAULT_SORT = "-createdAt";

export interface ListParams {
  /** The raw values of the URL, for the controls. */
  values: Record<FilterKey, string> & { sort: string; size: string };
  filter: JobFilter;
  query: JobListQuery;
  /** Sets one value; every change but the page's goes back to the first page. */
  update: (key: FilterKey | "sort" | "size" | "page", value: string) => void;
  clear: () => void;
  filtered: boolean;
}

/** `value` when it is one of `names` (the server refuses other values). */
function oneOf<T extends string>(names: readonly T[], value: string): T | undefined {
  return (names as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function useListParams(): ListParams {
  const [search, setSearch] = useSearchParams();
  const get = useCallback((key: string) => search.get(key) ?? "", [search]);

  const result = useMemo(() => {
    const values = {
      name: get("name"),
      enabled: ["true", "false"].includes(get("enabled")) ? get("enabled") : "",
      timeExpressionType: oneOf(TIME_EXPRESSION_TYPES, get("timeExpressionType")) ?? "",
      executeType: oneOf(EXECUTE_TYPES, get("executeType")) ?? "",
      processorType: oneOf(PROCESSOR_TYPES, get("processorType")) ?? "",
      tag: get("tag"),
      sort: (SORTS as readonly string[]).includes(get("sort")) ? get("sort") : DEFAULT_SORT,
      size: (PAGE_SIZES as readonly number[]).includes(Number(get("size"))) ? get("size") : String(PAGE_SIZES[0]),
    };
    const filter: JobFilter = {};
    if (values.name.trim()) filter.name = values.name.trim();
    if (values.enabled) filter.enabled = values.enabled === "true";
    if (values.tag.trim()) filter.tag = values.tag.trim();
    filter.timeExpressionType = oneOf(TIME_EXPRESSION_TYPES, values.timeExpressionType);
    filter.executeType = oneOf(EXECUTE_TYPES, values.executeType);
    filter.processorType = oneOf(PROCESSOR_TYPES, values.processorType);
    for (const key of ["timeExpressionType", "executeType", "processorType"] as const) {
      if (filter[key] === undefined) delete filter[key];
    }
    const page = Math.max(0, (Number.parseInt(get("page"), 10) || 1) - 1);
    const query: JobListQuery = { ...filter, sort: values.sort, page, size: Number(values.size) };
    return { values, filter, query, filtered: Object.keys(filter).length > 0 };
  }, [get]);

  const update = useCallback(
    (key: FilterKey | "sort" | "size" | "page", value: string) => {
      setSearch(
        (prev) => {
          const next = new URLSearchParams(prev);
          const isDefault = (key === "sort" && value === DEFAULT_SORT) || (key === "page" && value === "1");
          if (value && !isDefault) next.set(key, value);
          else next.delete(key);
          if (key !== "page") next.delete("page");
          return next;
        },
        { replace: true },
      );
    },
    [setSearch],
  );
  const clear = useCallback(() => {
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const key of [...FILTER_KEYS, "page"]) next.delete(key);
        return next;
      },
      { replace: true },
    );
  }, [setSearch]);

  return { ...result, update, clear };
}
