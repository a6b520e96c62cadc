// Meetings as a resident uses them, against the demo city's meetings (public/demo/meetings): the
// upcoming meetings by day with how to attend (moved and cancelled ones marked), the past ones
// with minutes, a meeting's page (agenda, add to calendar), following its body — and then the
// city changes the meeting's time and place: the hub's real push, sent to a local push service,
// decrypted here with the browser's key and delivered to the service worker (DevTools protocol)
// as a push service would, shows the change with date, time and place. Offline, the upcoming
// meetings are still there; axe finds nothing in Japanese and English at 100% and 200%.
//
// This file's hub reads a copy of the demo city whose meetings file the test edits, and accepts
// a push endpoint on 127.0.0.1 (MACHI_PUSH_ALLOW_LOOPBACK_TEST_ONLY, test only). The demo's dates
// move with the day the hub starts, so dates are matched by shape, not by value.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createDecipheriv, createECDH, createHmac, randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BASE, launch, phone, axe, shot, firstRun, startHub, endHub, stopHub, waitForHubDown } from "./browser.mjs";

let browser;
let work;
let csv;
let sink;
const received = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), "machi-meetings-"));
  csv = join(work, "meetings.csv");
  copyFileSync("public/demo/meetings/meetings.csv", csv);
  const cities = join(work, "cities");
  mkdirSync(cities);
  const demo = readFileSync(resolve(process.env.MACHI_CITIES ?? "cities", "demo.toml"), "utf8")
    .replace('path = "public/demo/meetings/meetings.csv"', `path = '${csv}'`);
  assert.ok(demo.includes(csv), "the demo city reads the copy");
  writeFileSync(join(cities, "demo.toml"), demo);
  process.env.MACHI_CITIES = cities;
  process.env.MACHI_PUSH_ALLOW_LOOPBACK_TEST_ONLY = "true";
  sink = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { received.push(Buffer.concat(chunks)); res.writeHead(201).end(); });
  });
  await new Promise((r) => sink.listen(0, "127.0.0.1", r));
  browser = await launch();
  await startHub();
});
after(async () => {
  await browser?.close();
  await endHub();
  sink?.close();
  rmSync(work, { recursive: true, force: true });
});

/// A browser's push keys, and a PushManager that hands the page a subscription on the local sink.
async function stubPushService(context) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const keys = { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") };
  const endpoint = `http://127.0.0.1:${sink.address().port}/push/e2e`;
  await context.addInitScript(({ keys, endpoint }) => {
    const subscription = {
      endpoint, expirationTime: null,
      toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys }; },
      async unsubscribe() { localStorage.removeItem("e2e.subscribed"); return true; },
    };
    PushManager.prototype.subscribe = async function () { localStorage.setItem("e2e.subscribed", "1"); return subscription; };
    PushManager.prototype.getSubscription = async function () { return localStorage.getItem("e2e.subscribed") ? subscription : null; };
  }, { keys, endpoint });
  return { ecdh, auth };
}

/// RFC 8291 (aes128gcm) decryption with the browser's private key: what the browser does with a push.
function decrypt(body, { ecdh, auth }) {
  const hmac = (key, data) => createHmac("sha256", key).update(data).digest();
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const serverKey = body.subarray(21, 21 + idlen);
  const sealed = body.subarray(21 + idlen);
  const ikm = hmac(hmac(auth, ecdh.computeSecret(serverKey)),
    Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), serverKey, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "latin1")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "latin1")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (plain[end] === 0) end--;
  return JSON.parse(plain.subarray(0, end).toString("utf8"));
}

const card = (page, title) => page.locator("li.meeting").filter({ has: page.getByRole("link", { name: title, exact: true }) });

test("Meetings: upcoming by day with how to attend, moved and cancelled marked, past with minutes", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.locator("nav.bottom-nav a[href='/meetings']").click();
  await page.getByRole("heading", { level: 1, name: "会議" }).waitFor();
  await page.getByRole("heading", { level: 2, name: "これから60日" }).waitFor();
  // Grouped by day: each day a heading with its weekday.
  const days = await page.locator("h3.meeting-day").allInnerTexts();
  assert.ok(days.length >= 6, days.join(" / "));
  assert.ok(days.every((d) => /^\d+月\d+日(?:（.）|.曜日)$/.test(d)), days.join(" / "));

  const plan = card(page, "第3回 まち市都市計画審議会");
  const text = await plan.innerText();
  assert.match(text, /審議会\s*·\s*まち市都市計画審議会/);
  assert.match(text, /\d+月\d+日(?:（.）|.曜日) 14:00〜16:00/);
  assert.match(text, /まち市役所 3階 大会議室 デモ県まち市本町1-1/);
  assert.match(text, /傍聴できます · 傍聴席 10席/);
  assert.match(text, /申込方法：電話（0123-45-6789）/);
  assert.match(text, /\d+月\d+日(?:（.）|.曜日) 17:00までに申込み（(あと\d+日|今日まで)）/);
  assert.equal(await plan.getByRole("link", { name: "地図で見る" }).getAttribute("target"), "_blank");

  const moved = card(page, "総務常任委員会");
  assert.match(await moved.innerText(), /変更[\s\S]*13:30〜15:00[\s\S]*変更前：\d+月\d+日(?:（木）|木曜日) 10:00/);
  const cancelled = card(page, "第4回 まち市子ども・子育て会議");
  assert.match(await cancelled.locator(".badge").innerText(), /中止/);
  assert.equal(await cancelled.locator(".meeting-deadline").count(), 0, "no deadline for a cancelled meeting");
  assert.match(await card(page, "第2回 まち市地域公共交通協議会").innerText(), /非公開（傍聴できません）/);
  // The plenary from the council's iCalendar (a recurrence rule) is there too, and "later".
  assert.ok(await page.locator("#meetings-later ~ * li.meeting, section:has(#meetings-later) li.meeting").count() > 3);
  // Notices from the city's news: one without a date, said so.
  const notices = await page.locator("ul.notices").innerText();
  assert.match(notices, /まち市国民健康保険運営協議会の開催について\s*日付はお知らせに書かれていません/);
  assert.doesNotMatch(notices, /委員を募集します|ごみ収集/);
  // The calendar subscription: one tap (webcal) and the address to copy.
  const webcal = await page.locator("#meetings-subscribe ~ .subscribe a.button, section:has(#meetings-subscribe) a.button").getAttribute("href");
  assert.equal(webcal, `webcal://${new URL(BASE).host}/feeds/demo/meetings.ja.ics`);
  assert.equal(await page.getByRole("textbox", { name: "カレンダーのアドレス（コピーして使えます）" }).inputValue(), `${BASE}/feeds/demo/meetings.ja.ics`);
  assert.deepEqual(await axe(page), []);
  await shot(page, "meetings-ja");

  await page.getByRole("link", { name: "これまで" }).click();
  await page.waitForURL(/\/meetings\/past$/);
  const past = card(page, "第2回 まち市都市計画審議会");
  await past.waitFor();
  assert.equal(await past.getByRole("link", { name: "会議録" }).getAttribute("href"),
    "https://www.city.machi.example/toshikeikaku/shingikai/2/gijiroku.pdf");
  assert.deepEqual(await axe(page), []);
  await shot(page, "meetings-past-ja");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a meeting's page: add to calendar, follow its body, and the city's change arrives as a push", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await context.grantPermissions(["notifications"], { origin: BASE });
  const keys = await stubPushService(context);
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.locator("nav.bottom-nav a[href='/meetings']").click();
  await page.getByRole("link", { name: "第3回 まち市都市計画審議会", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "第3回 まち市都市計画審議会" }).waitFor();
  assert.deepEqual(await page.locator("ol.agenda li").allInnerTexts(),
    ["まち市都市計画マスタープランの見直し（答申案）", "駅前地区の用途地域の変更について"]);
  await page.getByRole("heading", { level: 2, name: "傍聴するには" }).waitFor();
  const id = page.url().split("/").pop();

  // Add to calendar: this meeting's .ics, with its page, place and how to attend.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "カレンダーに追加（.ics）" }).click(),
  ]);
  const ics = readFileSync(await download.path(), "utf8").replace(/\r\n /g, "");
  assert.equal(ics.match(/BEGIN:VEVENT/g).length, 1);
  assert.match(ics, /SUMMARY:第3回 まち市都市計画審議会\r\n/);
  assert.match(ics, new RegExp(`URL:${BASE}/meetings/${id}\r\n`));
  assert.match(ics, /傍聴するには: 傍聴できます/);

  // Follow the body: the permission is asked, the hub stores the followed body.
  await page.getByRole("button", { name: "フォローする" }).click();
  await page.locator(".follow-status").filter({ hasText: "フォローを保存しました" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "フォロー中" }).getAttribute("aria-pressed"), "true");
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("machi.settings.v1")));
  const view = await (await page.request.get(`${BASE}/api/push/subscriptions/${saved.push.id}`,
    { headers: { authorization: `Bearer ${saved.push.secret}` } })).json();
  assert.deepEqual(view.topics.meetings.bodies, saved.follows);
  assert.deepEqual(await axe(page), []);
  await shot(page, "meeting-ja");

  // Today shows the followed body's next meeting.
  await page.locator("nav.bottom-nav a[href='/']").click();
  const today = page.locator("section.today-meetings");
  await today.getByRole("heading", { name: "フォローしている会議体" }).waitFor();
  assert.match(await today.innerText(), /第3回 まち市都市計画審議会/);
  assert.deepEqual(await axe(page), []);
  await shot(page, "today-meetings-ja");

  // The city moves the meeting an hour later to another hall: the hub tells the follower.
  const edited = readFileSync(csv, "utf8").replace(
    ",第3回 まち市都市計画審議会,2026-12-15,14:00,16:00,まち市役所 3階 大会議室,",
    ",第3回 まち市都市計画審議会,2026-12-15,15:00,17:00,まち市民会館 第2会議室,");
  assert.notEqual(edited, readFileSync(csv, "utf8"));
  writeFileSync(`${csv}.new`, edited);
  renameSync(`${csv}.new`, csv);
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 1, "one push, to the one follower");
  const payload = decrypt(received[0], keys);
  assert.equal(payload.title, "変更：まち市都市計画審議会");
  assert.match(payload.body, /^\d+月\d+日（.） 15:00〜17:00・まち市民会館 第2会議室　第3回 まち市都市計画審議会（変更前：\d+月\d+日（.） 14:00）$/);
  assert.equal(payload.url, `/meetings/${id}`);

  // Delivered to the service worker as the push service would: the notification, with its page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cdp = await context.newCDPSession(page);
  const versions = [];
  cdp.on("ServiceWorker.workerVersionUpdated", (e) => versions.push(...e.versions));
  await cdp.send("ServiceWorker.enable");
  let registrationId;
  for (let i = 0; i < 100 && !registrationId; i++) {
    registrationId = versions.findLast((v) => v.status === "activated" && v.scriptURL === `${BASE}/sw.js`)?.registrationId;
    if (!registrationId) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(registrationId);
  let shown = [];
  for (let attempt = 0; attempt < 3 && shown.length === 0; attempt++) {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId, data: JSON.stringify(payload) });
    for (let i = 0; i < 30 && shown.length === 0; i++) {
      shown = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
        .map((n) => ({ title: n.title, body: n.body, url: n.data?.url })));
      if (!shown.length) await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.deepEqual(shown, [{ title: payload.title, body: payload.body, url: `/meetings/${id}` }]);

  // The page the notification opens shows the change: the worker fetched its cached feeds again
  // when the push came (the page has not asked for them since the change).
  await page.waitForFunction(async () => {
    const cached = await (await caches.open("machi-feeds-v1")).match("/feeds/demo/meetings.bin");
    return cached && (await cached.text()).includes("まち市民会館 第2会議室");
  }, null, { timeout: 10000 });
  await page.goto(`${BASE}/meetings/${id}`);
  await page.locator(".meeting-place", { hasText: "まち市民会館 第2会議室" }).waitFor();
  assert.match(await page.locator(".meeting-body .badge").innerText(), /変更/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("every meetings view in Japanese and English at 100% and 200%: axe, no sideways scrolling", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.goto(`${BASE}/meetings`);
  const href = await page.locator("li.meeting h3 a").first().getAttribute("href");
  const failures = [];
  for (const lang of ["ja", "en"]) {
    for (const size of ["100", "200"]) {
      await page.goto(`${BASE}/settings`);
      await page.getByRole("radio", { name: lang === "ja" ? "日本語" : "English" }).check();
      await page.locator(`input[name=text-size][value="${size}"]`).check();
      await page.waitForFunction(([l, s]) =>
        document.documentElement.dataset.lang === l && document.documentElement.dataset.text === s, [lang, size]);
      for (const [path, name] of [["/meetings", "list"], ["/meetings/past", "past"], [href, "meeting"], ["/garbage", "garbage"]]) {
        await page.goto(`${BASE}${path}`);
        await page.locator("main h1").first().waitFor();
        await page.locator("li.meeting, .subscribe").first().waitFor();
        const violations = await axe(page);
        if (violations.length) failures.push(`${lang} ${size}% ${path}: ${violations.join("; ")}`);
        const wide = await page.evaluate((w) => document.documentElement.scrollWidth - w, page.viewportSize().width);
        if (wide > 0) failures.push(`${lang} ${size}% ${path}: ${wide}px wider than the screen`);
        await shot(page, `meetings-${lang}-${size}-${name}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
  // English: the generic words translated, the city's words as published and marked Japanese.
  await page.goto(`${BASE}/meetings`);
  const plan = card(page, "第3回 まち市都市計画審議会");
  assert.match(await plan.innerText(), /Advisory council\s*·\s*まち市都市計画審議会[\s\S]*Open to the public · 10 public seats[\s\S]*Apply by \w+day, (?:\d+ \w+|\w+ \d+) 17:00, (\d+ days left|1 day left|today is the last day)/);
  assert.equal(await plan.locator("h3 a").getAttribute("lang"), "ja");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the garbage days as a calendar subscription, with a reminder the evening before", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.goto(`${BASE}/garbage`);
  const section = page.locator("section:has(#garbage-subscribe)");
  await section.getByRole("combobox", { name: "Calendar reminder" }).selectOption("19");
  const host = new URL(BASE).host;
  assert.equal(await section.getByRole("link", { name: "Subscribe to collection days" }).getAttribute("href"),
    `webcal://${host}/feeds/demo/garbage/kita.en.ics?remind=19`);
  const ics = await (await page.request.get(`${BASE}/feeds/demo/garbage/kita.en.ics?remind=19`)).text();
  assert.match(ics, /BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5H\r\nDESCRIPTION:Tomorrow: /);
  assert.deepEqual(errors, []);
  await context.close();
});

test("offline after a visit: the upcoming meetings are still there", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.goto(`${BASE}/meetings`);
  await page.locator("li.meeting").first().waitFor();
  const online = await page.locator("li.meeting h3").allInnerTexts();
  const restart = stopHub();
  await waitForHubDown();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Meetings" }).waitFor();
  await page.locator(".status-offline").waitFor();
  await page.locator("li.meeting").first().waitFor();
  assert.deepEqual(await page.locator("li.meeting h3").allInnerTexts(), online);
  await shot(page, "meetings-offline-en");
  await context.setOffline(false);
  await context.close();
  await restart();
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
