// `/apps`: every app the user can see, with its namespace and description;
// administrators create apps (their secret shown once), rotate a secret,
// edit a description, delete an app, and manage namespaces.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { NAMESPACE_KEY } from "../../components/AppSwitcher";
import { DeleteAppDialog, EditAppDialog, RotateSecretDialog } from "./AppDialogs";
import { useApps, useNamespaces, type App } from "./appsApi";
import { CreateAppDialog } from "./CreateAppDialog";
import { NamespacesSection } from "./NamespacesSection";
import "./apps.css";

type Open = { kind: "create" } | { kind: "edit" | "rotate" | "delete"; app: App } | null;

export function AppsPage() {
  const { t } = useTranslation("apps");
  const { me } = useAuth();
  const admin = me?.admin ?? false;
  const apps = useApps();
  const namespaces = useNamespaces();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const namespaceName = new Map((namespaces.data ?? []).map((n) => [n.id, n.name]));
  const list = apps.data ?? [];

  return (
    <section className="page apps-page">
      <div className="page-header">
        <div>
          <h1>{t("title")}</h1>
          <p className="muted page-intro">{t("intro")}</p>
        </div>
        {admin && (
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: "create" })}>
            {t("newApp")}
          </button>
        )}
      </div>
      {me && !admin && <p className="banner banner-info">{t("adminOnly")}</p>}
      <ErrorBanner error={apps.error} onRetry={() => void apps.refetch()} />
      <ErrorBanner error={namespaces.error} onRetry={() => void namespaces.refetch()} />
      {apps.isPending && <Loading />}
      {apps.isSuccess && list.length === 0 && (
        <EmptyState title={t("empty")}>
          <p>{t("emptyHint")}</p>
        </EmptyState>
      )}
      {list.length > 0 && (
        <table className="table apps-table" aria-label={t("title")}>
          <thead>
            <tr>
              <th scope="col">{t("columns.name")}</th>
              <th scope="col">{t("columns.namespace")}</th>
              <th scope="col">{t("columns.description")}</th>
              <th scope="col">{t("columns.created")}</th>
              <th scope="col" className="actions">
                {t("columns.actions")}
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((app) => (
              <tr key={app.id}>
                <td>
                  <Link to={`/apps/${app.id}/dashboard`}>{app.name}</Link>
                  <div className="muted mono">{app.id}</div>
                </td>
                <td>{app.namespaceId ? (namespaceName.get(app.namespaceId) ?? app.namespaceId) : "—"}</td>
                <td className="apps-description">{app.description || <span className="muted">—</span>}</td>
                <td>{formatTime(app.createdAt)}</td>
                <td className="actions">
                  <button type="button" className="btn btn-small" aria-label={t("actions.editOne", { name: app.name })} onClick={() => setOpen({ kind: "edit", app })}>
                    {t("actions.edit")}
                  </button>
                  <button type="button" className="btn btn-small" aria-label={t("actions.rotateOne", { name: app.name })} onClick={() => setOpen({ kind: "rotate", app })}>
                    {t("actions.rotate")}
                  </button>
                  {admin && (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={t("actions.deleteOne", { name: app.name })}
                      onClick={() => setOpen({ kind: "delete", app })}
                    >
                      {t("actions.delete")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {namespaces.data && <NamespacesSection namespaces={namespaces.data} apps={list} admin={admin} />}
      {open?.kind === "create" && (
        <CreateAppDialog namespaces={namespaces.data ?? []} namespaceId={localStorage.getItem(NAMESPACE_KEY) ?? undefined} onClose={close} />
      )}
      {open?.kind === "edit" && <EditAppDialog app={open.app} namespaces={admin ? (namespaces.data ?? []) : undefined} onClose={close} />}
      {open?.kind === "rotate" && <RotateSecretDialog app={open.app} onClose={close} />}
      {open?.kind === "delete" && <DeleteAppDialog app={open.app} onClose={close} />}
    </section>
  );
}
