// The app as a resident uses it, in headless Chromium against the hub and the demo city:
// first run, every page, language and text size surviving a reload, offline after a first visit,
// axe-core on every page in Japanese and English at 100% and 200% text, phone screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, SHOTS, launch, phone, axe, shot, stopHub, waitForHubDown, firstRun, startHub, endHub, copyOfDist } from "./browser.mjs";

const PAGES = [
  { path: "/", name: "today", h1: { ja: "きょう", en: "Today" } },
  { path: "/garbage", name: "garbage", h1: { ja: "ごみ", en: "Garbage" } },
  { path: "/alerts", name: "alerts", h1: { ja: "防災", en: "Alerts" } },
  { path: "/nursery", name: "nursery", h1: { ja: "保育所", en: "Nursery" } },
  { path: "/meetings", name: "meetings", h1: { ja: "会議", en: "Meetings" } },
  { path: "/settings", name: "settings", h1: { ja: "設定", en: "Settings" } },
  { path: "/about", name: "about", h1: { ja: "出典とライセンス", en: "Sources and licences" } },
  { path: "/welcome", name: "welcome", h1: { ja: "まちへようこそ", en: "Welcome to Machi" } },
];

let browser;
// This file publishes a new build (the update test), so its hub serves a copy of the app.
let dist;
before(async () => {
  browser = await launch();
  dist = copyOfDist();
  await startHub({ dist });
  console.log(`screenshots: ${SHOTS}`);
});
after(async () => {
  await browser?.close();
  await endHub();
  rmSync(dist, { recursive: true, force: true });
});

test("first run: choose language, municipality and area, then see Today", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/welcome$/);
  await shot(page, "first-run-en");
  await firstRun(page, { language: "English", area: "North district" });
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  assert.match(await page.locator(".today-place").innerText(), /Machi City \(demo\) · North district/);
  // Remembered: a reload stays on Today, not first run.
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a first visit starts the only municipality's feeds before the app has loaded", async () => {
  // index.html's head script reads /feeds/index.bin (postcard) itself: with one municipality it
  // starts that one's Today feeds while the wasm is still on its way (held back here).
  const { context, page, errors } = await phone(browser, "ja-JP");
  const requested = [];
  let wasmServed = false;
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/feeds/")) requested.push({ path, beforeWasm: !wasmServed });
  });
  await page.route(/_bg\.wasm$/, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    wasmServed = true;
    await route.continue();
  });
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/welcome$/);
  await page.getByRole("radio", { name: "北地区" }).waitFor();
  const early = requested.filter((r) => r.beforeWasm).map((r) => r.path);
  const started = ["/feeds/index.bin", "/feeds/demo/city.bin", "/feeds/demo/garbage.bin", "/feeds/demo/alerts.bin"];
  for (const feed of started) {
    assert.ok(early.includes(feed), `${feed} not started early: ${JSON.stringify(requested)}`);
  }
  // The app took those responses, and asked the meetings feed (which it starts itself, once
  // the city feed lists its source) once too: no feed was asked twice.
  await page.waitForLoadState("networkidle");
  const paths = requested.map((r) => r.path);
  assert.ok(paths.includes("/feeds/demo/meetings.bin"), JSON.stringify(paths));
  assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) !== i), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("every page in Japanese and English, at 100% and 200% text: headings, axe, screenshots", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await firstRun(page, { language: "日本語", area: "北地区" });
  const failures = [];
  for (const lang of ["ja", "en"]) {
    for (const size of ["100", "200"]) {
      await page.goto(`${BASE}/settings`);
      await page.getByRole("radio", { name: lang === "ja" ? "日本語" : "English" }).check();
      await page.locator(`input[name=text-size][value="${size}"]`).check();
      await page.waitForFunction(([l, s]) =>
        document.documentElement.dataset.lang === l && document.documentElement.dataset.text === s, [lang, size]);
      for (const p of PAGES) {
        // Navigate as a resident does where there is a link (at large text some are under
        // "More"); load directly otherwise.
        const link = page.locator(`nav.bottom-nav a[href="${p.path}"]`);
        if (p.path !== "/welcome" && (await link.count()) > 0) {
          if (!(await link.isVisible())) await page.locator(".nav-more button").click();
          await link.click();
        } else await page.goto(`${BASE}${p.path}`);
        await page.getByRole("heading", { level: 1, name: p.h1[lang] }).waitFor();
        const violations = await axe(page);
        if (violations.length) failures.push(`${lang} ${size}% ${p.path}: ${violations.join("; ")}`);
        // Nothing wider than the phone: sideways scrolling breaks reading at large text sizes.
        // (Against the phone's width: a mobile browser widens its layout viewport to the content.)
        const wide = await page.evaluate((w) => document.documentElement.scrollWidth - w, page.viewportSize().width);
        if (wide > 0) failures.push(`${lang} ${size}% ${p.path}: ${wide}px wider than the screen`);
        await shot(page, `${lang}-${size}-${p.name}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("language, text size, contrast and place survive a reload", async () => {
  const { context, page } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "South district" });
  await page.goto(`${BASE}/settings`);
  await page.getByRole("radio", { name: "やさしい にほんご" }).check();
  await page.locator('input[name=text-size][value="150"]').check();
  await page.locator("input[name=contrast]").check();
  await page.reload();
  await page.locator("h1 ruby").first().waitFor();
  const root = await page.evaluate(() => ({ ...document.documentElement.dataset, lang: document.documentElement.lang }));
  assert.equal(root.lang, "ja");
  assert.equal(root.text, "150");
  assert.equal(root.contrast, "high");
  // Easy Japanese shows furigana: 設定 with its reading せってい.
  assert.equal(await page.locator("h1 ruby rt").first().innerText(), "せってい");
  const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(size, "24px");
  await shot(page, "easy-japanese-150-contrast-settings");
  await page.goto(`${BASE}/`);
  // The place comes with the city feed, a moment after the page.
  await page.locator(".app-place", { hasText: /南地区|みなみ/ }).waitFor();
  await context.close();
});

test("keyboard: the skip link is first and moves focus to the content", async () => {
  const { context, page } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.className);
  assert.equal(focused, "skip-link");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "main");
  // After moving between pages, focus is on the new page's content, so a screen reader reads it
  // and the next Tab goes into the page rather than back to the top.
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "main");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.closest("main") !== null), true);
  await context.close();
});

test("links move between pages without reloading, and Back returns", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.evaluate(() => { window.__samePage = true; });
  await page.locator("nav.bottom-nav a[href='/garbage']").click();
  await page.getByRole("heading", { level: 1, name: "Garbage" }).waitFor();
  assert.equal(await page.locator("nav.bottom-nav a[aria-current=page]").getAttribute("href"), "/garbage");
  await page.locator("a[href='/about']").first().click();
  await page.getByRole("heading", { level: 1, name: "Sources and licences" }).waitFor();
  await page.goBack();
  await page.getByRole("heading", { level: 1, name: "Garbage" }).waitFor();
  await page.goBack();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  assert.equal(await page.evaluate(() => window.__samePage), true, "a link reloaded the page");
  assert.deepEqual(errors, []);
  await context.close();
});

test("an unknown municipality in the URL gets a clear message, not a blank page", async () => {
  const { context, page } = await phone(browser, "en-US");
  await page.goto(`${BASE}/c/atlantis`);
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /atlantis/);
  assert.equal(await page.getByRole("link", { name: "Choose a municipality" }).count(), 1);
  await shot(page, "unknown-city-en");
  // A known one leads on to choosing the area.
  await page.goto(`${BASE}/c/demo`);
  await page.waitForURL(/\/welcome$/);
  await context.close();
});

test("a page that does not exist says so", async () => {
  const { context, page } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.goto(`${BASE}/no/such/page`);
  await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
  await context.close();
});

test("the read-aloud button speaks in the current language", async () => {
  const { context, page } = await phone(browser, "en-US");
  // Record what would be spoken: headless Chromium has no voices to listen with, so the device
  // is given an English and a Japanese one.
  await context.addInitScript(() => {
    const voices = [{ lang: "ja-JP", name: "ja" }, { lang: "en-US", name: "en" }];
    speechSynthesis.getVoices = () => voices;
    window.__spoken = [];
    const real = speechSynthesis.speak.bind(speechSynthesis);
    speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); real(u); };
  });
  await firstRun(page, { language: "English", area: "North district" });
  // The place is part of what is read: wait for the city's feed (a loaded machine is slow).
  await page.locator(".today-place").waitFor();
  // Today's own button (an alert in force has its own above it).
  await page.locator("article.today > button.read-aloud").click();
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.length, 1);
  assert.equal(spoken[0].lang, "en-US");
  assert.match(spoken[0].text, /North district/);
  await context.close();
});

test("no read-aloud button where the browser has no speech", async () => {
  const { context, page } = await phone(browser, "en-US");
  await context.addInitScript(() => { delete Window.prototype.speechSynthesis; delete window.speechSynthesis; });
  await firstRun(page, { language: "English", area: "North district" });
  assert.equal(await page.evaluate(() => "speechSynthesis" in window), false);
  assert.equal(await page.locator("button.read-aloud").count(), 0);
  await context.close();
});

test("installable: the manifest, its icons and the service worker are what a browser needs", async () => {
  const { context, page } = await phone(browser, "en-US");
  await page.goto(`${BASE}/welcome`);
  const href = await page.locator("link[rel=manifest]").getAttribute("href");
  const response = await page.request.get(`${BASE}${href}`);
  assert.equal(response.headers()["content-type"], "application/manifest+json");
  const manifest = await response.json();
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.name && manifest.short_name && manifest.start_url && manifest.theme_color);
  const sizes = manifest.icons.map((i) => `${i.sizes}:${i.purpose ?? "any"}`);
  for (const want of ["192x192:any", "512x512:any", "512x512:maskable"]) assert.ok(sizes.includes(want), `${want} in ${sizes}`);
  for (const icon of manifest.icons) {
    const r = await page.request.get(new URL(icon.src, `${BASE}/`).href);
    assert.equal(r.status(), 200, icon.src);
    assert.equal(r.headers()["content-type"], icon.type);
  }
  const sw = await page.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
  assert.equal(sw, `${BASE}/sw.js`);
  await context.close();
});

test("a new version waits until the resident taps 'reload to update', then replaces the old cache", async () => {
  const { context, page } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const before = await page.evaluate(() => caches.keys());
  const oldShell = before.find((k) => k.startsWith("machi-shell-"));
  assert.ok(oldShell, `no shell cache in ${before}`);

  // Publish a new build as a deploy would: a service worker with a new build id.
  const swPath = join(dist, "sw.js");
  const original = readFileSync(swPath, "utf8");
  writeFileSync(swPath, original.replace(/const BUILD = "([0-9a-f]+)"/, 'const BUILD = "$1-next"'));
  try {
    await new Promise((r) => setTimeout(r, 1500)); // the test hub re-reads dist/ every second
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const banner = page.locator(".status-update");
    await banner.waitFor();
    assert.match(await banner.innerText(), /A new version of Machi is ready/);
    await shot(page, "update-ready-en");
    // The old version keeps running until the resident chooses.
    assert.ok((await page.evaluate(() => caches.keys())).includes(oldShell));
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Reload to update" }).click(),
    ]);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
    await page.waitForFunction((old) => caches.keys().then((k) => !k.includes(old)), oldShell);
    const after = await page.evaluate(() => caches.keys());
    assert.ok(after.some((k) => k.startsWith("machi-shell-") && k.endsWith("-next")), String(after));
    assert.equal(await page.locator(".status-update").count(), 0);
  } finally {
    writeFileSync(swPath, original);
    await new Promise((r) => setTimeout(r, 1500));
  }
  await context.close();
});

test("a page whose code has not arrived: the resident stays where they are, and it opens once it can be fetched", async () => {
  // Every page but Today and Welcome is a module of its own (scripts/tools/wasm-bindgen). Here the
  // network fails for those modules from the start, so the service worker cannot precache them
  // either: the resident is offline before the app had them.
  const { context, page, errors } = await phone(browser, "en-US");
  let blocked = 0;
  const split = /\/(split|chunk)_[^/]*\.wasm$/;
  const fail = (route) => {
    blocked += 1;
    return route.abort("internetdisconnected");
  };
  await context.route(split, fail);
  await firstRun(page, { language: "English", area: "North district" });
  const before = blocked;
  await page.locator("nav.bottom-nav a[href='/garbage']").click();
  for (let i = 0; i < 100 && blocked === before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(blocked > before, "the garbage page's modules were asked for");
  // Still on Today, and the app still works: a failed load must not stop it.
  await new Promise((r) => setTimeout(r, 500));
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  await context.unroute(split, fail);
  await page.getByRole("heading", { level: 1, name: "Garbage" }).waitFor({ timeout: 15_000 });
  await page.locator("nav.bottom-nav a[href='/']").click();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
  await context.close();
});

test("offline after a first visit: the app reloads from the service worker with its data", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Once controlled, the feeds go through the worker's cache.
  await page.reload();
  await page.locator(".app-place").filter({ hasText: "North district" }).waitFor();
  const restart = stopHub();
  await waitForHubDown();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  await page.locator(".status-offline").waitFor();
  assert.match(await page.locator(".app-place").innerText(), /North district/);
  assert.match(await page.locator(".status-age").innerText(), /Data as of/);
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await shot(page, "offline-en-settings");
  await page.goto(`${BASE}/`).catch(() => {});
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  await shot(page, "offline-en-today");
  await context.setOffline(false);
  await context.close();
  await restart();
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
