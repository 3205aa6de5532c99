// Building another revision than the source's (`POST …/builds` with
// `reference`), deployed when built or only stored.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { startBuild, type Build, type GitSource } from "./containersApi";
import { Dialog } from "../../components/Dialog";
import { Field, FormError, serverField } from "../../components/fields";
import { initialValues, validate, type RefKind } from "./gitSourceForm";

interface Props {
  appId: string;
  name: string;
  source: GitSource;
  onClose: () => void;
  onStarted: (build: Build) => void;
}

const REF_KINDS: RefKind[] = ["BRANCH", "TAG", "COMMIT"];

export function BuildRevisionDialog({ appId, name, source, onClose, onStarted }: Props) {
  const { t } = useTranslation("containers");
  const { t: tc } = useTranslation();
  const [kind, setKind] = useState<RefKind>(source.reference.kind as RefKind);
  const [ref, setRef] = useState(source.reference.name);
  const [deploy, setDeploy] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  // The source's own checks of a reference.
  const local = validate({ ...initialValues(name, source, true), refKind: kind, refName: ref }, false)["reference.name"];
  const build = useMutation({
    mutationFn: () => startBuild(appId, name, { reference: { kind, name: ref.trim() }, deploy }),
    onSuccess: onStarted,
  });
  const error = submitted && local ? t(local as "source.errors.commit") : serverField(build.error, "reference.name");

  return (
    <Dialog
      title={t("builds.revisionTitle", { name })}
      onClose={onClose}
      onSubmit={() => {
        setSubmitted(true);
        if (!local) build.mutate();
      }}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={build.isPending}>
            {build.isPending ? t("builds.starting") : t("builds.start")}
          </button>
        </>
      }
    >
      <p className="muted">{t("builds.revisionIntro")}</p>
      <div className="form-grid">
        <Field label={t("source.refKind")}>
          {({ id }) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as RefKind)}>
              {REF_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`source.refKinds.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("source.refName")} hint={t(`source.refHints.${kind}`)} error={error}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={ref}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(e) => setRef(e.target.value)}
            />
          )}
        </Field>
      </div>
      <label className="field-inline containers-inline">
        <input type="checkbox" checked={deploy} onChange={(e) => setDeploy(e.target.checked)} />
        <span>{t("source.deployBuilt")}</span>
      </label>
      <FormError error={build.error} shown={["reference.name"]} />
    </Dialog>
  );
}
