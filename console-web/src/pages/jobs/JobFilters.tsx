// The list's search box and filters; the name search waits for a pause in
// typing before it changes the URL.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { EXECUTE_TYPES, PAGE_SIZES, PROCESSOR_TYPES, SORTS, TIME_EXPRESSION_TYPES } from "./enums";
import type { FilterKey, ListParams } from "./listParams";

function useDebouncedInput(value: string, commit: (v: string) => void, ms = 300) {
  const [text, setText] = useState(value);
  const commitRef = useRef(commit);
  useEffect(() => {
    commitRef.current = commit;
  });
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => commitRef.current(text), ms);
    return () => clearTimeout(timer);
  }, [text, value, ms]);
  return [text, setText] as const;
}

export function JobFilters({ params }: { params: ListParams }) {
  const { t } = useTranslation("jobs");
  const { values, update, clear, filtered } = params;
  const [name, setName] = useDebouncedInput(values.name, (v) => update("name", v));
  const [tag, setTag] = useDebouncedInput(values.tag, (v) => update("tag", v));

  const select = (key: FilterKey, label: string, options: { value: string; label: string }[]) => (
    <label className="jobs-filter">
      <span>{label}</span>
      <select value={values[key]} onChange={(e) => update(key, e.target.value)}>
        <option value="">{t("list.any")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div role="search" className="toolbar jobs-filters" aria-label={t("list.filters")}>
      <label className="jobs-filter">
        <span>{t("list.searchName")}</span>
        <input type="search" value={name} placeholder={t("list.searchPlaceholder")} onChange={(e) => setName(e.target.value)} />
      </label>
      {select("enabled", t("list.filterEnabled"), [
        { value: "true", label: t("list.enabledOnly") },
        { value: "false", label: t("list.disabledOnly") },
      ])}
      {select(
        "timeExpressionType",
        t("list.filterSchedule"),
        TIME_EXPRESSION_TYPES.map((v) => ({ value: v, label: t(`enums.timeExpressionType.${v}`) })),
      )}
      {select("executeType", t("list.filterExecute"), EXECUTE_TYPES.map((v) => ({ value: v, label: t(`enums.executeType.${v}`) })))}
      {select(
        "processorType",
        t("list.filterProcessor"),
        PROCESSOR_TYPES.map((v) => ({ value: v, label: t(`enums.processorType.${v}`) })),
      )}
      <label className="jobs-filter">
        <span>{t("list.filterTag")}</span>
        <input value={tag} onChange={(e) => setTag(e.target.value)} size={10} />
      </label>
      <label className="jobs-filter">
        <span>{t("list.sort")}</span>
        <select value={values.sort} onChange={(e) => update("sort", e.target.value)}>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`list.sorts.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="jobs-filter">
        <span>{t("list.pageSize")}</span>
        <select value={values.size} onChange={(e) => update("size", e.target.value)}>
          {PAGE_SIZES.map((s) => (
            <option key={s} value={String(s)}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {filtered && (
        <button type="button" className="btn btn-ghost" onClick={clear}>
          {t("list.clearFilters")}
        </button>
      )}
    </div>
  );
}
