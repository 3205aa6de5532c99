import { useTranslation } from "react-i18next";

export function JobEditorPage() {
  const { t } = useTranslation("jobs");
  return (
    <section className="page">
      <h1>{t("title")}</h1>
    </section>
  );
}
