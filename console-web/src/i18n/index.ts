// English and Chinese, switchable at any time; the choice is kept in the
// browser. One namespace per page, so each page's strings live beside the
// others in en/ and zh/ with the same keys (zh files are typed by en's).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import enCommon from "./en/common";
import enDashboard from "./en/dashboard";
import enJobs from "./en/jobs";
import enInstances from "./en/instances";
import enContainers from "./en/containers";
import enWorkers from "./en/workers";
import enApps from "./en/apps";
import zhCommon from "./zh/common";
import zhDashboard from "./zh/dashboard";
import zhJobs from "./zh/jobs";
import zhInstances from "./zh/instances";
import zhContainers from "./zh/containers";
import zhWorkers from "./zh/workers";
import zhApps from "./zh/apps";

export const LANGUAGES = ["en", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];
const LANGUAGE_KEY = "wasmjob.language";

export const resources = {
  en: { common: enCommon, dashboard: enDashboard, jobs: enJobs, instances: enInstances, containers: enContainers, workers: enWorkers, apps: enApps },
  zh: { common: zhCommon, dashboard: zhDashboard, jobs: zhJobs, instances: zhInstances, containers: zhContainers, workers: zhWorkers, apps: zhApps },
} as const;

function initialLanguage(): Language {
  const stored = typeof localStorage !== "undefined" ? localStorage.getItem(LANGUAGE_KEY) : null;
  if (stored === "en" || stored === "zh") return stored;
  const browser = typeof navigator !== "undefined" ? navigator.language : "en";
  return browser.toLowerCase().startsWith("zh") ? "zh" : "en";
}

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  fallbackLng: "en",
  defaultNS: "common",
  ns: Object.keys(resources.en),
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  void i18n.changeLanguage(language);
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
}

export default i18n;
