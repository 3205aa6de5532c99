// Checks every page the end-to-end run visits, before its screenshot:
// that it fits the 1280 px viewport (no sideways scrolling of the page or
// of any table inside it), and that axe-core finds no accessibility
// violation of WCAG 2.1 A/AA on it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// Evaluated through the debugging protocol: the console's Content Security
// Policy (rightly) refuses an injected <script>.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** What is wrong with the page, one line per problem; empty when nothing is. */
export async function auditPage(page: Page): Promise<string[]> {
  return [...(await overflowProblems(page)), ...(await accessibilityProblems(page))];
}

/** The page, and every element that scrolls sideways, must fit. */
async function overflowProblems(page: Page): Promise<string[]> {
  const viewport = page.viewportSize()?.width ?? 0;
  return page.evaluate((viewport) => {
    const problems: string[] = [];
    const width = document.documentElement.scrollWidth;
    if (viewport && width > viewport) problems.push(`the page is ${width} px wide, wider than the ${viewport} px viewport`);
    for (const element of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
      if (element instanceof HTMLTextAreaElement || element instanceof HTMLInputElement) continue;
      const overflow = getComputedStyle(element).overflowX;
      if (overflow !== "auto" && overflow !== "scroll") continue;
      if (element.scrollWidth > element.clientWidth + 1) {
        const name = element.className ? `.${String(element.className).split(" ").join(".")}` : element.tagName.toLowerCase();
        problems.push(`${name} scrolls sideways: ${element.scrollWidth} px of content in ${element.clientWidth} px`);
      }
    }
    return problems;
  }, viewport);
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

/** axe-core's WCAG 2.1 A and AA rules. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
  });
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `axe ${v.id} (${v.impact ?? "?"}): ${v.help} at ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`),
  );
}
