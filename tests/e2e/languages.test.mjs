// Every language of the catalogue, in headless Chromium against the hub and the demo city: each
// page renders in that language with nothing silently left in Japanese, fits a 390-px phone at
// 200% text, and is axe-clean; first-screen screenshots of Today, Alerts and Garbage. Then what
// large text needs (the first screen shows each page's main content, the navigation is one row,
// landscape works), loading a language (no flash of another language on a returning visit, once
// fetched and then offline, offline switching says what it needs) and read-aloud without a voice.
//
// One browser context per language and four pages each keeps this file to a few minutes on two
// cores (scripts/test prints its duration).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, launch, phone, axe, startHub, endHub, stopHub, waitForHubDown } from "./browser.mjs";
import { SHOTS } from "./browser.mjs";

// The catalogue's languages, read from its files: a language added there is tested here.
const I18N = join("crates", "machi-i18n", "i18n");
const LANGUAGES = readdirSync(I18N)
  .filter((f) => f.endsWith(".toml"))
  .map((f) => {
    const text = readFileSync(join(I18N, f), "utf8");
    const meta = (key) => text.match(new RegExp(`^${key} = "([^"]*)"`, "m"))?.[1];
    return { code: f.replace(/\.toml$/, ""), name: meta("name"), htmlLang: meta("html_lang") };
  })
  .sort((a, b) => a.code.localeCompare(b.code));

// Text in Japanese script: kana anywhere, and Han characters too where the language does not
// write them (Chinese does).
const KANA = "\\u3040-\\u30ff";
const HAN = "\\u4e00-\\u9fff";
function japaneseScript(lang) {
  if (lang.htmlLang === "ja") return null;
  return lang.htmlLang.startsWith("zh") ? `[${KANA}]` : `[${KANA}${HAN}]`;
}

const PAGES = [
  { path: "/", name: "today", shot: true },
  { path: "/alerts", name: "alerts", shot: true },
  { path: "/garbage", name: "garbage", shot: true },
  { path: "/nursery", name: "nursery", shot: false },
  { path: "/meetings", name: "meetings", shot: false },
  { path: "/meetings/past", name: "meetings-past", shot: false },
  { path: "/settings", name: "settings", shot: false },
  { path: "/about", name: "about", shot: false },
];

/// Settings as a returning resident has them (the app's `machi.settings.v1`).
function settingsFor(code, textSize = "200") {
  return JSON.stringify({ lang: code, text_size: textSize, city: "demo", area: "kita" });
}

/// A phone whose resident already chose `code` (and the demo city's North district).
async function returning(browser, code, { textSize = "200", viewport } = {}) {
  const { context, page, errors } = await phone(browser, "en-US");
  if (viewport) await page.setViewportSize(viewport);
  await context.addInitScript(([key, value]) => {
    if (!localStorage.getItem(key)) localStorage.setItem(key, value);
  }, ["machi.settings.v1", settingsFor(code, textSize)]);
  return { context, page, errors };
}

/// Waits until the page shows `lang` (its texts loaded, `<html lang>` set) and its h1.
async function shown(page, lang) {
  await page.waitForFunction((l) => document.documentElement.lang === l, lang.htmlLang);
  await page.locator("main h1").first().waitFor();
}

/// Text of the page in Japanese script outside elements marked `lang="ja"`: a missing
/// translation shown silently. Attributes (placeholders showing an example) are not text.
async function unmarkedJapanese(page, pattern) {
  return page.evaluate((p) => {
    const re = new RegExp(p);
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !re.test(n.textContent)) continue;
      // Marked as another language than the page's (Japanese, or a language's own name in
      // the picker): screen readers switch voice, nothing is silent.
      if (el.closest("[lang]")?.getAttribute("lang") !== document.documentElement.lang) continue;
      if (el.closest(".sr-only, [hidden], noscript")) continue;
      found.push(n.textContent.trim().slice(0, 60));
    }
    return found;
  }, pattern);
}

let browser;
before(async () => {
  browser = await launch();
  await startHub();
});
after(async () => {
  await browser?.close();
  await endHub();
});

test("the catalogue has the sixteen languages of the issue", () => {
  const codes = LANGUAGES.map((l) => l.code);
  for (const c of ["ja", "ja-x-easy", "en", "zh-Hans", "zh-Hant", "ko", "vi", "tl", "pt-BR", "es", "ne", "id", "th", "my", "km", "mn"]) {
    assert.ok(codes.includes(c), `${c} in ${codes}`);
  }
});

test("every language: its pages at 200% text, nothing silently Japanese, no overflow, axe-clean, first-screen screenshots", async () => {
  const failures = [];
  const started = Date.now();
  for (const lang of LANGUAGES) {
    const { context, page, errors } = await returning(browser, lang.code);
    const script = japaneseScript(lang);
    for (const p of PAGES) {
      await page.goto(`${BASE}${p.path}`);
      await shown(page, lang);
      // The page's data has arrived (the demo city's feeds).
      if (p.name === "alerts") await page.locator(".alert-card").first().waitFor();
      if (p.name === "garbage" || p.name === "today") await page.locator(".garbage-day").first().waitFor();
      if (p.name === "nursery") await page.locator(".nursery-list > li").first().waitFor();
      if (p.name === "meetings" || p.name === "meetings-past") await page.locator("h3.meeting-day").first().waitFor();
      const where = `${lang.code} ${p.path}`;
      if (script) {
        const left = await unmarkedJapanese(page, script);
        if (left.length) failures.push(`${where}: Japanese text not marked lang=ja: ${left.join(" | ")}`);
      }
      const wide = await page.evaluate((w) => document.documentElement.scrollWidth - w, page.viewportSize().width);
      if (wide > 0) failures.push(`${where}: ${wide}px wider than the screen`);
      const violations = await axe(page);
      if (violations.length) failures.push(`${where}: ${violations.join("; ")}`);
      // The first screen, as the resident sees it (not the full page).
      if (p.shot) await page.screenshot({ path: join(SHOTS, `lang-${lang.code}-200-${p.name}.png`) });
    }
    if (errors.length) failures.push(`${lang.code}: ${errors.join("; ")}`);
    await context.close();
  }
  console.log(`# ${LANGUAGES.length} languages × ${PAGES.length} pages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("200% text on a 390×844 phone: the first screen shows each page's main content, the navigation is one row", async () => {
  const failures = [];
  for (const code of ["en", "vi", "tl", "my"]) {
    const lang = LANGUAGES.find((l) => l.code === code);
    const { context, page } = await returning(browser, code);
    // On the first screen: its first line at least, above the navigation (a long name in
    // Burmese may go on below; the resident sees that it is there and what it starts with).
    const visible = async (selector) => page.locator(selector).first().evaluate((el) => {
      const r = el.getBoundingClientRect();
      const line = parseFloat(getComputedStyle(el).lineHeight) || 40;
      const nav = document.querySelector("nav.bottom-nav")?.getBoundingClientRect();
      const bottom = nav ? nav.top : innerHeight;
      return r.top >= 0 && r.top + Math.min(line, r.height) <= bottom;
    });
    await page.goto(`${BASE}/alerts`);
    await shown(page, lang);
    await page.locator(".alert-card").first().waitFor();
    if (!(await visible(".alert-card .alert-kind"))) failures.push(`${code} /alerts: the alert's name is not on the first screen`);
    if (!(await visible(".alert-card .alert-badge"))) failures.push(`${code} /alerts: the alert's severity is not on the first screen`);
    await page.goto(`${BASE}/garbage`);
    await shown(page, lang);
    await page.locator(".garbage-day").nth(1).waitFor();
    // Today's collection whole, and tomorrow's heading (its day and date) at least.
    const today = await visible(".garbage-day:nth-child(1) .garbage-none, .garbage-day:nth-child(1) .cat-list");
    if (!today) failures.push(`${code} /garbage: today's collection is not on the first screen`);
    if (!(await visible(".garbage-day:nth-child(2) .garbage-day-name"))) {
      failures.push(`${code} /garbage: tomorrow is not on the first screen`);
    }
    // One row: every visible item of the navigation on the same line, under a quarter screen.
    const nav = await page.evaluate(() => {
      const items = [...document.querySelectorAll("nav.bottom-nav > ul > li")].filter((li) => li.offsetParent !== null);
      const tops = new Set(items.map((li) => Math.round(li.getBoundingClientRect().top)));
      return { rows: tops.size, height: document.querySelector("nav.bottom-nav").getBoundingClientRect().height };
    });
    if (nav.rows !== 1) failures.push(`${code}: the navigation takes ${nav.rows} rows`);
    if (nav.height > 844 / 4) failures.push(`${code}: the navigation is ${nav.height}px high`);
    // "More" opens the other pages, and choosing one closes it.
    await page.locator(".nav-more button").click();
    await page.locator("nav.bottom-nav a[href='/settings']").click();
    await page.waitForURL(`${BASE}/settings`);
    assert.equal(await page.locator(".nav-more button").getAttribute("aria-expanded"), "false");
    await context.close();
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("landscape at 200%: no sideways scrolling, the navigation stays low, the manifest does not lock the orientation", async () => {
  const manifest = await (await fetch(`${BASE}/manifest.webmanifest`)).json();
  assert.equal(manifest.orientation, undefined, "the manifest must not lock the orientation (WCAG 1.3.4)");
  const { context, page } = await returning(browser, "pt-BR", { viewport: { width: 844, height: 390 } });
  const lang = LANGUAGES.find((l) => l.code === "pt-BR");
  for (const path of ["/", "/alerts", "/garbage", "/settings"]) {
    await page.goto(`${BASE}${path}`);
    await shown(page, lang);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(wide <= 0, `${path}: ${wide}px wider than the screen`);
    const navHeight = await page.evaluate(() => document.querySelector("nav.bottom-nav").getBoundingClientRect().height);
    assert.ok(navHeight <= 390 / 4, `${path}: the navigation is ${navHeight}px high in landscape`);
  }
  await page.screenshot({ path: join(SHOTS, "lang-pt-BR-200-landscape-settings.png") });
  await context.close();
});

test("a returning resident's language is fetched before the app starts: the first page drawn is in it", async () => {
  const { context, page } = await returning(browser, "vi", { textSize: "100" });
  // Record the first main heading ever drawn, and the language of the page then.
  await context.addInitScript(() => {
    window.__first = null;
    new MutationObserver(() => {
      const h1 = document.querySelector("main h1");
      if (h1 && !window.__first) window.__first = { text: h1.textContent, lang: document.documentElement.lang };
    }).observe(document, { childList: true, subtree: true });
  });
  const fetched = [];
  page.on("request", (r) => { if (r.url().includes("/i18n/")) fetched.push(new URL(r.url()).pathname); });
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { level: 1, name: "Hôm nay" }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__first), { text: "Hôm nay", lang: "vi" });
  // Only the chosen language's file, once: the inline script's fetch is the one the app uses.
  assert.equal(fetched.length, 1, fetched.join(", "));
  assert.match(fetched[0], /^\/i18n\/vi-[0-9a-f]{16}\.txt$/);
  // The file is named by its content: cached for good.
  const response = await page.request.get(`${BASE}${fetched[0]}`);
  assert.match(response.headers()["cache-control"], /immutable/);
  await context.close();
});

test("a language once used works offline; switching offline to one never loaded says what is needed", async () => {
  const { context, page } = await phone(browser, "en-US");
  await context.addInitScript((v) => {
    if (!localStorage.getItem("machi.settings.v1")) localStorage.setItem("machi.settings.v1", v);
  }, settingsFor("ko", "100"));
  await page.goto(`${BASE}/settings`);
  await page.getByRole("heading", { level: 1, name: "설정" }).waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Kept by the service worker, though first fetched before it controlled the page.
  await page.waitForFunction(async () => {
    const cache = await caches.open("machi-languages-v1");
    return (await cache.keys()).some((r) => /\/i18n\/ko-/.test(r.url));
  });
  const kept = await page.evaluate(async () => (await (await caches.open("machi-languages-v1")).keys()).map((r) => new URL(r.url).pathname));
  assert.equal(kept.length, 1, `only the language used is kept: ${kept}`);
  const restart = stopHub();
  try {
    await waitForHubDown();
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "설정" }).waitFor();
    // Thai was never loaded on this device: Korean stays, and the page says what Thai needs.
    await page.getByRole("radio", { name: /ไทย/ }).click();
    const status = page.locator(".status-language");
    await status.waitFor();
    assert.match(await status.innerText(), /ไทย/);
    assert.match(await status.innerText(), /인터넷/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "ko");
    assert.equal(await page.getByRole("radio", { name: /한국어/ }).isChecked(), true);
    await page.screenshot({ path: join(SHOTS, "lang-ko-offline-switch.png") });
  } finally {
    await context.setOffline(false);
    await restart();
  }
  // Online again: Thai loads.
  await page.getByRole("radio", { name: /ไทย/ }).click();
  await page.getByRole("heading", { level: 1, name: "ตั้งค่า" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "th");
  await context.close();
});

test("the picker: every language by its own name with its coverage, first on first run; one tap away on every page", async () => {
  const { context, page } = await phone(browser, "vi-VN");
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/welcome$/);
  // The browser's language is the default, and the picker comes before anything to read.
  await page.waitForFunction(() => document.documentElement.lang === "vi");
  const first = await page.evaluate(() => document.querySelector("main article > *").matches("fieldset.language-picker"));
  assert.equal(first, true);
  for (const lang of LANGUAGES) {
    const option = page.locator(`fieldset.language-picker label[lang="${lang.htmlLang}"]`, { hasText: lang.name });
    assert.equal(await option.count() >= 1, true, `${lang.code} by its own name`);
    assert.match(await option.first().innerText(), /\d/, `${lang.code} with its coverage`);
  }
  await page.getByRole("radio", { name: /Tiếng Việt/ }).waitFor();
  await page.getByRole("radio", { name: /North district|北地区/ }).check();
  await page.getByRole("button", { name: "Bắt đầu" }).click();
  await page.waitForURL(`${BASE}/`);
  // The header's language link, on every page, leads to the picker.
  await page.locator("a.lang-link").click();
  await page.waitForURL(`${BASE}/settings`);
  await page.locator("fieldset.language-picker").waitFor();
  // Not yet reviewed by a native speaker: said once, quietly, with where to report a problem.
  const note = page.locator(".translation-note");
  assert.equal(await note.count(), 1);
  assert.match(await note.innerText(), /người bản ngữ/);
  assert.equal(await note.locator("a").count(), 1);
  await context.close();
});

test("read-aloud: a language without a voice on the device says so instead of reading with another voice", async () => {
  const { context, page } = await returning(browser, "km", { textSize: "100" });
  await context.addInitScript(() => {
    // A device with Japanese and English voices only.
    const voices = [{ lang: "ja-JP", name: "ja" }, { lang: "en-US", name: "en" }];
    speechSynthesis.getVoices = () => voices;
    window.__spoken = [];
    speechSynthesis.speak = (u) => window.__spoken.push(u.lang);
  });
  await page.goto(`${BASE}/`);
  await page.waitForFunction(() => document.documentElement.lang === "km");
  const button = page.locator("article.today > button.read-aloud");
  await button.waitFor();
  assert.equal(await button.isDisabled(), true);
  assert.match(await button.innerText(), /គ្មានសំឡេង/);
  assert.deepEqual(await page.evaluate(() => window.__spoken), []);
  await context.close();
});
