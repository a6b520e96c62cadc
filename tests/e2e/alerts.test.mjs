// Disaster alerts as a resident sees them, against the demo city's own JMA-format messages
// (public/demo/alerts: a レベル３大雨警報 for まち市 and an earthquake with 震度4 there, replayed at
// the hub's start time): Today's top alert, the Alerts page in Japanese and English, read-aloud
// (place and action first), shelters from the area or the device's location, a stale warning when
// updates stop, and everything still there offline.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, phone, axe, shot, stopHub, waitForHubDown, firstRun, startHub, endHub } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); await startHub(); });
after(async () => { await browser?.close(); await endHub(); });

// Records what would be spoken. Headless Chromium has no voices, and read-aloud speaks only with
// a voice of the language: the device is given a Japanese and an English one.
async function recordSpeech(context) {
  await context.addInitScript(() => {
    const voices = [{ lang: "ja-JP", name: "ja" }, { lang: "en-US", name: "en" }];
    speechSynthesis.getVoices = () => voices;
    window.__spoken = [];
    speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
  });
}

test("Japanese: the warning on top of Today, the Alerts page with level, action, earthquake and shelters", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await recordSpeech(context);
  await firstRun(page, { language: "日本語", area: "北地区" });
  const top = page.locator(".top-alert .alert-card");
  await top.waitFor();
  assert.match(await top.innerText(), /警報級[\s\S]*発表[\s\S]*レベル３大雨警報[\s\S]*警戒レベル3[\s\S]*避難/);
  // The top alert comes before the date and the garbage cards.
  assert.ok(await page.evaluate(() =>
    document.querySelector(".top-alert").compareDocumentPosition(document.querySelector(".today-date")) & Node.DOCUMENT_POSITION_FOLLOWING));
  assert.deepEqual(await axe(page), []);
  await shot(page, "alerts-today-ja");

  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  await page.getByRole("heading", { level: 1, name: "防災" }).waitFor();
  assert.match(await page.locator(".demo-notice").innerText(), /デモ/);
  assert.match(await page.locator(".alerts-updated").innerText(), /最終更新/);
  const now = page.locator("section", { has: page.getByRole("heading", { name: "いま発表中の情報" }) });
  const warning = now.locator(".alert-card").first();
  assert.match(await warning.locator(".alert-kind").innerText(), /レベル３大雨警報/);
  assert.match(await warning.locator(".alert-action").innerText(), /高齢者/);
  // Severity is in words, not colour alone.
  assert.match(await warning.locator(".alert-severity").innerText(), /警報級/);
  const quake = page.locator("section", { has: page.getByRole("heading", { name: "最新の地震" }) });
  assert.match(await quake.locator(".quake-here").innerText(), /震度4/);
  assert.match(await quake.innerText(), /デモ県沖[\s\S]*M5\.2/);
  // The original text, one tap away.
  await warning.locator(".alert-original summary").click();
  assert.match(await warning.locator(".alert-original").innerText(), /浸水に警戒[\s\S]*デモ地方気象台/);
  // History of 72 hours holds both.
  assert.ok(await page.locator(".history li").count() >= 2);
  // Shelters: from the area's reference point, for the dangers in force (heavy rain: flood or landslide).
  const shelters = page.locator(".shelters .shelter");
  assert.match(await page.locator("#alerts-shelters + p").innerText(), /地区からの距離/);
  assert.equal(await shelters.first().locator("h3").innerText(), "まち市立北小学校");
  assert.match(await shelters.first().locator(".shelter-distance").innerText(), /^\d+ m$/);
  assert.match(await shelters.first().locator("a").getAttribute("href"), /destination=31\.512300,141\.501200/);
  // 駅前公園 is designated for earthquakes and fires only: hidden until the filter is off.
  assert.equal(await page.locator(".shelter h3", { hasText: "駅前公園" }).count(), 0);
  await page.getByRole("checkbox", { name: /発表中の災害に対応/ }).uncheck();
  await page.locator(".shelter h3", { hasText: "駅前公園" }).waitFor();
  assert.deepEqual(await axe(page), []);
  await shot(page, "alerts-ja");

  // Read aloud: the place and the action first.
  await warning.getByRole("button", { name: "読み上げる" }).click();
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.at(-1).lang, "ja-JP");
  assert.match(spoken.at(-1).text, /^まち市（デモ）。高齢者/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("English: names and actions from the codes, the original Japanese beside, read aloud in English", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await recordSpeech(context);
  await firstRun(page, { language: "English", area: "South district" });
  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  await page.getByRole("heading", { level: 1, name: "Alerts" }).waitFor();
  const warning = page.locator(".alert-card").first();
  await warning.waitFor();
  assert.equal(await warning.locator(".alert-kind").innerText(), "Level 3 heavy rain warning");
  assert.match(await warning.locator(".alert-level").innerText(), /Alert level 3/);
  assert.match(await warning.locator(".alert-action").innerText(), /Older people/);
  assert.match(await warning.locator(".alert-badge").innerText(), /Warning\s*·\s*issued/);
  assert.match(await page.locator(".quake-here").innerText(), /Seismic intensity 4/);
  assert.equal(await warning.locator(".alert-original p[lang=ja]").first().count(), 1);
  await warning.getByRole("button", { name: "Read aloud" }).click();
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.at(-1).lang, "en-US");
  assert.match(spoken.at(-1).text, /^Machi City \(demo\)\. Older people/);
  // South district's reference point: the nearest shelter is the south junior high school.
  assert.equal(await page.locator(".shelters .shelter h3").first().innerText(), "まち市立南中学校");
  assert.deepEqual(await axe(page), []);
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  await page.locator('input[name=text-size][value="200"]').check();
  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  await page.locator(".alert-card").first().waitFor();
  assert.deepEqual(await axe(page), []);
  assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, page.viewportSize().width));
  await shot(page, "alerts-en-200");
  assert.deepEqual(errors, []);
  await context.close();
});

test("shelters from my location, asked only when I tap, kept across the minute's refresh", async () => {
  const { context, page } = await phone(browser, "en-US");
  await context.clock.install();
  await firstRun(page, { language: "English", area: "North district" });
  // Standing at 山手 (the hillside).
  await context.grantPermissions(["geolocation"], { origin: BASE });
  await context.setGeolocation({ latitude: 31.5212, longitude: 141.4874 });
  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  await page.getByRole("checkbox", { name: /Only sites/ }).uncheck();
  assert.equal(await page.locator(".shelters .shelter h3").first().innerText(), "まち市立北小学校");
  await page.getByRole("button", { name: "Use my location" }).click();
  await page.getByText("Distances from where you are.").waitFor();
  assert.equal(await page.locator(".shelters .shelter h3").first().innerText(), "山手コミュニティセンター");
  assert.match(await page.locator(".shelters .shelter-distance").first().innerText(), /^\d+ m$/);
  // The app asks the hub again every minute; the "last updated" time moves, my choice stays.
  const before = await page.locator(".alerts-updated").innerText();
  await page.clock.runFor(61_000);
  await page.waitForFunction((b) => document.querySelector(".alerts-updated").innerText !== b, before);
  assert.equal(await page.getByText("Distances from where you are.").count(), 1);
  assert.equal(await page.locator(".shelters .shelter h3").first().innerText(), "山手コミュニティセンター");
  await context.close();
});

test("when updates stop, the page says the alerts may be out of date", async () => {
  const { context, page } = await phone(browser, "en-US");
  // The fake clock goes in before the app loads: the minified JS glue reads `Date` once, when it
  // loads (a later fake would not reach the app).
  await context.clock.install();
  await firstRun(page, { language: "English", area: "North district" });
  // Two hours later, with the last successful update still the one from now.
  await context.clock.setFixedTime(new Date(Date.now() + 2 * 3600 * 1000));
  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  await page.getByRole("alert").filter({ hasText: "may be out of date" }).waitFor();
  await shot(page, "alerts-stale-en");
  await context.close();
});

// Last: it stops the hub.
test("offline: the alerts and shelters seen last are still there", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.locator("nav.bottom-nav a[href='/alerts']").click();
  // The Alerts page's own cards: Today's top alert is the same card, and the page's code may
  // still be on its way (the navigation ends when it has come).
  const cards = page.locator(".page.alerts .alert-card");
  await cards.first().waitFor();
  await page.reload();
  await cards.first().waitFor();
  const restart = stopHub();
  try {
    await waitForHubDown();
    await context.setOffline(true);
    await page.reload();
    await page.locator(".status-offline").waitFor();
    assert.match(await cards.locator(".alert-kind").first().innerText(), /レベル３大雨警報/);
    await page.locator(".shelters .shelter").first().waitFor();
    await page.locator("nav.bottom-nav a[href='/']").click();
    await page.locator(".top-alert .alert-card").waitFor();
    await shot(page, "alerts-offline-ja");
  } finally {
    await context.setOffline(false);
    await context.close();
    await restart();
  }
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
