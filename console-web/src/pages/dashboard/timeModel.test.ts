import { describe, expect, it } from "vitest";
import { clockSkewSeconds, formatInZone, formatOffset, splitDateTime } from "./timeModel";

describe("time model", () => {
  it("writes offsets as UTC±HH:MM", () => {
    expect(formatOffset(480)).toBe("UTC+08:00");
    expect(formatOffset(0)).toBe("UTC+00:00");
    expect(formatOffset(-330)).toBe("UTC-05:30");
  });

  it("formats in a zone, or by the offset when the browser does not know the zone", () => {
    const ms = Date.UTC(2025, 5, 1, 12, 0, 0);
    expect(formatInZone(ms, "Asia/Shanghai", 480)).toBe("2025-06-01 20:00:00");
    expect(formatInZone(ms, "Nowhere/Unknown", -60)).toBe("2025-06-01 11:00:00");
    expect(splitDateTime("2025-06-01 20:00:00")).toEqual({ date: "2025-06-01", time: "20:00:00" });
  });

  it("mentions a clock skew of 3 s or more", () => {
    expect(clockSkewSeconds(10_000, 9_000)).toBeNull();
    expect(clockSkewSeconds(20_000, 10_000)).toBe(10);
    expect(clockSkewSeconds(0, 5_000)).toBe(-5);
  });
});
