#!/usr/bin/env python3
"""Peer benchmark: wasmjob's map-reduce example, done on Dask distributed.

Mirrors guest-examples/map-reduce with batchSize=1:
  * split: N payloads, the JSON text {"first":i,"count":1} (the root task's map);
  * map: one Dask task per payload: parse the JSON, draw a random percent,
    succeed when it is below --success-rate and return
    (True, "processed 1 ids from i"), else (False, "batch from i failed (roll r)").
    A failure is a returned value, not an exception, as in wasmjob, so that the
    reduce still runs;
  * reduce: one task on the cluster (client.submit(reduce, futures)) that counts
    succeeded and failed subtasks and returns {"succeeded":S,"failed":F}.

The timed window runs from building the payloads to having the reduce's result
back in the client. Starting the LocalCluster is timed separately.

Prints exactly one JSON line on stdout; progress and notes go to stderr.
Exit status: 0 on success and on a reported timeout ("timedOut":true); 1 when
the timed window failed (JSON with "error"); other non-zero, with no JSON, when
the cluster could not be started.
"""

import argparse
import json
import logging
import os
import platform
import random
import signal
import sys
import threading
import time


def subtask(payload, success_rate):
    """One map subtask: the payload is the JSON text of one batch of ids."""
    batch = json.loads(payload)
    roll = random.randrange(100)
    if roll < success_rate:
        return True, f"processed {batch['count']} ids from {batch['first']}"
    return False, f"batch from {batch['first']} failed (roll {roll})"


def reduce(results):
    """Counts what happened; returns the same JSON text as wasmjob's reduce."""
    succeeded = failed = 0
    for ok, _msg in results:
        if ok:
            succeeded += 1
        else:
            failed += 1
    return json.dumps({"succeeded": succeeded, "failed": failed}, separators=(",", ":"))


def _progress(dask_scheduler):
    """(subtasks finished, workers connected), read on the scheduler in O(1)."""
    prefix = dask_scheduler.task_prefixes.get("subtask")
    counts = prefix.state_counts if prefix is not None else {}
    return counts.get("memory", 0) + counts.get("erred", 0), len(dask_scheduler.workers)


def _quiet_logging():
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def log(msg):
    print(f"[dask-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def status_kb(pid, field):
    """A VmHWM/VmRSS-style field of /proc/<pid>/status, in kB, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def mb(kb):
    return None if kb is None else round(kb / 1024, 1)


def peak_rss_mb(pid):
    """Peak resident set size (VmHWM) of a process, in MiB."""
    kb = status_kb(pid, "VmHWM")
    if kb is None:  # not Linux, or the process is gone: fall back to psutil's RSS now
        try:
            import psutil

            kb = psutil.Process(pid).memory_info().rss // 1024
        except Exception:
            return None
    return mb(kb)


def cpu_seconds(pid):
    """User + system CPU time a process has used so far, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subtasks", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads-per-worker", type=int, default=1)
    p.add_argument("--success-rate", type=int, default=100, help="percent, 100 = always succeed")
    p.add_argument(
        "--batch-size",
        type=int,
        default=0,
        help="futures submitted per client.map call (0 = all at once, the default)",
    )
    p.add_argument(
        "--worker-saturation",
        default=None,
        help="set distributed.scheduler.worker-saturation (Dask's default 1.1 queues tasks on the "
        "scheduler; 'inf' sends them all to the workers at once); default: leave Dask's setting",
    )
    p.add_argument("--dask-logs", action="store_true", help="let Dask log at INFO on stderr (default: WARNING)")
    p.add_argument("--timeout-s", type=float, default=1800, help="give up on the timed window after this long")
    a = p.parse_args(argv)
    if a.subtasks < 0 or a.workers < 1 or a.threads_per_worker < 1 or a.batch_size < 0 or a.timeout_s <= 0:
        p.error("--subtasks >= 0, --workers >= 1, --threads-per-worker >= 1, --batch-size >= 0, --timeout-s > 0")
    if a.worker_saturation is not None:
        try:
            a.worker_saturation = float(a.worker_saturation)
        except ValueError:
            p.error("--worker-saturation takes a number or inf")
    return a


def main(argv):
    args = parse_args(argv)

    import dask
    import distributed
    from dask.distributed import Client, LocalCluster

    if args.worker_saturation is not None:
        # The scheduler runs in this process (see schedulerInClient), so this reaches it.
        dask.config.set({"distributed.scheduler.worker-saturation": args.worker_saturation})
    saturation = dask.config.get("distributed.scheduler.worker-saturation")

    me = os.getpid()
    out = {
        "system": "dask",
        "subtasks": args.subtasks,
        "workers": args.workers,
        "seconds": None,
        "subtasksPerSecond": None,
        "schedulerPeakRssMb": None,
        "clientPeakRssMb": None,
        "startupSeconds": None,
        "result": None,
        "daskVersion": dask.__version__,
        "timedOut": False,
        # extras
        "schedulerInClient": None,
        "threadsPerWorker": args.threads_per_worker,
        "successRate": args.success_rate,
        "batchSize": args.batch_size or args.subtasks,
        "workerSaturation": str(saturation),
        "distributedVersion": distributed.__version__,
        "pythonVersion": platform.python_version(),
        "clientRssBeforeMb": None,
        "splitSeconds": None,
        "submitSeconds": None,
        "workerPeakRssMb": None,
        "clientCpuSeconds": None,
        "workerCpuSeconds": None,
    }
    emitted = threading.Lock()  # whoever takes it prints the one JSON line
    worker_pids = {}
    t0 = None

    cpu_before = {}

    def cpu_used(pid):
        now, before = cpu_seconds(pid), cpu_before.get(pid)
        return None if now is None or before is None else round(now - before, 2)

    worker_peaks = {}  # last VmHWM seen per worker, kept should the process die

    def worker_peak(pid):
        now = peak_rss_mb(pid)
        if now is not None:
            worker_peaks[pid] = max(now, worker_peaks.get(pid, 0))
        return worker_peaks.get(pid)

    def measure():
        out["clientCpuSeconds"] = cpu_used(me)
        if worker_pids:
            out["workerCpuSeconds"] = [cpu_used(pid) for pid in sorted(worker_pids.values())]
        peak = peak_rss_mb(me)
        out["clientPeakRssMb"] = peak
        if out["schedulerInClient"]:
            out["schedulerPeakRssMb"] = peak
        if worker_pids:
            out["workerPeakRssMb"] = sorted(p for p in (worker_peak(pid) for pid in worker_pids.values()) if p is not None)

    def emit():
        print(json.dumps(out, separators=(",", ":")), flush=True)

    def kill_children():
        try:
            import psutil

            procs = psutil.Process(me).children(recursive=True)
        except Exception:
            procs = []
        for pid in set(worker_pids.values()) | {p.pid for p in procs}:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def abort(error=None):
        """Report a timeout (error None, exit 0) or a failure (exit 1) and stop at once."""
        if not emitted.acquire(blocking=False):
            return
        out["timedOut"] = error is None
        if error is not None:
            out["error"] = error
        out["seconds"] = round(time.perf_counter() - t0, 3) if t0 is not None else None
        measure()
        emit()
        log(
            (f"timed out after {args.timeout_s:g} s" if error is None else f"failed: {error}")
            + "; killing the workers and exiting"
        )
        kill_children()
        os._exit(0 if error is None else 1)

    log(
        f"starting LocalCluster: {args.workers} worker processes x {args.threads_per_worker} thread(s), "
        f"worker-saturation {saturation}, dask {dask.__version__}, python {platform.python_version()}"
    )
    ts = time.perf_counter()
    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=args.threads_per_worker,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.INFO if args.dask_logs else logging.WARNING,
    )
    client = Client(cluster)
    client.wait_for_workers(args.workers)
    out["startupSeconds"] = round(time.perf_counter() - ts, 3)

    scheduler_pid = client.run_on_scheduler(os.getpid)
    out["schedulerInClient"] = scheduler_pid == me
    worker_pids.update(client.run(os.getpid))
    log(
        f"cluster up in {out['startupSeconds']} s at {cluster.scheduler_address}; scheduler pid {scheduler_pid} "
        f"({'in this client process' if out['schedulerInClient'] else 'its own process'}), "
        f"worker pids {sorted(worker_pids.values())}"
    )
    out["clientRssBeforeMb"] = mb(status_kb(me, "VmRSS"))
    for pid in [me, *worker_pids.values()]:
        cpu_before[pid] = cpu_seconds(pid)

    n = args.subtasks
    batch = args.batch_size or max(n, 1)
    watchdog = threading.Timer(args.timeout_s, abort)
    watchdog.daemon = True

    heartbeat_stop = threading.Event()

    def heartbeat():
        """Progress every 30 s; gives up when the cluster has had no worker for 30 s
        (Dask does not always bring lost workers back, and would wait for ever)."""
        beats = workerless = 0
        while not heartbeat_stop.wait(10):
            beats += 1
            try:
                done, alive = client.run_on_scheduler(_progress)
            except Exception:
                done, alive = "?", None
            for pid in worker_pids.values():
                worker_peak(pid)
            workerless = workerless + 1 if alive == 0 else 0
            if workerless >= 3:
                abort("the cluster lost all its workers")
            if beats % 3 == 0:
                log(
                    f"... {time.perf_counter() - t0:.0f} s in, {done}/{n} subtasks done, {alive} workers; "
                    f"client+scheduler RSS {mb(status_kb(me, 'VmRSS'))} MiB (peak {peak_rss_mb(me)} MiB)"
                )

    # ---- timed window -------------------------------------------------------
    t0 = time.perf_counter()
    watchdog.start()
    threading.Thread(target=heartbeat, daemon=True).start()

    try:
        # The root task's split: N payloads of one id each.
        payloads = [f'{{"first":{i},"count":1}}' for i in range(n)]
        t_split = time.perf_counter()
        out["splitSeconds"] = round(t_split - t0, 3)

        # pure=False: the subtask draws a random number, and it spares hashing every
        # argument into a key.
        futures = []
        for start in range(0, n, batch):
            futures.extend(
                client.map(subtask, payloads[start : start + batch], success_rate=args.success_rate, pure=False)
            )
            if n > batch:
                log(f"submitted {len(futures)}/{n} subtasks ({time.perf_counter() - t0:.1f} s)")
        reduced = client.submit(reduce, futures, pure=False)
        t_submit = time.perf_counter()
        out["submitSeconds"] = round(t_submit - t_split, 3)
        log(f"split {t_split - t0:.2f} s, submitted {n} subtasks + reduce in {t_submit - t_split:.2f} s; waiting")

        msg = reduced.result()
        elapsed = time.perf_counter() - t0
    except Exception as e:  # a task erred, the scheduler went away, ...
        abort(f"{type(e).__name__}: {e}")
    # ---- end of timed window -------------------------------------------------

    watchdog.cancel()
    heartbeat_stop.set()
    if not emitted.acquire(blocking=False):  # the watchdog fired in the meantime
        time.sleep(3600)
    out["seconds"] = round(elapsed, 3)
    out["subtasksPerSecond"] = round(n / elapsed, 1) if elapsed > 0 else None
    out["result"] = json.loads(msg)
    measure()
    emit()
    log(
        f"done: {n} subtasks in {elapsed:.2f} s ({out['subtasksPerSecond']} subtasks/s), result {msg}; "
        f"peak RSS client+scheduler {out['clientPeakRssMb']} MiB, workers {out['workerPeakRssMb']} MiB"
    )

    # Teardown is not measured; bound it so a slow close cannot hang the run.
    def teardown_timeout():
        log("teardown took over 120 s; killing the workers")
        for pid in worker_pids.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

    guard = threading.Timer(120, teardown_timeout)
    guard.daemon = True
    guard.start()
    del futures, reduced
    # Workers log a "Failed to communicate with scheduler" traceback when the
    # scheduler goes first; quieten them, it is only shutdown noise.
    try:
        client.run(_quiet_logging)
    except Exception:
        pass
    _quiet_logging()
    client.close()
    cluster.close()
    guard.cancel()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
