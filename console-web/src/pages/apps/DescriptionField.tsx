// An app's description, as creating and editing an app ask for it: the
// server's 2000-character limit checked here first, then the server's own
// message for the field.
import { useTranslation } from "react-i18next";
import { Field, serverField } from "../../components/fields";

const MAX_DESCRIPTION = 2000;

export function descriptionTooLong(description: string): boolean {
  return description.length > MAX_DESCRIPTION;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** The refused request, whose message for `description` shows here. */
  error: unknown;
  /** Whether to show the length problem (a form may wait for a submit). */
  checked: boolean;
  hint?: string;
  rows: number;
  autoFocus?: boolean;
}

export function DescriptionField({ value, onChange, error, checked, hint, rows, autoFocus }: Props) {
  const { t } = useTranslation("apps");
  const problem = checked && descriptionTooLong(value) ? t("validation.descriptionTooLong") : undefined;
  return (
    <Field label={t("create.description")} hint={hint} error={problem ?? serverField(error, "description")}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          rows={rows}
          autoFocus={autoFocus}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
