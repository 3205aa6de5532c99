// Execution: execute type, processor (type + info), TaskTracker
// behaviour, reduce on failure, concurrency and time limit.
import { useTranslation } from "react-i18next";
import { formatDuration } from "../../../components/format";
import { EXECUTE_TYPES, PROCESSOR_TYPES, TASK_TRACKER_BEHAVIORS } from "../enums";
import { CheckField, SelectField, TextField } from "./fields";
import { WasmProcessorField } from "./ProcessorInfoField";
import { useFormValue } from "./store";

export function ExecutionSection({ appId }: { appId: string }) {
  const { t } = useTranslation("jobs");
  const executeType = useFormValue("executeType");
  const processorType = useFormValue("processorType");
  const behavior = useFormValue("taskTrackerBehavior");
  const distributed = executeType !== "STANDALONE";
  const limit = Number(useFormValue("instanceTimeLimit"));
  return (
    <fieldset>
      <legend>{t("editor.sections.execution")}</legend>
      <div className="form-grid">
        <SelectField
          name="processorType"
          label={t("fields.processorType")}
          hint={t(`processorHelp.types.${processorType}`)}
          options={PROCESSOR_TYPES.map((v) => ({ value: v, label: t(`enums.processorType.${v}`) }))}
        />
        <SelectField
          name="executeType"
          label={t("fields.executeType")}
          hint={t(`hints.executeType.${executeType}`)}
          options={EXECUTE_TYPES.map((v) => ({ value: v, label: t(`enums.executeType.${v}`) }))}
        />
        {processorType === "WASM" ? (
          <WasmProcessorField appId={appId} />
        ) : (
          <TextField name="processorInfo" label={t("fields.processorInfo")} hint={t("processor.officialHint")} multiline rows={2} wide />
        )}
        <SelectField
          name="taskTrackerBehavior"
          label={t("fields.taskTrackerBehavior")}
          hint={distributed ? t(`hints.taskTrackerBehavior.${behavior}`) : t("hints.onlyDistributed")}
          disabled={!distributed}
          options={TASK_TRACKER_BEHAVIORS.map((v) => ({ value: v, label: t(`enums.taskTrackerBehavior.${v}`) }))}
        />
        <CheckField
          name="skipReduceOnFailure"
          label={t("fields.skipReduceOnFailure")}
          hint={t("hints.skipReduceOnFailure")}
          disabled={executeType !== "MAP_REDUCE"}
        />
        <TextField name="concurrency" type="number" min={1} max={1000} label={t("fields.concurrency")} hint={t("hints.concurrency")} />
        <TextField
          name="instanceTimeLimit"
          type="number"
          min={0}
          label={t("fields.instanceTimeLimit")}
          hint={limit > 0 ? t("hints.equals", { duration: formatDuration(limit) }) : t("hints.noLimit")}
        />
      </div>
    </fieldset>
  );
}
