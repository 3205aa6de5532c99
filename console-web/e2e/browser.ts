// Debian's Chromium (apt package `chromium`) under playwright-core, with
// the flags this machine's closed network needs; playwright gives every
// launch a fresh, empty profile directory of its own.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
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
 * after checking that the page fits the viewport's width (the console
 * must work at 1280 px without scrolling sideways). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize()?.width ?? width;
  if (width > viewport) throw new Error(`page "${name}" is ${width} px wide, wider than the ${viewport} px viewport`);
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
