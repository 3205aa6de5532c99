// "Export all": every job matching the list's filters, exported one by
// one and saved as one file that import takes (`{"jobs": [...]}`).
import { useState } from "react";
import { allJobs, downloadJson, exportJobs, type JobFilter } from "./jobsApi";

export interface ExportProgress {
  done: number;
  total: number;
}

export function useExportAll(appId: string) {
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [result, setResult] = useState<{ count: number } | { error: unknown } | null>(null);

  async function start(filter: JobFilter, sort?: string) {
    setResult(null);
    setProgress({ done: 0, total: 0 });
    try {
      const jobs = await allJobs(appId, filter, sort);
      setProgress({ done: 0, total: jobs.length });
      if (jobs.length > 0) {
        const specs = await exportJobs(
          jobs.map((j) => j.id),
          (done) => setProgress({ done, total: jobs.length }),
        );
        downloadJson(`jobs-${appId}.json`, { jobs: specs });
      }
      setResult({ count: jobs.length });
    } catch (error) {
      setResult({ error });
    } finally {
      setProgress(null);
    }
  }

  return { progress, result, start, dismiss: () => setResult(null) };
}
