// The worker table: the workers page shows every column and sorts by its
// headers; the dashboard shows a summary of the same rows.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { DeployedList, HealthCell, ResourcesCell, TagList, WorkerCell, type DeployedVersion } from "./WorkerCells";
import type { Sort, SortKey, Worker } from "./workerModel";

/** The worker column shows the tags too. */
export type Column = "worker" | "health" | "resources" | "maxTasks" | "processorTypes" | "deployed";

/** The sort keys each header offers, and their labels' keys. */
const SORTS: Partial<Record<Column, { key: SortKey; label: "column.worker" | "column.health" | "column.cpu" | "column.memory" | "column.disk" }[]>> = {
  worker: [{ key: "address", label: "column.worker" }],
  health: [{ key: "health", label: "column.health" }],
  resources: [
    { key: "cpu", label: "column.cpu" },
    { key: "memory", label: "column.memory" },
    { key: "disk", label: "column.disk" },
  ],
};

export interface WorkersTableProps {
  workers: Worker[];
  columns: Column[];
  now: number;
  label: string;
  /** The app the page is about: its workers say "this app". */
  appId?: string;
  appNames?: Map<string, string>;
  deployments?: Map<string, DeployedVersion[]>;
  /** Show when each worker registered (the full registry). */
  detailed?: boolean;
  sort?: Sort;
  onSort?: (key: SortKey) => void;
}

export function WorkersTable(props: WorkersTableProps) {
  const { t } = useTranslation("workers");
  const { workers, columns } = props;
  return (
    <div className="table-scroll">
      <table className="table workers-table" aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <Header key={column} column={column} sort={props.sort} onSort={props.onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <tr key={w.id} className={w.alive ? undefined : "worker-offline"} data-worker={w.address}>
              {columns.map((column) => (
                <td key={column} className={`col-${column}`}>
                  {cell(column, w, props, t)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Header({ column, sort, onSort }: { column: Column; sort?: Sort; onSort?: (key: SortKey) => void }) {
  const { t } = useTranslation("workers");
  const sorts = SORTS[column];
  if (!sorts || !onSort) return <th className={`col-${column}`}>{t(`column.${column}`)}</th>;
  const active = sorts.find((s) => s.key === sort?.key);
  const ariaSort = active && sort ? (sort.descending ? "descending" : "ascending") : undefined;
  return (
    <th className={`col-${column}`} aria-sort={ariaSort}>
      {column === "resources" && <span className="sr-only">{t("column.resources")}</span>}
      {sorts.map((s) => {
        const on = s.key === sort?.key;
        const label = t(s.label);
        return (
          <button
            key={s.key}
            type="button"
            className={`th-sort${on ? " th-sort-on" : ""}`}
            onClick={() => onSort(s.key)}
            title={t("sortBy", { column: label })}
          >
            {label}
            <span aria-hidden="true" className="th-sort-mark">
              {on ? (sort?.descending ? "▼" : "▲") : "↕"}
            </span>
          </button>
        );
      })}
    </th>
  );
}

type T = ReturnType<typeof useTranslation<"workers">>["t"];

function appLabel(w: Worker, props: WorkersTableProps, t: T): string | null {
  if (!w.appId) return null;
  const name = props.appNames?.get(w.appId);
  if (w.appId === props.appId) return props.detailed ? (name ?? t("ownApp")) : null;
  return name ?? w.appId;
}

function cell(column: Column, w: Worker, props: WorkersTableProps, t: T): ReactNode {
  switch (column) {
    case "worker":
      return <WorkerCell worker={w} appLabel={appLabel(w, props, t)} />;
    case "health":
      return <HealthCell worker={w} now={props.now} registered={props.detailed} />;
    case "resources":
      return <ResourcesCell worker={w} />;
    case "maxTasks":
      return w.maxConcurrentTasks;
    case "processorTypes":
      return <TagList tags={w.processorTypes} className="tag tag-processor" />;
    case "deployed":
      return <DeployedList versions={props.deployments?.get(w.id)} />;
  }
}
