// The namespace an app is in, chosen from the namespaces there are (or
// none); the server's refusal shows beside it.
import { useTranslation } from "react-i18next";
import { Field, serverField } from "../../components/fields";
import type { Namespace } from "./appsApi";

interface Props {
  namespaces: Namespace[];
  /** A namespace id, or "" for none. */
  value: string;
  onChange: (value: string) => void;
  error: unknown;
  hint?: string;
}

export function NamespaceField({ namespaces, value, onChange, error, hint }: Props) {
  const { t } = useTranslation("apps");
  return (
    <Field label={t("create.namespace")} hint={hint} error={serverField(error, "namespaceId")}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("create.noNamespace")}</option>
          {namespaces.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.code})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
