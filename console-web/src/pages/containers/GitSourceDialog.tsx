// Setting a container's git source (`PUT …/source`), then, if asked,
// starting a build of it (`POST …/builds`). From the list it creates the
// container; from a container's page it edits the source.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { containerKeys, putSource, startBuild, type Build, type GitSource } from "./containersApi";
import { Dialog } from "../../components/Dialog";
import { Field, FormError, serverField } from "../../components/fields";
import { GitSourceFields } from "./GitSourceFields";
import { initialValues, toInput, validate, type SourceValues } from "./gitSourceForm";

interface Props {
  appId: string;
  /** The container (editing its source); absent: a new container, named in the form. */
  name?: string;
  source?: GitSource | null;
  /** False when the server has builds from git turned off. */
  buildsEnabled?: boolean;
  onClose: () => void;
  onDone: (name: string, build: Build | null) => void;
}

const FORM_FIELDS = [
  "name",
  "url",
  "reference.name",
  "path",
  "builder",
  "credentials",
  "clearCredentials",
  "credentials.username",
  "credentials.password",
  "credentials.privateKey",
  "credentials.passphrase",
];

export function GitSourceDialog({ appId, name, source, buildsEnabled, onClose, onDone }: Props) {
  const { t } = useTranslation("containers");
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const creating = name === undefined;
  const [values, setValues] = useState<SourceValues>(() => initialValues(name ?? "", source, creating));
  const [submitted, setSubmitted] = useState(false);
  /** The source was stored but the build could not start. */
  const [savedOnly, setSavedOnly] = useState<string | null>(null);
  const local = validate(values, creating);

  const save = useMutation({
    mutationFn: async (v: SourceValues) => {
      await putSource(appId, v.name, toInput(v));
      void client.invalidateQueries({ queryKey: containerKeys.source(appId, v.name) });
      void client.invalidateQueries({ queryKey: containerKeys.list(appId) });
      if (!v.build) return null;
      try {
        return await startBuild(appId, v.name, { deploy: v.deploy });
      } catch (e) {
        setSavedOnly(v.name);
        throw e;
      }
    },
    onSuccess: (build, v) => onDone(v.name, build),
  });

  const errorOf = (field: string): string | undefined => {
    if (submitted && local[field]) return t(local[field] as "source.errors.urlRequired");
    return save.error instanceof ApiError && !savedOnly ? serverField(save.error, field) : undefined;
  };
  const submit = () => {
    setSubmitted(true);
    setSavedOnly(null);
    if (Object.keys(local).length === 0) save.mutate(values);
  };
  const submitLabel = values.build ? t("source.saveAndBuild") : t("source.save");

  return (
    <Dialog
      title={creating ? t("source.createTitle") : t("source.editTitle", { name })}
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          {savedOnly && (
            <button type="button" className="btn" onClick={() => onDone(savedOnly, null)}>
              {t("source.openContainer")}
            </button>
          )}
          <button type="button" className="btn" onClick={onClose}>
            {tc("actions.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t("source.saving") : submitLabel}
          </button>
        </>
      }
    >
      <p className="muted">{creating ? t("source.createIntro") : t("source.editIntro")}</p>
      {buildsEnabled === false && (
        <p className="banner banner-warn" role="note">
          {t("source.buildsDisabled")}
        </p>
      )}
      {creating && (
        <Field label={t("upload.name")} hint={t("upload.nameHint")} error={errorOf("name")}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={values.name}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(e) => setValues({ ...values, name: e.target.value })}
            />
          )}
        </Field>
      )}
      <GitSourceFields
        values={values}
        onChange={setValues}
        errorOf={errorOf}
        stored={source?.credentials ?? null}
        storedUrl={source?.url}
      />
      <fieldset className="source-build">
        <legend>{t("source.afterSaving")}</legend>
        <label className="field-inline containers-inline">
          <input type="checkbox" checked={values.build} onChange={(e) => setValues({ ...values, build: e.target.checked })} />
          <span>{t("source.buildNow")}</span>
        </label>
        <label className="field-inline containers-inline">
          <input
            type="checkbox"
            checked={values.deploy}
            disabled={!values.build}
            onChange={(e) => setValues({ ...values, deploy: e.target.checked })}
          />
          <span>{t("source.deployBuilt")}</span>
        </label>
      </fieldset>
      {savedOnly && (
        <p className="banner banner-warn" role="status">
          {t("source.savedButNoBuild")}
        </p>
      )}
      <FormError error={save.error} shown={savedOnly ? [] : FORM_FIELDS} />
    </Dialog>
  );
}
