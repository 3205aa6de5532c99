// What a component is, before it is stored: its name, size and digest,
// the processor worlds it satisfies and what it asks the host for.
import { useTranslation } from "react-i18next";
import type { ComponentInspection } from "../../api/console";
import { formatBytes } from "../../components/format";
import { WorldTags } from "./WorldTags";

interface Props {
  file: File;
  report: ComponentInspection;
  /** The container the report's `existingVersion` is about. */
  inspectedFor?: string;
  /** The container name now chosen: the note applies only if it is the same. */
  name: string;
}

export function InspectResult({ file, report, inspectedFor, name }: Props) {
  const { t } = useTranslation("containers");
  const exports = report.exports ?? [];
  return (
    <section className="card inspect-result" data-testid="inspect-result" aria-label={t("inspect.title")}>
      <h3>{t("inspect.title")}</h3>
      <dl className="containers-facts">
        <dt>{t("inspect.file")}</dt>
        <dd className="mono">{file.name}</dd>
        <dt>{t("inspect.size")}</dt>
        <dd>
          {formatBytes(report.sizeBytes)} <span className="muted">({t("inspect.bytes", { count: report.sizeBytes })})</span>
        </dd>
        <dt>{t("inspect.digest")}</dt>
        <dd className="mono containers-digest">sha256:{report.digest}</dd>
        <dt>{t("inspect.worlds")}</dt>
        <dd>
          <WorldTags worlds={report.worlds} withKinds />
        </dd>
      </dl>
      <h4 className="inspect-subtitle">{t("inspect.imports", { count: report.imports.length })}</h4>
      <p className="field-hint">{t("inspect.importsHint")}</p>
      {report.imports.length > 0 ? (
        // Focusable: it scrolls when a component asks for many imports.
        <ul className="containers-imports" aria-label={t("inspect.importsList")} tabIndex={0}>
          {report.imports.map((i) => (
            <li key={i} className="mono">
              {i}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("inspect.noImports")}</p>
      )}
      {exports.length > 0 && (
        <details>
          <summary>{t("inspect.exports", { count: exports.length })}</summary>
          <ul className="containers-imports" aria-label={t("inspect.exports", { count: exports.length })} tabIndex={0}>
            {exports.map((e) => (
              <li key={e} className="mono">
                {e}
              </li>
            ))}
          </ul>
        </details>
      )}
      {report.existingVersion && inspectedFor && inspectedFor === name && (
        <p className="banner banner-info" role="status">
          {t("inspect.existing", { name: inspectedFor, label: report.existingVersion })}
        </p>
      )}
    </section>
  );
}
