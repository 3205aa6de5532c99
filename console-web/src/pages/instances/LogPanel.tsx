// The online log of an instance: tailed live while it runs, searchable
// (matches highlighted), filtered by level, following the bottom, and
// downloadable whole.
import { useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../../components/feedback";
import { readWholeLog } from "./instancesApi";
import { LogLineView } from "./LogLineView";
import { LEVEL_FILTERS, levelPasses, lineParts, lineText, matcher, saveText, type LevelFilter } from "./logText";
import { MAX_LINES, useLogTail } from "./useLogTail";

export function LogPanel({ instanceId, live }: { instanceId: string; live: boolean }) {
  const { t } = useTranslation("instances");
  const tail = useLogTail(instanceId, live);
  const [search, setSearch] = useState("");
  const [level, setLevel] = useState<LevelFilter>("ALL");
  const [follow, setFollow] = useState(true);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const view = useRef<HTMLDivElement>(null);
  const query = useDeferredValue(search);
  const re = useMemo(() => matcher(query), [query]);

  const shown = useMemo(
    () => tail.lines.filter((l) => levelPasses(l.level, level) && (!re || lineParts(l).some((p) => re.test(p)))),
    [tail.lines, level, re],
  );

  useLayoutEffect(() => {
    const el = view.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [shown, follow]);

  async function download() {
    setDownloading(true);
    setDownloadError(null);
    try {
      const lines = await readWholeLog(instanceId);
      saveText(`instance-${instanceId}.log`, lines.map(lineText).join("\n") + (lines.length ? "\n" : ""));
    } catch (e) {
      setDownloadError(e);
    } finally {
      setDownloading(false);
    }
  }

  const filtering = Boolean(re) || level !== "ALL";
  return (
    <section className="card log-panel" aria-labelledby="log-panel-title">
      <div className="log-header">
        <h2 id="log-panel-title">{t("log.title")}</h2>
        <span className="muted" role="status">
          {tail.complete ? t("log.complete") : live ? t("log.live") : t("log.loading")}
        </span>
      </div>
      <div className="toolbar log-toolbar">
        <label className="field-inline">
          <input
            type="search"
            aria-label={t("log.search")}
            placeholder={t("log.searchPlaceholder")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="field-inline">
          <span>{t("log.level")}</span>
          <select value={level} onChange={(e) => setLevel(e.target.value as LevelFilter)}>
            {LEVEL_FILTERS.map((l) => (
              <option key={l} value={l}>
                {t(`log.levels.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          {t("log.follow")}
        </label>
        <button type="button" className="btn btn-small" onClick={() => void download()} disabled={downloading}>
          {downloading ? t("log.downloading") : t("log.download")}
        </button>
        {filtering && (
          <span className="muted">{t("log.matches", { shown: shown.length, total: tail.lines.length })}</span>
        )}
      </div>
      {downloadError !== null && (
        <div className="banner banner-error" role="alert">
          <strong>{t("log.downloadFailed")}:</strong> {errorMessage(downloadError)}
        </div>
      )}
      {tail.failure && (
        <div className="banner banner-error" role="alert">
          <strong>{t("log.readFailed")}:</strong> {errorMessage(tail.failure.error)}
          {tail.failure.retrying && <> {t("log.retrying")}</>}
        </div>
      )}
      {tail.dropped > 0 && (
        <p className="banner banner-info">{t("log.capped", { max: MAX_LINES, dropped: tail.dropped })}</p>
      )}
      <div
        ref={view}
        className="log-view"
        data-testid="log-view"
        role="log"
        aria-live="off"
        aria-label={t("log.title")}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          if (follow && !atBottom) setFollow(false);
        }}
      >
        {shown.map((line) => (
          <LogLineView key={line.seq} line={line} re={re} />
        ))}
        {shown.length === 0 && (
          <p className="log-empty">
            {!tail.loaded
              ? t("log.loading")
              : filtering && tail.lines.length > 0
                ? t("log.noMatch")
                : live
                  ? t("log.waiting")
                  : t("log.empty")}
          </p>
        )}
      </div>
    </section>
  );
}
