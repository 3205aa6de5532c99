import { useTranslation } from "react-i18next";

export function ContainersPage() {
  const { t } = useTranslation("containers");
  return (
    <section className="page">
      <h1>{t("title")}</h1>
    </section>
  );
}
