// Basic: name, description, tag, parameters, extra, enabled.
import { useTranslation } from "react-i18next";
import { CheckField, TextField } from "./fields";
import { paramsExample } from "./processorHelp";
import { useFormStore, useFormValue } from "./store";

export function BasicSection() {
  const { t } = useTranslation("jobs");
  const store = useFormStore();
  const processorType = useFormValue("processorType");
  const example = paramsExample(processorType);
  return (
    <fieldset>
      <legend>{t("editor.sections.basic")}</legend>
      <div className="form-grid">
        <TextField name="name" label={t("fields.name")} required />
        <TextField name="tag" label={t("fields.tag")} hint={t("hints.tag")} />
        <TextField name="description" label={t("fields.description")} multiline rows={2} wide />
        <TextField
          name="jobParams"
          label={t("fields.jobParams")}
          multiline
          rows={processorType === "WASM" ? 3 : 6}
          wide
          placeholder={example ?? ""}
          hint={processorType === "WASM" ? t("hints.jobParams") : t(`processorHelp.params.${processorType}`)}
        >
          {example && (
            <div>
              <button type="button" className="btn btn-small" onClick={() => store.set("jobParams", example)}>
                {t("processorHelp.insertExample")}
              </button>
            </div>
          )}
        </TextField>
        <TextField name="extra" label={t("fields.extra")} hint={t("hints.extra")} multiline rows={2} />
        <CheckField name="enabled" label={t("fields.enabled")} hint={t("hints.enabled")} />
      </div>
    </fieldset>
  );
}
