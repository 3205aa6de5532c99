import { useTranslation } from "react-i18next";

export function InstanceDetailPage() {
  const { t } = useTranslation("instances");
  return (
    <section className="page">
      <h1>{t("title")}</h1>
    </section>
  );
}
