// The worker registry and what is deployed where, as the worker views ask for them.
import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { useApps } from "../apps/appsApi";
import type { DeployedVersion } from "./WorkerCells";

/** The workers of an app: its own and the shared pool's, alive or not. */
export function useAppWorkers(appId: string, refetchInterval: number, enabled = true) {
  return useQuery({
    queryKey: ["workers", "app", appId],
    queryFn: () => unwrap(api.GET("/apps/{id}/workers", { params: { path: { id: appId } } })),
    refetchInterval,
    enabled,
  });
}

/** Every worker of every app (administrators). */
export function useAllWorkers(refetchInterval: number, enabled: boolean) {
  return useQuery({
    queryKey: ["workers", "all"],
    queryFn: () => unwrap(api.GET("/workers")),
    refetchInterval,
    enabled,
  });
}

/** App names by id (the same query as the app switcher's). */
export function useAppNames(): Map<string, string> {
  const apps = useApps();
  return useMemo(() => new Map((apps.data ?? []).map((a) => [a.id, a.name])), [apps.data]);
}

/**
 * Per worker id, the deployed version of each of the app's containers and
 * how it stands on that worker (from each container's detail).
 */
export function useDeployments(appId: string, refetchInterval: number) {
  const list = useQuery({
    queryKey: ["workers", "containers", appId],
    queryFn: () => unwrap(api.GET("/apps/{id}/containers", { params: { path: { id: appId } } })),
    refetchInterval,
  });
  const deployed = (list.data ?? []).filter((c) => c.deployedVersionId);
  const details = useQueries({
    queries: deployed.map((c) => ({
      queryKey: ["workers", "containers", appId, c.name],
      queryFn: () => unwrap(api.GET("/apps/{id}/containers/{name}", { params: { path: { id: appId, name: c.name } } })),
      refetchInterval,
    })),
  });
  const byWorker = new Map<string, DeployedVersion[]>();
  for (const d of details) {
    const c = d.data;
    if (!c?.deployedVersionId) continue;
    const label = c.deployedLabel ?? c.versions.find((v) => v.id === c.deployedVersionId)?.label ?? "";
    for (const w of c.workers) {
      const entry = { container: c.name, label, state: w.state, message: w.message };
      byWorker.set(w.workerId, [...(byWorker.get(w.workerId) ?? []), entry]);
    }
  }
  const error = list.error ?? details.find((d) => d.error)?.error ?? null;
  return { byWorker, error, loading: list.isLoading };
}
