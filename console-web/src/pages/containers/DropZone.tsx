// Where a component file goes: drag a `.wasm` onto it, or click it (or
// press Enter / Space) to pick one. It is a focusable region holding a real
// file input, so assistive technology and automation can set the file too.
import { useId, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  onFile: (file: File) => void;
  disabled?: boolean;
  /** The chosen file's name, shown in the zone. */
  current?: string;
}

export function DropZone({ onFile, disabled, current }: Props) {
  const { t } = useTranslation("containers");
  const input = useRef<HTMLInputElement>(null);
  const [active, setActive] = useState(false);
  const hintId = useId();
  // dragenter/dragleave fire for every child: count them.
  const depth = useRef(0);

  const open = () => {
    if (!disabled) input.current?.click();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open();
    }
  };
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
    <div
      className={`dropzone${active ? " active" : ""}${disabled ? " dropzone-disabled" : ""}`}
      role="button"
      aria-label={t("upload.dropTitle")}
      aria-describedby={hintId}
      aria-disabled={disabled || undefined}
      tabIndex={disabled ? -1 : 0}
      data-testid="dropzone"
      onClick={(e) => {
        if (e.target !== input.current) open();
      }}
      onKeyDown={onKeyDown}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <span className="dropzone-icon" aria-hidden="true">
        ⬆
      </span>
      <strong className="dropzone-title">{active ? t("upload.dropNow") : t("upload.dropTitle")}</strong>
      <span className="dropzone-hint" id={hintId}>{current ? t("upload.chosen", { name: current }) : t("upload.dropHint")}</span>
      <input
        ref={input}
        className="sr-only"
        type="file"
        accept=".wasm,application/wasm"
        aria-label={t("upload.file")}
        tabIndex={-1}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared so picking the same file again still reports it.
          e.target.value = "";
          if (file) onFile(file);
        }}
      />
    </div>
  );
}
