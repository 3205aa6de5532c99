// An app's containers: name (to its page), the deployed version, last change.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatTime } from "../../components/format";
import type { Container } from "./containersApi";
import { shortDigest } from "./model";

export function ContainersTable({ appId, containers }: { appId: string; containers: Container[] }) {
  const { t } = useTranslation("containers");
  return (
    <table className="table" aria-label={t("list.title")}>
      <thead>
        <tr>
          <th scope="col">{t("list.name")}</th>
          <th scope="col">{t("list.deployed")}</th>
          <th scope="col">{t("list.digest")}</th>
          <th scope="col">{t("list.updated")}</th>
          <th scope="col">{t("list.created")}</th>
        </tr>
      </thead>
      <tbody>
        {containers.map((c) => (
          <tr key={c.id}>
            <td>
              <Link to={`/apps/${appId}/containers/${encodeURIComponent(c.name)}`} className="mono containers-name">
                {c.name}
              </Link>
            </td>
            <td>
              {c.deployedLabel ? (
                <span className="tag mono">{c.deployedLabel}</span>
              ) : (
                <span className="badge badge-muted">{t("list.notDeployed")}</span>
              )}
            </td>
            <td className="mono" title={c.deployedDigest ?? undefined}>
              {shortDigest(c.deployedDigest)}
            </td>
            <td>{formatTime(c.updatedAt)}</td>
            <td>{formatTime(c.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
