// A container's versions, newest first: label, digest, size, worlds,
// imports, where it came from, who made it and when, whether it is
// deployed; per version "Deploy" (or "Roll back" for an older one, or
// "Redeploy" for the deployed one) and "Delete".
import { useTranslation } from "react-i18next";
import { formatBytes, formatTime } from "../../components/format";
import type { ContainerVersion } from "./containersApi";
import { isRollback, shortDigest, versionSource } from "./model";
import { WorldTags } from "./WorldTags";

export type VersionAction = "deploy" | "rollback" | "redeploy" | "delete";

interface Props {
  name: string;
  versions: ContainerVersion[];
  busy: boolean;
  onAction: (action: VersionAction, version: ContainerVersion) => void;
}

function Source({ version }: { version: ContainerVersion }) {
  const { t } = useTranslation("containers");
  const source = versionSource(version);
  if (source.type !== "GIT") return <span className="badge badge-muted">{t("versions.upload")}</span>;
  return (
    <span title={source.url}>
      <span className="badge badge-busy">{t("versions.git")}</span>{" "}
      <code>{source.commit ? source.commit.slice(0, 10) : "—"}</code>
      {source.reference?.name && <div className="muted">{source.reference.name}</div>}
    </span>
  );
}

export function VersionsTable({ name, versions, busy, onAction }: Props) {
  const { t } = useTranslation("containers");
  return (
    <div className="table-scroll">
      <table className="table versions-table" aria-label={t("versions.title")}>
        <thead>
          <tr>
            <th scope="col">{t("versions.label")}</th>
            <th scope="col">{t("versions.digestSize")}</th>
            <th scope="col">{t("versions.worlds")}</th>
            <th scope="col">{t("versions.imports")}</th>
            <th scope="col">{t("versions.source")}</th>
            <th scope="col">{t("versions.created")}</th>
            <th scope="col" className="actions">
              {t("versions.actions")}
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const rollback = isRollback(v, versions);
            const deployAction: VersionAction = v.deployed ? "redeploy" : rollback ? "rollback" : "deploy";
            const holders = v.workers ?? [];
            return (
              <tr key={v.id} className={v.deployed ? "deployed" : undefined} data-testid={`version-${v.label}`}>
                <td className="version-label">
                  <span className="tag mono" title={v.label}>
                    {v.label.length > 16 ? `${v.label.slice(0, 12)}…` : v.label}
                  </span>
                  {v.deployed && <span className="badge badge-ok">{t("versions.deployed")}</span>}
                  <div className="muted mono version-ref" title={t("versions.pinHint")}>
                    {name}@{v.label}
                  </div>
                  {holders.length > 0 && (
                    <div className="muted" title={holders.join(", ")}>
                      {t("versions.onWorkers", { count: holders.length })}
                    </div>
                  )}
                </td>
                <td className="version-digest">
                  <code title={v.digest}>{shortDigest(v.digest)}</code>
                  <div className="muted">{formatBytes(v.sizeBytes)}</div>
                </td>
                <td>
                  <WorldTags worlds={v.worlds} />
                </td>
                <td>
                  {v.imports.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <details>
                      <summary>{t("versions.importCount", { count: v.imports.length })}</summary>
                      <ul className="containers-imports" aria-label={t("versions.importCount", { count: v.imports.length })} tabIndex={0}>
                        {v.imports.map((i) => (
                          <li key={i} className="mono">
                            {i}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
                <td>
                  <Source version={v} />
                </td>
                <td className="version-created">
                  {formatTime(v.createdAt)}
                  <div className="muted">{v.createdBy}</div>
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className={`btn btn-small${deployAction === "deploy" ? " btn-primary" : ""}`}
                    disabled={busy}
                    aria-label={t(`versions.${deployAction}Named`, { label: v.label })}
                    title={deployAction === "redeploy" ? t("versions.redeployHint") : undefined}
                    onClick={() => onAction(deployAction, v)}
                  >
                    {t(`versions.${deployAction}`)}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    disabled={busy || v.deployed}
                    aria-label={t("versions.deleteNamed", { label: v.label })}
                    title={v.deployed ? t("versions.deleteDeployedHint") : undefined}
                    onClick={() => onAction("delete", v)}
                  >
                    {t("versions.delete")}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
