// The namespaces: each with how many apps it holds, a form that adds one
// and, for administrators, deletion of an empty one.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog } from "../../components/Dialog";
import { Field, FormError, serverField } from "../../components/fields";
import { EmptyState } from "../../components/feedback";
import { formatTime } from "../../components/format";
import { checkName } from "../../components/names";
import { appKeys, createNamespace, deleteNamespace, type App, type Namespace } from "./appsApi";

const MAX_NAME = 255;

interface Props {
  namespaces: Namespace[];
  apps: App[];
  admin: boolean;
}

export function NamespacesSection({ namespaces, apps, admin }: Props) {
  const { t } = useTranslation("apps");
  const [removing, setRemoving] = useState<Namespace | null>(null);
  return (
    <section className="card" aria-labelledby="namespaces-title">
      <h2 id="namespaces-title">{t("namespaces.title")}</h2>
      <p className="muted">{t("namespaces.intro")}</p>
      {namespaces.length === 0 ? (
        <EmptyState title={t("namespaces.empty")} />
      ) : (
        <table className="table" aria-labelledby="namespaces-title">
          <thead>
            <tr>
              <th scope="col">{t("namespaces.code")}</th>
              <th scope="col">{t("namespaces.name")}</th>
              <th scope="col">{t("namespaces.apps")}</th>
              <th scope="col">{t("namespaces.created")}</th>
              {admin && <th scope="col" className="actions"><span className="sr-only">{t("columns.actions")}</span></th>}
            </tr>
          </thead>
          <tbody>
            {namespaces.map((n) => (
              <tr key={n.id}>
                <td className="mono">{n.code}</td>
                <td>{n.name}</td>
                <td>{apps.filter((a) => a.namespaceId === n.id).length}</td>
                <td>{formatTime(n.createdAt)}</td>
                {admin && (
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={t("namespaces.deleteOne", { name: n.name })}
                      onClick={() => setRemoving(n)}
                    >
                      {t("actions.delete")}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && <AddNamespace />}
      {removing && <DeleteNamespaceDialog namespace={removing} onClose={() => setRemoving(null)} />}
    </section>
  );
}

function AddNamespace() {
  const { t } = useTranslation("apps");
  const client = useQueryClient();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const add = useMutation({
    mutationFn: () => createNamespace({ code, name: name || code }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: appKeys.namespaces });
      setCode("");
      setName("");
      setSubmitted(false);
    },
  });
  const codeProblem = checkName(code);
  const nameProblem = name.length > MAX_NAME ? t("namespaces.nameTooLong") : undefined;
  return (
    <form
      className="namespace-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!codeProblem && !nameProblem) add.mutate();
      }}
    >
      <FormError error={add.error} shown={["code", "name"]} />
      <div className="namespace-fields">
        <Field
          label={t("namespaces.code")}
          hint={t("namespaces.codeHint")}
          error={(submitted && codeProblem ? t(`validation.${codeProblem}` as "validation.required") : undefined) ?? serverField(add.error, "code")}
        >
          {({ id, describedBy, invalid }) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={invalid} autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} />
          )}
        </Field>
        <Field label={t("namespaces.name")} hint={t("namespaces.nameHint")} error={nameProblem ?? serverField(add.error, "name")}>
          {({ id, describedBy, invalid }) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={invalid} autoComplete="off" value={name} placeholder={code} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <button type="submit" className="btn" disabled={add.isPending}>
          {add.isPending ? t("namespaces.adding") : t("namespaces.add")}
        </button>
      </div>
    </form>
  );
}

function DeleteNamespaceDialog({ namespace, onClose }: { namespace: Namespace; onClose: () => void }) {
  const { t } = useTranslation("apps");
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteNamespace(namespace.id),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: appKeys.namespaces });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={t("namespaces.deleteTitle", { name: namespace.name })}
      confirmLabel={t("namespaces.deleteSubmit")}
      danger
      busy={remove.isPending}
      error={<FormError error={remove.error} />}
      onConfirm={() => remove.mutate()}
      onClose={onClose}
    >
      <p>{t("namespaces.deleteBody")}</p>
    </ConfirmDialog>
  );
}
