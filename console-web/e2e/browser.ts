// Debian's Chromium (apt package `chromium`) under playwright-core, with
// the flags this machine's closed network needs; playwright gives every
// launch a fresh, empty profile directory of its own.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { auditPage } from "./audit";
import { ARTIFACTS } from "./standalone";

export const SCREENSHOTS = join(ARTIFACTS, "screenshots");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a full-page screenshot as e2e-artifacts/screenshots/<name>.png,
 * after checking the page with auditPage: it must fit the 1280 px viewport
 * without scrolling sideways, and pass axe-core's WCAG 2.1 AA rules. The
 * viewport grows to the page's height for the shot, so bars that stick to
 * the bottom of the window sit at the end of the page, not over its middle. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const problems = await auditPage(page);
  if (problems.length) throw new Error(`page "${name}":\n  ${problems.join("\n  ")}`);
  const path = join(SCREENSHOTS, `${name}.png`);
  const viewport = page.viewportSize();
  if (!viewport) {
    await page.screenshot({ path, fullPage: true });
    return path;
  }
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  try {
    await page.screenshot({ path });
  } finally {
    await page.setViewportSize(viewport);
  }
  return path;
}
