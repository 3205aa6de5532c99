// `/`: goes to the last app used, else the first; with no app at all,
// offers to create one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorBanner, Loading } from "../../components/feedback";
import { LAST_APP_KEY } from "../../components/useCurrentApp";

export function HomePage() {
  const { t } = useTranslation();
  const apps = useQuery({ queryKey: ["apps"], queryFn: () => unwrap(api.GET("/apps")) });
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/apps", { body: { name, description } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["apps"] }),
  });
  if (apps.isPending) return <Loading />;
  if (apps.error) return <ErrorBanner error={apps.error} onRetry={() => void apps.refetch()} />;
  const last = localStorage.getItem(LAST_APP_KEY);
  const target = apps.data.find((a) => a.id === last) ?? apps.data[0];
  if (target && !create.data) return <Navigate to={`/apps/${target.id}/dashboard`} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <section className="page narrow">
      <h1>{t("createApp.title")}</h1>
      <p>{t("state.noApp")}</p>
      <ErrorBanner error={create.error} />
      {create.data && <p className="banner banner-ok">{t("createApp.secretShown", { secret: create.data.secret })}</p>}
      <form className="card form" onSubmit={submit}>
        <label className="field">
          <span>{t("createApp.name")}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          <span>{t("createApp.description")}</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {t("actions.save")}
        </button>
      </form>
    </section>
  );
}
