// Whether the server builds from git (`GET /system/info`): undefined while
// unknown (or when the server cannot say), so nothing is hidden by mistake.
import { useQuery } from "@tanstack/react-query";
import { systemInfo } from "../../api/console";
import { containerKeys } from "./containersApi";

export function useBuildsEnabled(): boolean | undefined {
  const info = useQuery({ queryKey: containerKeys.system, queryFn: systemInfo, staleTime: 5 * 60_000, retry: false });
  return info.data?.buildsEnabled;
}
