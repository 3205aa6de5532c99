// Clocks of the time card: offsets as "UTC+08:00" and times in a zone the
// browser may not know.
import { formatTime } from "../../components/format";

/** Minutes east of UTC as `UTC+08:00` / `UTC-05:30`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(Math.round(minutes));
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `UTC${sign}${hh}:${mm}`;
}

/** The browser's offset from UTC at `ms`, minutes east. */
export function browserOffsetMinutes(ms: number): number {
  const offset = -new Date(ms).getTimezoneOffset();
  return offset === 0 ? 0 : offset; // no -0
}

/** `YYYY-MM-DD HH:MM:SS` in `timeZone`; by the offset alone if the browser does not know the zone. */
export function formatInZone(ms: number, timeZone: string | undefined, offsetMinutes: number): string {
  try {
    return formatTime(ms, timeZone);
  } catch {
    return formatTime(ms + offsetMinutes * 60_000, "UTC");
  }
}

/** Splits `YYYY-MM-DD HH:MM:SS` into its date and its time of day. */
export function splitDateTime(text: string): { date: string; time: string } {
  const [date = "", time = ""] = text.split(" ");
  return time ? { date, time } : { date: "", time: text };
}

/** How far the server's clock is ahead of the browser's, whole seconds, when it is worth saying (≥ 3 s). */
export function clockSkewSeconds(serverTime: number, receivedAt: number): number | null {
  const skew = Math.round((serverTime - receivedAt) / 1000);
  return Math.abs(skew) >= 3 ? skew : null;
}
