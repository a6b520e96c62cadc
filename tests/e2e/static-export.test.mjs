// A city without servers: `machi-hub export` writes the demo city's feeds and the built app into
// one directory, a plain static file server (a few lines of node:http below, no hub running)
// serves it, and a resident chooses the demo city and reads the garbage page, the app fetching each
// feed by the content-hashed name the manifest gives. Then offline, the service worker answers.
//
// The browser's clock is fixed as in garbage.test.mjs: Wednesday 2026-12-02, 北地区, whose next
// 燃やさないごみ day is Wednesday 12-09.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { launch, phone, axe, shot } from "./browser.mjs";

const WED_DEC_2 = new Date("2026-12-02T08:00:00+09:00");
const HASHED = /\.[0-9a-f]{16}\.(json|bin)$/;
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".bin": "application/octet-stream", ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
  ".ics": "text/calendar; charset=utf-8",
};

let browser, site, server, base;

// What any static host does: files as they are, index.html for the app's routes (paths without an
// extension), hashed files cached for ever, everything else revalidated.
function serveStatic(root) {
  return createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    let file = join(root, path);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (!extname(path)) file = join(root, "index.html");
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
    } catch {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": HASHED.test(file) ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(readFileSync(file));
  });
}

before(async () => {
  site = mkdtempSync(join(tmpdir(), "machi-site-"));
  execFileSync(process.env.MACHI_HUB_BIN ?? join("target", "release", "machi-hub"), [
    "export", "--cities", process.env.MACHI_CITIES ?? "cities", "--out", site,
    "--dist", process.env.MACHI_DIST ?? "dist",
  ], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, RUST_LOG: "error" } });
  server = serveStatic(site);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (site) rmSync(site, { recursive: true, force: true });
});

test("from a static host alone, the demo city's garbage page shows the next collection days, fetched by hashed names", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await context.clock.setFixedTime(WED_DEC_2);
  const feeds = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname.startsWith("/feeds/")) feeds.push(new URL(r.url()).pathname); });

  await page.goto(`${base}/`);
  await page.waitForURL(/\/welcome$/);
  await page.getByRole("radio", { name: "日本語" }).check();
  await page.getByRole("radio", { name: "北地区" }).check();
  await page.getByRole("button", { name: /はじめる/ }).click();
  await page.waitForURL(`${base}/`);
  await page.locator("nav.bottom-nav a[href='/garbage']").click();
  await page.getByRole("heading", { level: 1, name: "ごみ" }).waitFor();
  const next = page.locator(".next").filter({ hasText: "12月9日" }).first();
  await next.waitFor();
  assert.match(await page.locator("main").innerText(), /燃やさないごみ[\s\S]*12月9日水曜日/);
  assert.equal(await page.getByRole("table").locator("caption").innerText(), "2026年12月");

  // The manifest (the one name that stays), then only hashed names for the feeds.
  const manifest = JSON.parse(readFileSync(join(site, "feeds", "manifest.json"), "utf8"));
  assert.ok(feeds.includes("/feeds/manifest.json"), feeds.join(" "));
  assert.ok(feeds.includes(`/feeds/${manifest.files["demo/garbage.bin"].file}`), feeds.join(" "));
  const others = feeds.filter((f) => f !== "/feeds/manifest.json");
  assert.ok(others.length >= 3, feeds.join(" "));
  assert.deepEqual(others.filter((f) => !HASHED.test(f)), []);
  assert.deepEqual(await axe(page), []);
  await shot(page, "static-export-garbage");
  assert.deepEqual(errors, []);

  // Offline, the service worker answers from what it kept (hashed feeds included).
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "ごみ" }).waitFor();
  await page.locator(".next").filter({ hasText: "12月9日" }).first().waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "ごみ" }).waitFor();
  await page.locator(".next").filter({ hasText: "12月9日" }).first().waitFor();
  await context.close();
});
