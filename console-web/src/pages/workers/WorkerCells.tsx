// The cells of a worker row, shared by the workers page and the dashboard.
import { useTranslation } from "react-i18next";
import { formatTime } from "../../components/format";
import { MetricBar } from "./MetricBar";
import { ageOf, formatGb, type Worker } from "./workerModel";

/** A container version deployed to a worker, as the container's detail reports it. */
export interface DeployedVersion {
  container: string;
  label: string;
  state: string;
  message: string;
}

/** The address, whose worker it is (the shared pool's, this app's or
 * another's), its version and its tags. */
export function WorkerCell({ worker, appLabel }: { worker: Worker; appLabel: string | null }) {
  const { t } = useTranslation("workers");
  return (
    <div className="worker-cell">
      <span className="mono worker-address">{worker.address}</span>
      <span className="worker-meta">
        {worker.appId ? (
          appLabel && <span className="badge badge-muted worker-app">{appLabel}</span>
        ) : (
          <span className="badge badge-busy">{t("shared")}</span>
        )}
        {worker.version && <span className="muted mono">{t("versionOf", { version: worker.version })}</span>}
      </span>
      {worker.tags.length > 0 && <TagList tags={worker.tags} label={t("column.tags")} />}
    </div>
  );
}

function ago(t: ReturnType<typeof useTranslation<"workers">>["t"], ms: number): string {
  const { unit, count } = ageOf(ms);
  return t(`age.${unit}`, { count });
}

export function HealthCell({ worker, now, registered }: { worker: Worker; now: number; registered?: boolean }) {
  const { t } = useTranslation("workers");
  return (
    <div className="worker-health">
      <span className={`badge ${worker.alive ? "badge-ok" : "badge-bad"}`} data-alive={worker.alive}>
        {worker.alive ? t("alive") : t("offline")}
      </span>
      <span className="muted worker-heartbeat" title={formatTime(worker.lastHeartbeat)}>
        {worker.lastHeartbeat > 0 ? t("heartbeatAgo", { age: ago(t, now - worker.lastHeartbeat) }) : t("none")}
      </span>
      {registered && worker.registeredAt > 0 && (
        <span className="muted worker-heartbeat" title={formatTime(worker.registeredAt)}>
          {t("registeredAgo", { age: ago(t, now - worker.registeredAt) })}
        </span>
      )}
    </div>
  );
}

export function CpuCell({ worker }: { worker: Worker }) {
  const { t } = useTranslation("workers");
  if (worker.cpuCores <= 0) return <span className="muted">{t("unknown")}</span>;
  const cores = Number.isInteger(worker.cpuCores) ? worker.cpuCores : Number(worker.cpuCores.toFixed(1));
  return (
    <MetricBar
      label={t("loadMeter")}
      fraction={worker.loadAverage / worker.cpuCores}
      text={`${t("cores", { count: cores })} · ${t("load", { load: worker.loadAverage.toFixed(2) })}`}
    />
  );
}

export function SpaceCell({ available, total, label }: { available: number; total: number; label: string }) {
  const { t } = useTranslation("workers");
  if (total <= 0) return <span className="muted">{t("unknown")}</span>;
  return (
    <MetricBar
      label={label}
      fraction={1 - available / total}
      text={t("free", { available: formatGb(available), total: formatGb(total) })}
    />
  );
}

export function TagList({ tags, className = "tag", label }: { tags: string[]; className?: string; label?: string }) {
  const { t } = useTranslation("workers");
  if (tags.length === 0) return <span className="muted">{t("none")}</span>;
  return (
    <span className="tag-list" role={label ? "list" : undefined} aria-label={label}>
      {tags.map((tag) => (
        <span key={tag} className={className} role={label ? "listitem" : undefined}>
          {tag}
        </span>
      ))}
    </span>
  );
}

/** CPU, memory and disk, one labelled bar each. */
export function ResourcesCell({ worker }: { worker: Worker }) {
  const { t } = useTranslation("workers");
  return (
    <div className="resources">
      <span className="resource-label">{t("column.cpu")}</span>
      <CpuCell worker={worker} />
      <span className="resource-label">{t("column.memory")}</span>
      <SpaceCell available={worker.memoryAvailableGb} total={worker.memoryTotalGb} label={t("memoryMeter")} />
      <span className="resource-label">{t("column.disk")}</span>
      <SpaceCell available={worker.diskAvailableGb} total={worker.diskTotalGb} label={t("diskMeter")} />
    </div>
  );
}

const DEPLOY_TONE: Record<string, string> = { READY: "ok", FETCHING: "busy", FAILED: "bad" };

export function DeployedList({ versions }: { versions: DeployedVersion[] | undefined }) {
  const { t } = useTranslation("workers");
  if (!versions || versions.length === 0) return <span className="muted">{t("none")}</span>;
  return (
    <ul className="deployed-list">
      {versions.map((v) => (
        <li key={v.container} title={v.message || undefined}>
          <code className="deployed-container">{v.container}</code>
          <span className="deployed-version">
            <code>@{v.label}</code>{" "}
            <span className={`badge badge-${DEPLOY_TONE[v.state] ?? "muted"}`} data-state={v.state}>
              {t(`deployState.${v.state}` as "deployState.READY", { defaultValue: v.state })}
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}
