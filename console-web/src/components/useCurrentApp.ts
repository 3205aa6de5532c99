import { useParams } from "react-router";

export const LAST_APP_KEY = "wasmjob.app";

/** The app of the page's URL (`/apps/:appId/...`). */
export function useCurrentApp(): { appId: string | undefined } {
  const { appId } = useParams();
  if (appId) localStorage.setItem(LAST_APP_KEY, appId);
  return { appId };
}

/** The app id of the URL, for pages that only render under `/apps/:appId`. */
export function useAppId(): string {
  const { appId } = useParams();
  if (!appId) throw new Error("useAppId outside /apps/:appId");
  return appId;
}
