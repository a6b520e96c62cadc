// Shared set-up for the end-to-end tests: the system Chromium through playwright-core, a phone-
// sized context, axe-core, and the hub the test command started.
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const BASE = (process.env.MACHI_URL ?? "http://127.0.0.1:8080/").replace(/\/$/, "");
export const SHOTS = process.env.MACHI_SCREENSHOTS ?? join("target", "screenshots", "manual");
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/// A phone: 390×844 CSS pixels (a common current smartphone), touch, in the given locale.
export async function phone(browser, locale = "ja-JP") {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  return { context, page, errors };
}

/// Completes first run through the UI: language, (the only) municipality, an area, Start.
export async function firstRun(page, { language, area }) {
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/welcome$/);
  await page.getByRole("radio", { name: language }).check();
  await page.getByRole("radio", { name: area }).check();
  await page.getByRole("button", { name: /Start|はじめる/ }).click();
  await page.waitForURL(`${BASE}/`);
}

export async function axe(page) {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

export async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/// The running hub's pid: test files run in separate processes, so a hub restarted by one file is
/// found by the next through MACHI_HUB_PIDFILE (written by scripts/test and by `restart`).
function hubPid() {
  const file = process.env.MACHI_HUB_PIDFILE;
  if (file && existsSync(file)) return Number(readFileSync(file, "utf8"));
  return Number(process.env.MACHI_HUB_PID);
}

/// Stops the hub the test command started (for offline tests) and returns a function that
/// starts it again.
export function stopHub() {
  const pid = hubPid();
  if (pid) {
    try { process.kill(pid, "SIGTERM"); } catch { /* already gone */ }
  }
  return async function restart() {
    const cmd = process.env.MACHI_HUB_CMD;
    if (!cmd) return;
    const child = spawn("bash", ["-c", `exec ${cmd}`], { stdio: "ignore", detached: true });
    child.unref();
    process.env.MACHI_HUB_PID = String(child.pid);
    if (process.env.MACHI_HUB_PIDFILE) writeFileSync(process.env.MACHI_HUB_PIDFILE, String(child.pid));
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${BASE}/healthz`)).ok) return; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the hub did not come back");
  };
}

export async function waitForHubDown() {
  for (let i = 0; i < 100; i++) {
    try { await fetch(`${BASE}/healthz`); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the hub did not stop");
}
