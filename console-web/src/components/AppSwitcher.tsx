// Namespace and app switcher of the top bar: picking an app moves to the
// same page of that app.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { useApps, useNamespaces } from "../pages/apps/appsApi";
import { useCurrentApp } from "./useCurrentApp";

export const NAMESPACE_KEY = "wasmjob.namespace";

export function AppSwitcher() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { appId } = useCurrentApp();
  const [namespaceId, setNamespaceId] = useState<string>(() => localStorage.getItem(NAMESPACE_KEY) ?? "");
  const namespaces = useNamespaces();
  const apps = useApps();
  const visible = (apps.data ?? []).filter((a) => !namespaceId || a.namespaceId === namespaceId);

  function chooseApp(id: string) {
    // Keep the section (jobs, instances, ...) but not a detail page's id.
    const section = location.pathname.split("/")[3] ?? "dashboard";
    navigate(`/apps/${id}/${section}`);
  }

  return (
    <div className="switcher">
      {(namespaces.data?.length ?? 0) > 0 && (
        <label>
          <span className="switcher-label">{t("app.namespace")}</span>
          <select
            value={namespaceId}
            onChange={(e) => {
              setNamespaceId(e.target.value);
              localStorage.setItem(NAMESPACE_KEY, e.target.value);
            }}
          >
            <option value="">{t("app.allNamespaces")}</option>
            {namespaces.data?.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span className="switcher-label">{t("app.label")}</span>
        <select aria-label={t("app.label")} value={appId ?? ""} onChange={(e) => chooseApp(e.target.value)}>
          {!appId && <option value="">{visible.length ? "—" : t("app.none")}</option>}
          {visible.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
          {appId && !visible.some((a) => a.id === appId) && apps.data?.find((a) => a.id === appId) && (
            <option value={appId}>{apps.data.find((a) => a.id === appId)?.name}</option>
          )}
        </select>
      </label>
    </div>
  );
}
