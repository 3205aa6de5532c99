// Apps and namespaces: the calls, their query keys, and the two queries
// every page shares (the app switcher, the home page, the workers' app
// names and the apps page read the same cached lists).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";

export type App = Schemas["App"];
export type Namespace = Schemas["Namespace"];
export type AppWithSecret = Schemas["AppWithSecret"];

export const appKeys = {
  apps: ["apps"] as const,
  namespaces: ["namespaces"] as const,
};

export function useApps() {
  return useQuery({ queryKey: appKeys.apps, queryFn: () => unwrap(api.GET("/apps")) });
}

export function useNamespaces() {
  return useQuery({ queryKey: appKeys.namespaces, queryFn: () => unwrap(api.GET("/namespaces")) });
}

export function createApp(body: Schemas["CreateApp"]) {
  return unwrap(api.POST("/apps", { body }));
}

export function updateApp(id: string, body: Schemas["UpdateApp"]) {
  return unwrap(api.PUT("/apps/{id}", { params: { path: { id } }, body }));
}

export function deleteApp(id: string) {
  return unwrap(api.DELETE("/apps/{id}", { params: { path: { id } } }));
}

export function rotateSecret(id: string) {
  return unwrap(api.POST("/apps/{id}/secret", { params: { path: { id } } }));
}

export function createNamespace(body: Schemas["CreateNamespace"]) {
  return unwrap(api.POST("/namespaces", { body }));
}

export function deleteNamespace(id: string) {
  return unwrap(api.DELETE("/namespaces/{id}", { params: { path: { id } } }));
}
