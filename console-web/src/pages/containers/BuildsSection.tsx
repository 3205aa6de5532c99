// A container's builds from git, newest first, and the log of the chosen
// one (the newest by default, or `?build=` of the URL), tailed live.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { EmptyState, ErrorBanner, Loading } from "../../components/feedback";
import { formatDuration, formatTime } from "../../components/format";
import { containerKeys, listBuilds, type Build, type BuildStatus } from "./containersApi";
import { BuildBadge } from "./BuildBadge";
import { BuildLog } from "./BuildLog";
import { isBuildFinal } from "./model";

const POLL_MS = 3000;

interface Props {
  appId: string;
  name: string;
  /** A build has ended (its version, if deployed, is on its way to the workers). */
  onFinished: () => void;
}

export function BuildsSection({ appId, name, onFinished }: Props) {
  const { t } = useTranslation("containers");
  const client = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const builds = useQuery({
    queryKey: containerKeys.builds(appId, name),
    queryFn: () => listBuilds(appId, name),
    refetchInterval: (q) => (q.state.data?.some((b) => !isBuildFinal(b.status)) ? POLL_MS : false),
  });
  const list = builds.data ?? [];
  const wanted = search.get("build");
  const selected = list.find((b) => b.id === wanted) ?? list[0];

  const select = (build: Build) => {
    const next = new URLSearchParams(search);
    next.set("build", build.id);
    setSearch(next, { replace: true });
  };
  // The log says a status first or the list's polling does: either way the
  // list is asked again, and a build the list newly sees ended brings the
  // container's versions and deployment up to date.
  const onStatus = useCallback(
    (status: BuildStatus) => {
      const known = client.getQueryData<Build[]>(containerKeys.builds(appId, name));
      const was = known?.find((b) => b.id === selected?.id)?.status;
      if (was !== status) void client.invalidateQueries({ queryKey: containerKeys.builds(appId, name) });
    },
    [client, appId, name, selected?.id],
  );
  const seen = useRef<Map<string, BuildStatus> | null>(null);
  useEffect(() => {
    if (!builds.data) return;
    const before = seen.current;
    seen.current = new Map(builds.data.map((b) => [b.id, b.status]));
    // The first list comes with the container's own first fetch.
    if (!before) return;
    const ended = builds.data.some((b) => isBuildFinal(b.status) && !isBuildFinal(before.get(b.id) ?? "QUEUED"));
    if (ended) {
      void client.invalidateQueries({ queryKey: containerKeys.detail(appId, name) });
      onFinished();
    }
  }, [builds.data, client, appId, name, onFinished]);

  return (
    <section className="card" aria-labelledby="builds-title">
      <h2 id="builds-title">{t("builds.title")}</h2>
      {builds.isPending && <Loading />}
      <ErrorBanner error={builds.error} onRetry={() => void builds.refetch()} />
      {builds.isSuccess && list.length === 0 && <EmptyState title={t("builds.empty")} />}
      {list.length > 0 && (
        <div className="builds-layout">
          <table className="table builds-table" aria-label={t("builds.title")}>
            <thead>
              <tr>
                <th scope="col">{t("builds.build")}</th>
                <th scope="col">{t("builds.statusCol")}</th>
                <th scope="col">{t("builds.reference")}</th>
                <th scope="col">{t("builds.commit")}</th>
                <th scope="col">{t("builds.result")}</th>
                <th scope="col">{t("builds.started")}</th>
                <th scope="col">{t("builds.duration")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.id} className={b.id === selected?.id ? "selected" : undefined} aria-current={b.id === selected?.id || undefined}>
                  <td>
                    <button type="button" className="btn btn-ghost btn-small mono" onClick={() => select(b)}>
                      {t("builds.show", { id: b.id })}
                    </button>
                  </td>
                  <td>
                    <BuildBadge status={b.status} />
                  </td>
                  <td>
                    <span className="muted">{t(`source.refKinds.${b.reference.kind}`)}</span> <code>{b.reference.name}</code>
                  </td>
                  <td className="mono">{b.commit ? b.commit.slice(0, 10) : "—"}</td>
                  <td>
                    {b.label ? <span className="tag mono">{b.label.slice(0, 12)}</span> : null}
                    {b.message && <div className="muted build-message">{b.message}</div>}
                    {!b.deploy && <div className="muted">{t("builds.noDeploy")}</div>}
                  </td>
                  <td>
                    {formatTime(b.startedAt ?? b.createdAt)}
                    <div className="muted">{b.createdBy}</div>
                  </td>
                  <td>{b.startedAt ? formatDuration((b.finishedAt ?? Date.now()) - b.startedAt) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected && <BuildLog key={selected.id} appId={appId} name={name} build={selected} onStatus={onStatus} />}
        </div>
      )}
    </section>
  );
}
