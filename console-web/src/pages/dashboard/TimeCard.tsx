// The server's clock and time zone beside the browser's, both ticking, with
// a warning when they differ (CRON of jobs without a zone fire in the
// server's), and what the server is: version, artifact store, builds.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { systemInfo } from "../../api/console";
import { browserTimeZone } from "../../components/format";
import { ErrorBanner, Loading } from "../../components/feedback";
import { useNow } from "../workers/useNow";
import { browserOffsetMinutes, clockSkewSeconds, formatInZone, formatOffset, splitDateTime } from "./timeModel";

const REFRESH_MS = 5000;

function Clock({ label, ms, zone, offset, testId }: { label: string; ms: number; zone: string; offset: number; testId: string }) {
  const { t } = useTranslation("dashboard");
  const { date, time } = splitDateTime(formatInZone(ms, zone, offset));
  return (
    <div className="clock" data-testid={testId}>
      <div className="clock-label">{label}</div>
      <div className="clock-time" aria-live="off">
        {time}
      </div>
      <div className="clock-date">{date}</div>
      <div className="clock-zone">
        <span className="sr-only">{t("time.zone")}: </span>
        <span className="clock-zone-name">{zone}</span> <span className="badge badge-muted">{formatOffset(offset)}</span>
      </div>
    </div>
  );
}

export function TimeCard() {
  const { t } = useTranslation("dashboard");
  const now = useNow();
  const info = useQuery({ queryKey: ["system", "info"], queryFn: systemInfo, refetchInterval: REFRESH_MS });
  const browserZone = browserTimeZone();
  const browserOffset = browserOffsetMinutes(now);
  const data = info.data;
  const serverNow = data ? data.serverTime + Math.max(0, now - info.dataUpdatedAt) : 0;
  const mismatch = data !== undefined && data.utcOffsetMinutes !== browserOffset;
  const skew = data ? clockSkewSeconds(data.serverTime, info.dataUpdatedAt) : null;

  return (
    <section className="card time-card" data-testid="time-card" aria-labelledby="time-card-title">
      <h2 id="time-card-title">{t("time.title")}</h2>
      <div className="time-card-body">
        <div className="clocks">
          {data ? (
            <Clock label={t("time.server")} ms={serverNow} zone={data.timeZone} offset={data.utcOffsetMinutes} testId="server-clock" />
          ) : (
            <div className="clock">{info.isLoading ? <Loading /> : <div className="clock-label">{t("time.server")}</div>}</div>
          )}
          <Clock label={t("time.browser")} ms={now} zone={browserZone} offset={browserOffset} testId="browser-clock" />
        </div>
        {data && (
          <dl className="system-facts">
            <dt>{t("time.version")}</dt>
            <dd className="mono">{data.version}</dd>
            <dt>{t("time.artifactStore")}</dt>
            <dd className="mono">{data.artifactStore}</dd>
            <dt>{t("time.builds")}</dt>
            <dd>
              <span className={`badge ${data.buildsEnabled ? "badge-ok" : "badge-muted"}`}>
                {data.buildsEnabled ? t("time.buildsOn") : t("time.buildsOff")}
              </span>
            </dd>
          </dl>
        )}
      </div>
      {data && mismatch && (
        <div className="banner banner-warn time-warning" data-testid="time-zone-mismatch">
          {t("time.mismatch", {
            server: data.timeZone,
            serverOffset: formatOffset(data.utcOffsetMinutes),
            browser: browserZone,
            browserOffset: formatOffset(browserOffset),
          })}
        </div>
      )}
      {skew !== null && (
        <div className="banner banner-warn time-warning" data-testid="clock-skew">
          {skew > 0 ? t("time.skewAhead", { seconds: skew }) : t("time.skewBehind", { seconds: -skew })}
        </div>
      )}
      <ErrorBanner error={info.error} onRetry={() => void info.refetch()} />
    </section>
  );
}
