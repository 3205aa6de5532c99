// The dashboard's view of the workers that serve the app, with what each
// has of the deployed container versions.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorBanner, Loading, errorMessage } from "../../components/feedback";
import { useAppNames, useAppWorkers, useDeployments } from "../workers/queries";
import { StartWorkerHint } from "../workers/StartWorkerHint";
import { useNow } from "../workers/useNow";
import { sortWorkers } from "../workers/workerModel";
import { WorkersTable, type Column } from "../workers/WorkersTable";
import "../workers/workers.css";

const COLUMNS: Column[] = ["worker", "health", "resources", "processorTypes", "deployed"];

export function WorkersSummary({ appId, refreshMs }: { appId: string; refreshMs: number }) {
  const { t } = useTranslation("dashboard");
  const { t: tw } = useTranslation("workers");
  const workers = useAppWorkers(appId, refreshMs);
  const deployments = useDeployments(appId, refreshMs * 2);
  const appNames = useAppNames();
  const now = useNow();
  const list = sortWorkers(workers.data ?? [], { key: "health", descending: false });
  return (
    <section className="dashboard-section" aria-labelledby="workers-summary-title">
      <div className="section-header">
        <h2 id="workers-summary-title">{t("workers.title")}</h2>
        <Link to={`/apps/${encodeURIComponent(appId)}/workers`}>{t("workers.viewAll")}</Link>
      </div>
      <ErrorBanner error={workers.error} onRetry={() => void workers.refetch()} />
      {workers.isLoading && <Loading />}
      {workers.data &&
        (list.length === 0 ? (
          <StartWorkerHint appName={appNames.get(appId)} />
        ) : (
          <WorkersTable
            workers={list}
            columns={COLUMNS}
            now={now}
            label={tw("table")}
            appId={appId}
            appNames={appNames}
            deployments={deployments.byWorker}
          />
        ))}
      {deployments.error && list.length > 0 && (
        <div className="banner banner-error" role="alert">
          <strong>{tw("deploymentsError")}:</strong> {errorMessage(deployments.error)}
        </div>
      )}
    </section>
  );
}
