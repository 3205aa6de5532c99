// An app's dashboard, refreshed every 5 seconds: the server's time beside
// the browser's, the app's numbers, its newest failures and its workers.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { appOverview } from "../../api/console";
import { ErrorBanner, Loading } from "../../components/feedback";
import { useAppId } from "../../components/useCurrentApp";
import { useAppNames } from "../workers/queries";
import { RecentFailures } from "./RecentFailures";
import { StatCards } from "./StatCards";
import { TimeCard } from "./TimeCard";
import { WorkersSummary } from "./WorkersSummary";
import "./dashboard.css";

const REFRESH_MS = 5000;

export function DashboardPage() {
  const { t } = useTranslation("dashboard");
  const appId = useAppId();
  const appName = useAppNames().get(appId);
  const overview = useQuery({
    queryKey: ["overview", appId],
    queryFn: () => appOverview(appId),
    refetchInterval: REFRESH_MS,
  });
  return (
    <section className="page dashboard-page">
      <div className="page-header">
        <div>
          <h1>
            {t("title")}
            {appName && <span className="muted dashboard-app"> · {appName}</span>}
          </h1>
          <p className="muted page-intro">{t("intro")}</p>
        </div>
      </div>
      <TimeCard />
      <ErrorBanner error={overview.error} onRetry={() => void overview.refetch()} />
      {overview.isLoading && <Loading />}
      {overview.data && (
        <>
          <StatCards appId={appId} overview={overview.data} />
          <RecentFailures appId={appId} failures={overview.data.recentFailures} />
        </>
      )}
      <WorkersSummary appId={appId} refreshMs={REFRESH_MS} />
    </section>
  );
}
