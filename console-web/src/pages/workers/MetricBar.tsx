// A small filled bar with its numbers beside it: CPU load, memory, disk.
import { usageTone } from "./workerModel";

export function MetricBar({ label, fraction, text, title }: { label: string; fraction: number; text: string; title?: string }) {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const percent = Math.round(clamped * 100);
  return (
    <div className="metric" title={title}>
      <div
        className={`metric-bar metric-${usageTone(clamped)}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%`}
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <span className="metric-text">{text}</span>
    </div>
  );
}
