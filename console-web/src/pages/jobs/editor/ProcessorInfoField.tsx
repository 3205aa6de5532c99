// A WASM job's processorInfo: one of the app's containers, and optionally
// one of its versions (`container@version`); without one, the deployed
// version runs.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { errorMessage } from "../../../components/feedback";
import { formatTime } from "../../../components/format";
import { getContainer, jobKeys, listContainers } from "../jobsApi";
import { fieldId } from "./fields";
import { useFieldError, useFormStore, useFormValue } from "./store";

export function WasmProcessorField({ appId }: { appId: string }) {
  const { t } = useTranslation("jobs");
  const store = useFormStore();
  const processorInfo = useFormValue("processorInfo").trim();
  const error = useFieldError("processorInfo");
  const [container = "", version = ""] = processorInfo.split("@");
  const containers = useQuery({ queryKey: jobKeys.containers(appId), queryFn: () => listContainers(appId) });
  const detail = useQuery({
    queryKey: jobKeys.container(appId, container),
    queryFn: () => getContainer(appId, container),
    enabled: container !== "",
  });
  const id = fieldId("processorInfo");
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const names = (containers.data ?? []).map((c) => c.name);
  const deployed = detail.data?.deployedLabel ?? containers.data?.find((c) => c.name === container)?.deployedLabel;
  const versions = detail.data?.versions ?? [];
  const choose = (name: string, label: string) => store.set("processorInfo", label ? `${name}@${label}` : name);

  return (
    <div className="field wide">
      <div className="jobs-wasm-row">
        <div className="field">
          <label className="jobs-field-label" htmlFor={id}>
            {t("fields.container")}
          </label>
          <select
            id={id}
            value={container}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            aria-busy={containers.isPending || undefined}
            onChange={(e) => choose(e.target.value, "")}
          >
            <option value="">{containers.isPending ? t("processor.loadingContainers") : t("processor.chooseContainer")}</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
            {container && !names.includes(container) && <option value={container}>{container}</option>}
          </select>
        </div>
        <div className="field">
          <label className="jobs-field-label" htmlFor={`${id}-version`}>
            {t("fields.version")}
          </label>
          <select
            id={`${id}-version`}
            value={version}
            disabled={!container}
            aria-busy={detail.isFetching || undefined}
            onChange={(e) => choose(container, e.target.value)}
          >
            <option value="">
              {deployed ? t("processor.deployedVersion", { label: deployed }) : t("processor.deployedVersionNone")}
            </option>
            {versions.map((v) => (
              <option key={v.id} value={v.label}>
                {v.label} · {formatTime(v.createdAt)}
                {v.worlds.length > 0 ? ` · ${v.worlds.join(", ")}` : ""}
                {v.deployed ? ` · ${t("processor.deployed")}` : ""}
              </option>
            ))}
            {version && !versions.some((v) => v.label === version) && <option value={version}>{version}</option>}
          </select>
        </div>
      </div>
      <span className="field-hint" id={`${id}-hint`}>
        {t("processor.wasmHint")}{" "}
        {processorInfo && (
          <>
            {t("processor.runs")} <code>{processorInfo}</code>
          </>
        )}
      </span>
      {containers.isError && (
        <span className="field-error">{t("processor.containersFailed", { message: errorMessage(containers.error) })}</span>
      )}
      {detail.isError && <span className="field-error">{t("processor.containerFailed", { message: errorMessage(detail.error) })}</span>}
      {containers.isSuccess && names.length === 0 && (
        <span className="field-hint">
          {t("processor.noContainers")} <Link to={`/apps/${appId}/containers`}>{t("processor.uploadOne")}</Link>
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
