import { describe, expect, it } from "vitest";
import { worker } from "./testFixtures";
import { ageOf, formatGb, matchesFilter, sortWorkers, strain, usageTone } from "./workerModel";

describe("worker model", () => {
  it("says ages in their largest unit", () => {
    expect(ageOf(4_900)).toEqual({ unit: "s", count: 4 });
    expect(ageOf(-50)).toEqual({ unit: "s", count: 0 });
    expect(ageOf(125_000)).toEqual({ unit: "min", count: 2 });
    expect(ageOf(3 * 3_600_000)).toEqual({ unit: "h", count: 3 });
    expect(ageOf(5 * 86_400_000)).toEqual({ unit: "d", count: 5 });
  });

  it("formats GB and colours bars", () => {
    expect(formatGb(3.14159)).toBe("3.1");
    expect(formatGb(512.4)).toBe("512");
    expect(usageTone(0.2)).toBe("ok");
    expect(usageTone(0.8)).toBe("wait");
    expect(usageTone(0.95)).toBe("bad");
  });

  it("takes the worst of load, memory and disk as strain", () => {
    expect(strain(worker({ loadAverage: 2, cpuCores: 4, memoryAvailableGb: 16, diskAvailableGb: 200 }))).toBe(0.5);
    expect(strain(worker({ cpuCores: 0, memoryTotalGb: 0, diskTotalGb: 0 }))).toBe(0);
  });

  it("matches a part of the address or of a tag, in any case", () => {
    expect(matchesFilter(worker(), "")).toBe(true);
    expect(matchesFilter(worker(), "10.0.0")).toBe(true);
    expect(matchesFilter(worker(), "GPU")).toBe(true);
    expect(matchesFilter(worker(), "WASM")).toBe(false);
  });

  it("sorts alive workers first, then by address as a tie-break", () => {
    const list = [
      worker({ id: "1", address: "b", alive: false }),
      worker({ id: "2", address: "c" }),
      worker({ id: "3", address: "a" }),
    ];
    expect(sortWorkers(list, { key: "health", descending: false }).map((w) => w.address)).toEqual(["a", "c", "b"]);
    expect(sortWorkers(list, { key: "address", descending: true }).map((w) => w.address)).toEqual(["c", "b", "a"]);
  });
});
