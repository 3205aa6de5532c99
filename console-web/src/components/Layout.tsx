// The frame of every page after login: a side navigation (the app's
// sections, then the apps page), the top bar with the namespace/app
// switcher, the language switch and the user menu. The page itself is
// fetched on first use: shown loading meanwhile, and with its error if it
// cannot be fetched or shown.
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { LANGUAGES, setLanguage, type Language } from "../i18n";
import { AppSwitcher } from "./AppSwitcher";
import { Loading } from "./feedback";
import { PageBoundary } from "./PageBoundary";
import { LAST_APP_KEY, useCurrentApp } from "./useCurrentApp";

const SECTIONS = ["dashboard", "jobs", "instances", "containers", "workers"] as const;

export function Layout() {
  const { t, i18n } = useTranslation();
  const { me, logout } = useAuth();
  const location = useLocation();
  // Pages outside an app (the apps page) keep the sections of the last one.
  const appId = useCurrentApp().appId ?? localStorage.getItem(LAST_APP_KEY) ?? undefined;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{" "}
          {t("product")}
        </div>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section}>
              {appId ? (
                <NavLink to={`/apps/${appId}/${section}`} className={({ isActive }) => (isActive ? "active" : "")}>
                  {t(`nav.${section}`)}
                </NavLink>
              ) : (
                <span className="disabled">{t(`nav.${section}`)}</span>
              )}
            </li>
          ))}
        </ul>
        <ul className="sidebar-settings">
          <li>
            <NavLink to="/apps" end className={({ isActive }) => (isActive ? "active" : "")}>
              {t("nav.apps")}
            </NavLink>
          </li>
        </ul>
      </nav>
      <div className="main-column">
        <header className="topbar">
          <AppSwitcher />
          <div className="topbar-right">
            <label>
              <span className="sr-only">{t("language.label")}</span>
              <select
                aria-label={t("language.label")}
                data-testid="language"
                value={i18n.language.startsWith("zh") ? "zh" : "en"}
                onChange={(e) => setLanguage(e.target.value as Language)}
              >
                {LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {t(`language.${l}`)}
                  </option>
                ))}
              </select>
            </label>
            {me && <span className="user">{t("user.signedInAs", { name: me.name })}</span>}
            <button type="button" className="btn btn-ghost" onClick={() => void logout()}>
              {t("user.logout")}
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <PageBoundary resetKey={location.pathname}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </PageBoundary>
        </main>
      </div>
    </div>
  );
}
