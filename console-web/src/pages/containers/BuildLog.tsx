// One build's log, tailed live until the build ends, with "Cancel build"
// while it is queued or running.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { ErrorBanner } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { cancelBuild, type Build, type BuildStatus } from "./containersApi";
import { BuildBadge } from "./BuildBadge";
import { isBuildFinal } from "./model";
import { useBuildLog } from "./useBuildLog";

interface Props {
  appId: string;
  name: string;
  build: Build;
  /** Told whenever the log's pages report a new status. */
  onStatus: (status: BuildStatus) => void;
}

export function BuildLog({ appId, name, build, onStatus }: Props) {
  const { t } = useTranslation("containers");
  const tail = useBuildLog(appId, name, build.id);
  const status = tail.status ?? build.status;
  const view = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const cancel = useMutation({
    mutationFn: () => cancelBuild(appId, name, build.id),
    onSuccess: (b) => onStatus(b.status),
  });

  useEffect(() => {
    if (tail.status) onStatus(tail.status);
  }, [tail.status, onStatus]);
  // Keep the newest line in view unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = view.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [tail.lines.length]);

  return (
    <section className="build-log-panel" aria-labelledby="build-log-title">
      <div className="build-log-header">
        <h3 id="build-log-title">
          {t("builds.logTitle", { id: build.id })} <BuildBadge status={status} />
        </h3>
        {!isBuildFinal(status) && (
          <button type="button" className="btn btn-danger btn-small" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? t("builds.cancelling") : t("builds.cancel")}
          </button>
        )}
      </div>
      <ErrorBanner error={cancel.error} />
      {build.message && isBuildFinal(status) && (
        <p className={`banner ${status === "FAILED" ? "banner-error" : "banner-ok"}`}>{build.message}</p>
      )}
      <div
        ref={view}
        className="log-view build-log"
        data-testid="build-log"
        role="log"
        aria-label={t("builds.logLabel")}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {tail.dropped > 0 && <span className="log-line muted">{t("builds.dropped", { count: tail.dropped })}</span>}
        {tail.lines.map((l) => (
          <span key={l.seq} className={`log-line build-stream-${l.stream}`} title={formatTime(l.time)}>
            {l.line}
          </span>
        ))}
        {tail.lines.length === 0 && (tail.complete || !tail.error) && (
          <span className="log-line muted">{tail.complete ? t("builds.logEmpty") : t("builds.logWaiting")}</span>
        )}
      </div>
      <p className="field-hint" role="status">
        {tail.complete ? t("builds.logComplete", { count: tail.lines.length + tail.dropped }) : t("builds.logFollowing")}
      </p>
      <ErrorBanner error={tail.error} onRetry={tail.retry} />
    </section>
  );
}
