// Uploading a component: a file is dropped or picked, inspected by the
// server (nothing stored) and shown; only then can it be saved as a version
// of the named container, deployed at once or not.
import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { inspectComponent, type ComponentInspection } from "../../api/console";
import { errorMessage, Loading } from "../../components/feedback";
import { formatBytes } from "../../components/format";
import { uploadVersion, type ContainerVersion } from "./containersApi";
import { DropZone } from "./DropZone";
import { InspectResult } from "./InspectResult";
import { looksLikeWasm, MAX_COMPONENT_BYTES, nameFromFile } from "./model";
import { UploadForm, type UploadValues } from "./UploadForm";

interface Props {
  appId: string;
  /** Upload to this container (its page): no name field. */
  fixedName?: string;
  onSaved: (version: ContainerVersion, name: string) => void;
}

interface Inspected {
  file: File;
  report: ComponentInspection;
  inspectedFor?: string;
}

export function UploadPanel({ appId, fixedName, onSaved }: Props) {
  const { t } = useTranslation("containers");
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [inspecting, setInspecting] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [values, setValues] = useState<UploadValues>({ name: fixedName ?? "", label: "", deploy: true });
  const sequence = useRef(0);

  const save = useMutation({
    mutationFn: ({ file, v }: { file: File; v: UploadValues }) =>
      uploadVersion(appId, v.name, file, { label: v.label || undefined, deploy: v.deploy }),
    onSuccess: (version, { v }) => {
      onSaved(version, v.name);
      if (fixedName) reset();
    },
  });

  function reset() {
    sequence.current += 1;
    setInspected(null);
    setInspecting(null);
    setProblem(null);
    setValues({ name: fixedName ?? "", label: "", deploy: true });
    save.reset();
  }

  async function onFile(file: File) {
    const seq = ++sequence.current;
    setInspected(null);
    setProblem(null);
    save.reset();
    if (!looksLikeWasm(file)) return setProblem(t("upload.notWasm", { name: file.name }));
    if (file.size === 0) return setProblem(t("upload.empty", { name: file.name }));
    if (file.size > MAX_COMPONENT_BYTES) {
      return setProblem(t("upload.tooLarge", { name: file.name, size: formatBytes(file.size) }));
    }
    const name = fixedName ?? nameFromFile(file.name);
    const inspectedFor = name || undefined;
    setInspecting(file.name);
    try {
      const report = await inspectComponent(appId, file, inspectedFor);
      if (seq !== sequence.current) return;
      setInspected({ file, report, inspectedFor });
      setValues({ name, label: "", deploy: true });
    } catch (e) {
      if (seq !== sequence.current) return;
      setProblem(e instanceof ApiError && e.status === 422 ? t("upload.rejected", { message: e.message }) : errorMessage(e));
    } finally {
      if (seq === sequence.current) setInspecting(null);
    }
  }

  return (
    <div className="upload-panel">
      <DropZone onFile={(f) => void onFile(f)} disabled={save.isPending} current={inspected?.file.name} />
      {inspecting && <Loading label={t("upload.inspecting", { name: inspecting })} />}
      {problem && (
        <div className="banner banner-error" role="alert">
          {problem}
        </div>
      )}
      {inspected && (
        <>
          <InspectResult
            file={inspected.file}
            report={inspected.report}
            inspectedFor={inspected.inspectedFor}
            name={values.name}
          />
          <UploadForm
            values={values}
            onChange={setValues}
            fixedName={fixedName}
            defaultLabel={inspected.report.digest.slice(0, 12)}
            saving={save.isPending}
            error={save.error}
            onSubmit={() => save.mutate({ file: inspected.file, v: values })}
            onDiscard={reset}
          />
        </>
      )}
    </div>
  );
}
