// Copies a text to the clipboard, says so, and says when the browser
// refused (an http page other than localhost, or a denied permission).
import { useState } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  text: string;
  /** Names what is copied, for a screen reader: "Copy the secret". */
  label?: string;
}

export function CopyButton({ text, label }: Props) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "done" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("done");
    } catch {
      setState("failed");
    }
  }
  return (
    <>
      <button type="button" className="btn btn-small" aria-label={label} onClick={() => void copy()}>
        {state === "done" ? t("copy.done") : t("copy.copy")}
      </button>
      {state === "failed" && (
        <p className="field-error" role="alert">
          {t("copy.failed")}
        </p>
      )}
    </>
  );
}
