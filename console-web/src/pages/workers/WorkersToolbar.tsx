// Filter, offline toggle and (for administrators) the scope of the workers page.
import { useTranslation } from "react-i18next";

export type Scope = "app" | "all";

interface Props {
  filter: string;
  onFilter: (value: string) => void;
  showOffline: boolean;
  onShowOffline: (value: boolean) => void;
  scope: Scope;
  onScope?: (scope: Scope) => void;
}

export function WorkersToolbar({ filter, onFilter, showOffline, onShowOffline, scope, onScope }: Props) {
  const { t } = useTranslation("workers");
  return (
    <div className="toolbar workers-toolbar">
      <label>
        <span>{t("filter.label")}</span>
        <input
          type="search"
          value={filter}
          placeholder={t("filter.placeholder")}
          onChange={(e) => onFilter(e.target.value)}
          aria-label={t("filter.label")}
        />
      </label>
      <label>
        <input type="checkbox" checked={showOffline} onChange={(e) => onShowOffline(e.target.checked)} />
        <span>{t("showOffline")}</span>
      </label>
      {onScope && (
        <label>
          <span>{t("scope.label")}</span>
          <select value={scope} onChange={(e) => onScope(e.target.value as Scope)} aria-label={t("scope.label")}>
            <option value="app">{t("scope.app")}</option>
            <option value="all">{t("scope.all")}</option>
          </select>
        </label>
      )}
    </div>
  );
}
