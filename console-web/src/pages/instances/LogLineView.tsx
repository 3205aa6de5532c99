// One line of the log view; memoized, so appending lines re-renders only
// the new ones.
import { memo } from "react";
import { highlight, lineParts } from "./logText";
import type { LogLine } from "./status";

export const LogLineView = memo(function LogLineView({ line, re }: { line: LogLine; re: RegExp | null }) {
  const [time, level, task, source, message] = lineParts(line);
  return (
    <div className={`log-line log-level-${line.level}`} data-testid="log-line" data-seq={line.seq}>
      <span className="log-time">{highlight(time, re)}</span> <span className="log-lvl">{highlight(level, re)}</span>{" "}
      {task && <span className="log-task">{highlight(task, re)} </span>}
      <span className="log-source">{highlight(source, re)}</span>{" "}
      <span className="log-msg">{highlight(message, re)}</span>
    </div>
  );
});
