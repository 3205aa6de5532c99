import { useTranslation } from "react-i18next";

export function WorkersPage() {
  const { t } = useTranslation("workers");
  return (
    <section className="page">
      <h1>{t("title")}</h1>
    </section>
  );
}
