// Tails an instance's online log: while the instance is live, long-polls
// `after=<last seq>&waitMs=20000` in a loop; once it is final, drains what
// is left (after a short grace for lines shipped after the final report)
// and stops. Lines are kept in order, once each (only seq > the last one
// seen is added), the last MAX_LINES of them; unmounting aborts.
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { readLog } from "./instancesApi";
import type { LogLine } from "./status";
import { sleep } from "../../components/sleep";

export const MAX_LINES = 5000;
const WAIT_MS = 20_000;
const LIVE_LIMIT = 1000;
const DRAIN_LIMIT = 5000;
/** A live poll that answers empty sooner than this waits out the rest. */
const IDLE_MS = 1000;
/** After the instance ends, how long to wait for its last lines. */
const GRACE_MS = 2000;

export interface LogTail {
  lines: LogLine[];
  /** Older lines no longer kept (over MAX_LINES). */
  dropped: number;
  /** The last read's failure, and whether the tail tries again. */
  failure: { error: unknown; retrying: boolean } | null;
  /** Everything there is has been read and the tail has stopped. */
  complete: boolean;
  /** The first reply has arrived. */
  loaded: boolean;
}

export function useLogTail(instanceId: string, live: boolean): LogTail {
  const [buffer, setBuffer] = useState<{ lines: LogLine[]; dropped: number }>({ lines: [], dropped: 0 });
  const [failure, setFailure] = useState<LogTail["failure"]>(null);
  const [complete, setComplete] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const lastSeq = useRef(0);
  const wasLive = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const grace = wasLive.current && !live;
    wasLive.current = live;
    setComplete(false);

    const append = (lines: LogLine[]) => {
      const fresh = lines.filter((l) => l.seq > lastSeq.current);
      if (fresh.length === 0) return;
      lastSeq.current = fresh.reduce((max, l) => Math.max(max, l.seq), lastSeq.current);
      setBuffer((prev) => {
        const all = prev.lines.concat(fresh);
        const over = all.length - MAX_LINES;
        if (over <= 0) return { lines: all, dropped: prev.dropped };
        return { lines: all.slice(over), dropped: prev.dropped + over };
      });
    };

    async function read(limit: number, waitMs: number): Promise<number> {
      const query = { after: lastSeq.current, limit, ...(waitMs > 0 ? { waitMs } : {}) };
      const page = await readLog(instanceId, query, signal);
      if (signal.aborted) return -1;
      append(page.lines);
      setFailure(null);
      setLoaded(true);
      return page.lines.length;
    }

    async function run() {
      let failures = 0;
      let graceLeft = grace;
      while (!signal.aborted) {
        const started = Date.now();
        try {
          if (live) {
            const got = await read(LIVE_LIMIT, WAIT_MS);
            if (got === 0 && Date.now() - started < IDLE_MS) await sleep(IDLE_MS, signal);
          } else {
            const got = await read(DRAIN_LIMIT, 0);
            if (got < 0) return;
            if (got < DRAIN_LIMIT) {
              if (!graceLeft) {
                setComplete(true);
                return;
              }
              graceLeft = false;
              await read(DRAIN_LIMIT, GRACE_MS);
            }
          }
          failures = 0;
        } catch (e) {
          if (signal.aborted) return;
          const final = e instanceof ApiError && [401, 403, 404, 422].includes(e.status);
          setFailure({ error: e, retrying: !final });
          setLoaded(true);
          if (final) return;
          failures += 1;
          await sleep(Math.min(1000 * 2 ** failures, 15_000), signal);
        }
      }
    }
    void run();
    return () => controller.abort();
  }, [instanceId, live]);

  return { ...buffer, failure, complete, loaded };
}
