// What can be done to an app after it is made: edit its description (and,
// for administrators, move it to another namespace), rotate its secret
// (then show the new one, once), delete it (after the user types its name:
// everything of the app goes with it).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog, FormActions } from "../../components/Dialog";
import { Field, FormError } from "../../components/fields";
import { LAST_APP_KEY } from "../../components/useCurrentApp";
import { DescriptionField, descriptionTooLong } from "./DescriptionField";
import { appKeys, deleteApp, rotateSecret, updateApp, type App, type Namespace } from "./appsApi";
import { NamespaceField } from "./NamespaceField";
import { SecretPanel } from "./SecretPanel";

interface Props {
  app: App;
  onClose: () => void;
}

interface EditProps extends Props {
  /** The namespaces to move the app to; left out, the namespace is not offered. */
  namespaces?: Namespace[];
}

export function EditAppDialog({ app, namespaces, onClose }: EditProps) {
  const { t } = useTranslation("apps");
  const client = useQueryClient();
  const [description, setDescription] = useState(app.description);
  const [namespace, setNamespace] = useState(app.namespaceId ?? "");
  const save = useMutation({
    mutationFn: () =>
      updateApp(app.id, {
        description,
        // Only sent when it changes: the app's own token may not move it.
        ...(namespaces && namespace !== (app.namespaceId ?? "") ? { namespaceId: namespace || null } : {}),
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: appKeys.apps });
      onClose();
    },
  });
  const tooLong = descriptionTooLong(description);
  return (
    <Dialog
      title={t("edit.title", { name: app.name })}
      onClose={onClose}
      onSubmit={() => !tooLong && save.mutate()}
      actions={<FormActions done={false} busy={save.isPending} submitLabel={save.isPending ? t("edit.saving") : t("edit.submit")} onClose={onClose} />}
    >
      <FormError error={save.error} shown={namespaces ? ["description", "namespaceId"] : ["description"]} />
      {namespaces && <NamespaceField namespaces={namespaces} value={namespace} onChange={setNamespace} error={save.error} hint={t("edit.namespaceHint")} />}
      <DescriptionField value={description} onChange={setDescription} error={save.error} checked rows={4} autoFocus />
    </Dialog>
  );
}

export function RotateSecretDialog({ app, onClose }: Props) {
  const { t } = useTranslation("apps");
  const rotate = useMutation({ mutationFn: () => rotateSecret(app.id) });
  return (
    <Dialog
      title={t("rotate.title", { name: app.name })}
      onClose={onClose}
      onSubmit={rotate.data ? undefined : () => rotate.mutate()}
      actions={<FormActions done={!!rotate.data} busy={rotate.isPending} submitLabel={rotate.isPending ? t("rotate.rotating") : t("rotate.submit")} onClose={onClose} />}
    >
      {rotate.data ? (
        <SecretPanel reply={rotate.data} rotated />
      ) : (
        <>
          <FormError error={rotate.error} />
          <p>{t("rotate.body")}</p>
        </>
      )}
    </Dialog>
  );
}

export function DeleteAppDialog({ app, onClose }: Props) {
  const { t } = useTranslation("apps");
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const [typed, setTyped] = useState("");
  const remove = useMutation({
    mutationFn: () => deleteApp(app.id),
    onSuccess: async () => {
      if (localStorage.getItem(LAST_APP_KEY) === app.id) localStorage.removeItem(LAST_APP_KEY);
      await client.invalidateQueries({ queryKey: appKeys.apps });
      onClose();
    },
  });
  const confirmed = typed === app.name;
  return (
    <Dialog
      title={t("remove.title", { name: app.name })}
      onClose={onClose}
      onSubmit={() => confirmed && remove.mutate()}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-danger" disabled={!confirmed || remove.isPending}>
            {remove.isPending ? t("remove.deleting") : t("remove.submit")}
          </button>
        </>
      }
    >
      <FormError error={remove.error} />
      <p className="banner banner-error">{t("remove.body")}</p>
      <Field label={t("remove.confirm", { name: app.name })}>
        {({ id }) => <input id={id} autoFocus autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />}
      </Field>
    </Dialog>
  );
}
