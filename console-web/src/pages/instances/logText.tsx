// Log lines as text (for the view and the download), the level filter and
// search highlighting.
import type { ReactNode } from "react";
import { formatTime } from "../../components/format";
import type { LogLine } from "./status";

export const LEVEL_FILTERS = ["ALL", "INFO", "WARN", "ERROR"] as const;
export type LevelFilter = (typeof LEVEL_FILTERS)[number];

const RANK: Record<string, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export function levelPasses(level: string, filter: LevelFilter): boolean {
  if (filter === "ALL") return true;
  return (RANK[level] ?? 1) >= RANK[filter];
}

/** `2024-05-01 12:00:00.123` in the browser's zone. */
export function lineTime(ms: number): string {
  return `${formatTime(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, "0")}`;
}

/** The parts of a line as shown: time, level, task, source, message. */
export function lineParts(line: LogLine): [string, string, string, string, string] {
  return [lineTime(line.time), line.level.padEnd(5), line.taskId ? `[${line.taskId}]` : "", line.source, line.message];
}

export function lineText(line: LogLine): string {
  return lineParts(line).filter(Boolean).join(" ");
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A case-insensitive matcher of `query`, or null when it is blank. */
export function matcher(query: string): RegExp | null {
  const q = query.trim();
  return q ? new RegExp(`(${escapeRegExp(q)})`, "i") : null;
}

/** `text` with every match of `re` in a `<mark>`. */
export function highlight(text: string, re: RegExp | null): ReactNode {
  if (!re) return text;
  const parts = text.split(new RegExp(re.source, "gi"));
  if (parts.length === 1) return text;
  // split with one capture group: odd indexes are the matches.
  return parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}

/** Saves `text` as a file through a temporary link. */
export function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
