// The versions table and its actions: deploy a newer version (at once),
// roll back to an older one or delete one (after asking), redeploy the
// deployed one (sends the prefetches again). The server's refusals show.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState, ErrorBanner } from "../../components/feedback";
import { containerKeys, deleteVersion, deployVersion, type ContainerDetail, type ContainerVersion } from "./containersApi";
import { ConfirmDialog } from "../../components/Dialog";
import { VersionsTable, type VersionAction } from "./VersionsTable";

interface Props {
  appId: string;
  detail: ContainerDetail;
  /** After a deployment: the page watches the workers again. */
  onDeployed: () => void;
}

type Pending = { action: "rollback" | "delete"; version: ContainerVersion };

export function VersionsSection({ appId, detail, onDeployed }: Props) {
  const { t } = useTranslation("containers");
  const client = useQueryClient();
  const name = detail.name;
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const refreshOthers = () => {
    void client.invalidateQueries({ queryKey: containerKeys.list(appId) });
    void client.invalidateQueries({ queryKey: containerKeys.deployments(appId, name) });
  };
  const deploy = useMutation({
    mutationFn: (v: { version: ContainerVersion; action: VersionAction }) => deployVersion(appId, name, v.version.label),
    onSuccess: (updated, v) => {
      client.setQueryData(containerKeys.detail(appId, name), updated);
      refreshOthers();
      setPending(null);
      const key = v.action === "rollback" ? "versions.rolledBack" : v.action === "redeploy" ? "versions.redeployed" : "versions.deployedNow";
      setDone(t(key, { label: v.version.label }));
      onDeployed();
    },
  });
  const remove = useMutation({
    mutationFn: (version: ContainerVersion) => deleteVersion(appId, name, version.label),
    onSuccess: (_, version) => {
      void client.invalidateQueries({ queryKey: containerKeys.detail(appId, name) });
      refreshOthers();
      setPending(null);
      setDone(t("versions.deletedNow", { label: version.label }));
    },
  });

  const onAction = (action: VersionAction, version: ContainerVersion) => {
    setDone(null);
    deploy.reset();
    remove.reset();
    if (action === "rollback" || action === "delete") setPending({ action, version });
    else deploy.mutate({ version, action });
  };
  const close = () => {
    setPending(null);
    deploy.reset();
    remove.reset();
  };
  const deployed = detail.versions.find((v) => v.deployed);

  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">
        {t("versions.title")} <span className="muted">({detail.versions.length})</span>
      </h2>
      {done && (
        <p className="banner banner-ok" role="status">
          {done}
        </p>
      )}
      {!pending && <ErrorBanner error={deploy.error} />}
      {detail.versions.length === 0 ? (
        <EmptyState title={t("versions.empty")}>{t("versions.emptyHint")}</EmptyState>
      ) : (
        <VersionsTable name={name} versions={detail.versions} busy={deploy.isPending || remove.isPending} onAction={onAction} />
      )}
      {pending?.action === "rollback" && (
        <ConfirmDialog
          title={t("versions.rollbackTitle", { label: pending.version.label })}
          confirmLabel={t("versions.rollback")}
          busy={deploy.isPending}
          error={<ErrorBanner error={deploy.error} />}
          onConfirm={() => deploy.mutate({ version: pending.version, action: "rollback" })}
          onClose={close}
        >
          <p>{t("versions.rollbackBody", { label: pending.version.label, current: deployed?.label ?? "—", name })}</p>
        </ConfirmDialog>
      )}
      {pending?.action === "delete" && (
        <ConfirmDialog
          title={t("versions.deleteTitle", { label: pending.version.label })}
          confirmLabel={t("versions.delete")}
          danger
          busy={remove.isPending}
          error={<ErrorBanner error={remove.error} />}
          onConfirm={() => remove.mutate(pending.version)}
          onClose={close}
        >
          <p>{t("versions.deleteBody", { label: pending.version.label, name })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
