// Previous / next through the server's pages.
import { useTranslation } from "react-i18next";

interface Props {
  page: number;
  size: number;
  total: number;
  onPage: (page: number) => void;
}

/** `page` counts from 0, as the server does; people see it from 1. */
export function Pager({ page, size, total, onPage }: Props) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <nav className="toolbar pager" aria-label={t("pager.label")}>
      <button type="button" className="btn btn-small" disabled={page <= 0} onClick={() => onPage(page - 1)}>
        {t("pager.previous")}
      </button>
      <span>{t("pager.page", { page: page + 1, pages })}</span>
      <button type="button" className="btn btn-small" disabled={page + 1 >= pages} onClick={() => onPage(page + 1)}>
        {t("pager.next")}
      </button>
      <span className="muted">{t("pager.total", { count: total })}</span>
    </nav>
  );
}
