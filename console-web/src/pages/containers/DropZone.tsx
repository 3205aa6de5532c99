// Where a component file goes: drag a `.wasm` onto it, or click it to pick
// one. The zone is the label of a real file input, which is the one
// control in it: Tab reaches the input, Enter or Space opens the browser's
// picker, and the zone shows the input's focus. Assistive technology and
// automation see an ordinary file field.
import { useId, useState, useRef, type DragEvent } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  onFile: (file: File) => void;
  disabled?: boolean;
  /** The chosen file's name, shown in the zone. */
  current?: string;
}

export function DropZone({ onFile, disabled, current }: Props) {
  const { t } = useTranslation("containers");
  const [active, setActive] = useState(false);
  const [nameId, titleId, hintId] = [useId(), useId(), useId()];
  // dragenter/dragleave fire for every child: count them.
  const depth = useRef(0);

  const onDragEnter = (e: DragEvent) => {
    e.preventDefault();
    depth.current += 1;
    if (!disabled) setActive(true);
  };
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = disabled ? "none" : "copy";
  };
  const onDragLeave = () => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setActive(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    depth.current = 0;
    setActive(false);
    const file = e.dataTransfer?.files?.[0];
    if (file && !disabled) onFile(file);
  };

  return (
    <label
      className={`dropzone${active ? " active" : ""}${disabled ? " dropzone-disabled" : ""}`}
      data-testid="dropzone"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <span className="dropzone-icon" aria-hidden="true">
        ⬆
      </span>
      <span className="sr-only" id={nameId}>
        {t("upload.file")}
      </span>
      <strong className="dropzone-title" id={titleId}>
        {active ? t("upload.dropNow") : t("upload.dropTitle")}
      </strong>
      <span className="dropzone-hint" id={hintId}>
        {current ? t("upload.chosen", { name: current }) : t("upload.dropHint")}
      </span>
      <input
        className="dropzone-input sr-only"
        type="file"
        accept=".wasm,application/wasm"
        aria-labelledby={`${nameId} ${titleId}`}
        aria-describedby={hintId}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared so picking the same file again still reports it.
          e.target.value = "";
          if (file) onFile(file);
        }}
      />
    </label>
  );
}
