// Pure helpers of the worker views: numbers, ages, filtering and sorting.
import type { Schemas } from "../../api/client";

export type Worker = Schemas["WorkerInfo"];

/** GB with one decimal below 100, whole above. */
export function formatGb(gb: number): string {
  return gb >= 100 ? gb.toFixed(0) : gb.toFixed(1);
}

export type AgeUnit = "s" | "min" | "h" | "d";

/** An elapsed time in its largest whole unit. */
export function ageOf(ms: number): { unit: AgeUnit; count: number } {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return { unit: "s", count: s };
  const min = Math.floor(s / 60);
  if (min < 60) return { unit: "min", count: min };
  const h = Math.floor(min / 60);
  if (h < 48) return { unit: "h", count: h };
  return { unit: "d", count: Math.floor(h / 24) };
}

export type Tone = "ok" | "wait" | "bad";

/** The colour of a bar filled to `fraction` (1 = full). */
export function usageTone(fraction: number): Tone {
  if (fraction >= 0.9) return "bad";
  if (fraction >= 0.75) return "wait";
  return "ok";
}

/** Load per core and the share of memory and disk in use (0 when not reported). */
export function usage(w: Worker): { cpu: number; memory: number; disk: number } {
  return {
    cpu: w.cpuCores > 0 ? w.loadAverage / w.cpuCores : 0,
    memory: w.memoryTotalGb > 0 ? 1 - w.memoryAvailableGb / w.memoryTotalGb : 0,
    disk: w.diskTotalGb > 0 ? 1 - w.diskAvailableGb / w.diskTotalGb : 0,
  };
}

/** How strained a worker is (0..1): the worst of load per core, memory and disk in use. */
export function strain(w: Worker): number {
  const u = usage(w);
  return Math.max(0, Math.min(1, Math.max(u.cpu, u.memory, u.disk)));
}

/** Whether the filter text (any part of the address or of a tag) matches. */
export function matchesFilter(w: Worker, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return w.address.toLowerCase().includes(f) || w.tags.some((t) => t.toLowerCase().includes(f));
}

export type SortKey = "health" | "address" | "cpu" | "memory" | "disk";
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const compareText = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Ascending order of each key; health: alive before offline, the least strained first; resources: the least used first. */
const COMPARE: Record<SortKey, (a: Worker, b: Worker) => number> = {
  health: (a, b) => Number(b.alive) - Number(a.alive) || strain(a) - strain(b) || b.lastHeartbeat - a.lastHeartbeat,
  address: (a, b) => compareText(a.address, b.address),
  cpu: (a, b) => usage(a).cpu - usage(b).cpu,
  memory: (a, b) => usage(a).memory - usage(b).memory,
  disk: (a, b) => usage(a).disk - usage(b).disk,
};

export function sortWorkers(workers: Worker[], sort: Sort): Worker[] {
  const compare = COMPARE[sort.key];
  const sign = sort.descending ? -1 : 1;
  return [...workers].sort((a, b) => sign * compare(a, b) || compareText(a.address, b.address) || compareText(a.id, b.id));
}
