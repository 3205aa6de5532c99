// A new app: name, namespace and description, checked before sending;
// then its secret, shown once, and the way into the app.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Dialog, FormActions } from "../../components/Dialog";
import { Field, FormError, serverField } from "../../components/fields";
import { checkName } from "../../components/names";
import { DescriptionField, descriptionTooLong } from "./DescriptionField";
import { NamespaceField } from "./NamespaceField";
import { appKeys, createApp, type Namespace } from "./appsApi";
import { SecretPanel } from "./SecretPanel";

interface Props {
  namespaces: Namespace[];
  /** The namespace the switcher shows, chosen at first. */
  namespaceId?: string;
  onClose: () => void;
}

export function CreateAppDialog({ namespaces, namespaceId, onClose }: Props) {
  const { t } = useTranslation("apps");
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [namespace, setNamespace] = useState(namespaceId ?? "");
  const [description, setDescription] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const create = useMutation({
    mutationFn: () => createApp({ name, description, namespaceId: namespace || null }),
    onSuccess: () => client.invalidateQueries({ queryKey: appKeys.apps }),
  });
  const nameProblem = checkName(name);
  const local = (problem: string | null) => (submitted && problem ? t(`validation.${problem}` as "validation.required") : undefined);
  const submit = () => {
    setSubmitted(true);
    if (!nameProblem && !descriptionTooLong(description)) create.mutate();
  };

  return (
    <Dialog
      title={t("create.title")}
      onClose={onClose}
      onSubmit={create.data ? undefined : submit}
      actions={<FormActions done={!!create.data} busy={create.isPending} submitLabel={create.isPending ? t("create.creating") : t("create.submit")} onClose={onClose} />}
    >
      {create.data ? (
        <>
          <SecretPanel reply={create.data} />
          <p>
            <Link className="btn btn-primary" to={`/apps/${create.data.app.id}/dashboard`}>
              {t("secret.open", { name: create.data.app.name })}
            </Link>
          </p>
        </>
      ) : (
        <>
          <FormError error={create.error} shown={["name", "namespaceId", "description"]} />
          <Field label={t("create.name")} hint={t("create.nameHint")} error={local(nameProblem) ?? serverField(create.error, "name")}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={name}
                autoFocus
                autoComplete="off"
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
          <NamespaceField namespaces={namespaces} value={namespace} onChange={setNamespace} error={create.error} />
          <DescriptionField value={description} onChange={setDescription} error={create.error} checked={submitted} rows={3} />
        </>
      )}
    </Dialog>
  );
}
