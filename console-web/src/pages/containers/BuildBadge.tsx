// Badges of the containers pages: a build's status and a worker's state
// of the deployed version, coloured and translated.
import { useTranslation } from "react-i18next";
import type { BuildStatus } from "./containersApi";
import { BUILD_TONE, WORKER_TONE } from "./model";

export function BuildBadge({ status }: { status: BuildStatus }) {
  const { t } = useTranslation("containers");
  return (
    <span className={`badge badge-${BUILD_TONE[status] ?? "muted"}`} data-status={status}>
      {t(`builds.status.${status}`, { defaultValue: status })}
    </span>
  );
}

export function WorkerStateBadge({ state }: { state: string }) {
  const { t } = useTranslation("containers");
  return (
    <span className={`badge badge-${WORKER_TONE[state] ?? "muted"}`} data-status={state}>
      {t(`workers.state.${state}` as "workers.state.READY", { defaultValue: state })}
    </span>
  );
}
