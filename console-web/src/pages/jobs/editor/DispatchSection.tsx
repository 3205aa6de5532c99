// Dispatch: strategy (+ its config), designated workers, how many take
// part, and the resources a worker must have free.
import { useTranslation } from "react-i18next";
import { DISPATCH_STRATEGIES } from "../enums";
import { SelectField, TextField } from "./fields";
import { useFormValue } from "./store";

export function DispatchSection() {
  const { t } = useTranslation("jobs");
  const strategy = useFormValue("dispatchStrategy");
  return (
    <fieldset>
      <legend>{t("editor.sections.dispatch")}</legend>
      <div className="form-grid">
        <SelectField
          name="dispatchStrategy"
          label={t("fields.dispatchStrategy")}
          hint={t(`hints.dispatchStrategy.${strategy}`)}
          options={DISPATCH_STRATEGIES.map((v) => ({ value: v, label: t(`enums.dispatchStrategy.${v}`) }))}
        />
        <TextField
          name="dispatchStrategyConfig"
          label={t("fields.dispatchStrategyConfig")}
          hint={t("hints.dispatchStrategyConfig")}
          placeholder={strategy === "SPECIFY" ? '["10.0.0.5:27777", "gpu"]' : ""}
          required={strategy === "SPECIFY"}
        />
        <TextField
          name="designatedWorkers"
          label={t("fields.designatedWorkers")}
          hint={t("hints.designatedWorkers")}
          multiline
          rows={3}
        />
        <TextField name="maxWorkerCount" type="number" min={0} label={t("fields.maxWorkerCount")} hint={t("hints.zeroUnlimited")} />
        <TextField name="minCpuCores" type="number" min={0} step="any" label={t("fields.minCpuCores")} />
        <TextField name="minMemorySpace" type="number" min={0} step="any" label={t("fields.minMemorySpace")} />
        <TextField name="minDiskSpace" type="number" min={0} step="any" label={t("fields.minDiskSpace")} />
      </div>
    </fieldset>
  );
}
