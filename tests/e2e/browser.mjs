// Shared set-up for the end-to-end tests: each test file's own hub, the system Chromium through
// playwright-core, a phone-sized context, axe-core.
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { cpSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/// The address of this file's hub (set by `startHub`), or of a hub given with MACHI_URL.
export let BASE = process.env.MACHI_URL?.replace(/\/$/, "");
export const SHOTS = process.env.MACHI_SCREENSHOTS ?? join("target", "screenshots", "manual");
mkdirSync(SHOTS, { recursive: true });

/// The system Chromium and its flags, for Playwright here and for Lighthouse
/// (scripts/bench-lighthouse.mjs). Without the last three, Chromium's connections are refused on
/// a closed network (as CI's is).
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
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

/// This file's hub: its command line, state directory and running process.
let hub = null;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/// Starts a hub of its own for the calling test file, on a free port with a fresh state directory
/// and the release build (MACHI_HUB_BIN, MACHI_CITIES, MACHI_DIST; scripts/test sets them), so no
/// test file depends on another having run before it. `dist` serves another copy of the app (see
/// `copyOfDist`). `cities` is another cities directory, `args` more command-line options (a test's
/// own city files; `--push-allow-loopback` for a local push service). Does nothing when MACHI_URL
/// names a hub already running. `refreshSecs`: seconds between the hub's ticks (1 for tests, so a
/// changed file is seen at once; the benchmarks keep the hub's default, quiet while measuring).
export async function startHub({ dist, cities, args = [], refreshSecs = 1 } = {}) {
  if (process.env.MACHI_URL) return;
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "machi-e2e-"));
  const logs = process.env.MACHI_TEST_LOGS ?? state;
  mkdirSync(logs, { recursive: true });
  hub = {
    bin: process.env.MACHI_HUB_BIN ?? join("target", "release", "machi-hub"),
    args: [
      "serve", "--cities", cities ?? process.env.MACHI_CITIES ?? "cities",
      "--dist", dist ?? process.env.MACHI_DIST ?? "dist",
      "--addr", `127.0.0.1:${port}`, "--refresh-secs", String(refreshSecs), "--state-dir", state, ...args,
    ],
    log: join(logs, `hub-${basename(process.argv[1] ?? "e2e", ".test.mjs")}.log`),
    state,
    child: null,
  };
  BASE = `http://127.0.0.1:${port}`;
  await runHub();
}

async function runHub() {
  const out = openSync(hub.log, "a");
  hub.child = spawn(hub.bin, hub.args, { stdio: ["ignore", out, out] });
  const exited = new Promise((resolve) => hub.child.once("exit", resolve));
  hub.exited = exited;
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${BASE}/healthz`)).ok) return; } catch { /* not up yet */ }
    if (hub.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the hub did not start; see ${hub.log}`);
}

/// Stops this file's hub for good and removes its state (call it in `after`).
export async function endHub() {
  if (!hub) return;
  if (hub.child?.exitCode === null) {
    hub.child.kill("SIGTERM");
    await hub.exited;
  }
  rmSync(hub.state, { recursive: true, force: true });
  hub = null;
}

/// A copy of the built app for a hub of its own, for a test that publishes a new build.
export function copyOfDist() {
  const copy = mkdtempSync(join(tmpdir(), "machi-dist-"));
  cpSync(process.env.MACHI_DIST ?? "dist", copy, { recursive: true });
  return copy;
}

/// Stops this file's hub (for offline tests) and returns a function that starts it again, with
/// the same state.
export function stopHub() {
  hub?.child?.kill("SIGTERM");
  return async function restart() {
    if (!hub) return;
    await hub.exited;
    await runHub();
  };
}

export async function waitForHubDown() {
  for (let i = 0; i < 100; i++) {
    try { await fetch(`${BASE}/healthz`); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the hub did not stop");
}
