// Tails one build's log (mount it per build, e.g. with `key`): pages of
// `after=<next>&limit=1000&waitMs=10000` one after another (the server waits
// for new lines while the build runs) until a page comes back empty with
// the build final: then the log is complete. Unmounting aborts; after an
// error, `retry` resumes where it stopped.
import { useCallback, useEffect, useRef, useState } from "react";
import { readBuildLog, type BuildLogLine, type BuildStatus } from "./containersApi";
import { isBuildFinal } from "./model";
import { sleep } from "../../components/sleep";

const LIMIT = 1000;
const WAIT_MS = 10_000;
/** An empty page sooner than this (a server not waiting) is waited out. */
const IDLE_MS = 1000;
/** Lines kept in the page; older ones are counted. */
export const MAX_LINES = 20_000;

export interface BuildLogTail {
  lines: BuildLogLine[];
  dropped: number;
  /** The build's status as the last page said. */
  status: BuildStatus | null;
  complete: boolean;
  error: unknown;
  retry: () => void;
}

export function useBuildLog(appId: string, name: string, build: string): BuildLogTail {
  const [buffer, setBuffer] = useState<{ lines: BuildLogLine[]; dropped: number }>({ lines: [], dropped: 0 });
  const [status, setStatus] = useState<BuildStatus | null>(null);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    async function run() {
      for (;;) {
        const started = Date.now();
        const page = await readBuildLog(appId, name, build, { after: seq.current, limit: LIMIT, waitMs: WAIT_MS }, signal);
        if (signal.aborted) return;
        setStatus(page.status);
        const fresh = page.lines.filter((l) => l.seq > seq.current);
        if (fresh.length > 0) {
          seq.current = Math.max(page.next, ...fresh.map((l) => l.seq));
          setBuffer((prev) => {
            const all = prev.lines.concat(fresh);
            const over = all.length - MAX_LINES;
            return over > 0 ? { lines: all.slice(over), dropped: prev.dropped + over } : { lines: all, dropped: prev.dropped };
          });
        } else if (isBuildFinal(page.status)) {
          setComplete(true);
          return;
        } else if (Date.now() - started < IDLE_MS) {
          await sleep(IDLE_MS, signal);
          if (signal.aborted) return;
        }
      }
    }
    run().catch((e: unknown) => {
      if (!signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [appId, name, build, attempt]);

  const retry = useCallback(() => {
    setError(null);
    setAttempt((a) => a + 1);
  }, []);
  return { lines: buffer.lines, dropped: buffer.dropped, status, complete, error, retry };
}
