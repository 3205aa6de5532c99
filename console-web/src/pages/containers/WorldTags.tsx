// The processor worlds a component satisfies, each as a tag with the
// execute type (PowerJob's ExecuteType) it serves.
import { useTranslation } from "react-i18next";
import { worldExecuteType, worldName } from "./model";

export function WorldTags({ worlds, withKinds = false }: { worlds: string[]; withKinds?: boolean }) {
  const { t } = useTranslation("containers");
  if (worlds.length === 0) return <span className="muted">—</span>;
  return (
    <span className="world-tags">
      {worlds.map((w) => {
        const kind = worldExecuteType(w);
        return (
          <span key={w} className="world-tag">
            <span className="tag mono" title={kind ? t("worlds.serves", { kind }) : undefined}>
              {worldName(w)}
            </span>
            {withKinds && kind && <span className="muted world-kind">{t("worlds.serves", { kind })}</span>}
          </span>
        );
      })}
    </span>
  );
}
