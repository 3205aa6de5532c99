// `/`: goes to the last app used, else the first; with no app at all, to
// the apps page, which offers to create one.
import { Navigate } from "react-router";
import { ErrorBanner, Loading } from "../../components/feedback";
import { LAST_APP_KEY } from "../../components/useCurrentApp";
import { useApps } from "../apps/appsApi";

export function HomePage() {
  const apps = useApps();
  if (apps.isPending) return <Loading />;
  if (apps.error) return <ErrorBanner error={apps.error} onRetry={() => void apps.refetch()} />;
  const last = localStorage.getItem(LAST_APP_KEY);
  const target = apps.data.find((a) => a.id === last) ?? apps.data[0];
  return <Navigate to={target ? `/apps/${target.id}/dashboard` : "/apps"} replace />;
}
