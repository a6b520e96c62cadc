// Nurseries as a parent uses them: first run, a birth date (the class now and next April), the
// list filtered to places for that class, a facility's tables, Follow; the next month's table
// arrives at the hub, which pushes "a place opened" to a local push service (127.0.0.1, the
// test-only loopback setting); the push is decrypted here with the browser's keys (RFC 8291) and
// delivered to the service worker through the DevTools protocol, as a push service would; Today
// shows the card; Settings lists the follow and unfollows; offline the list is still there.
// axe-clean in Japanese and English at 100% and 200% text, without sideways scrolling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createECDH, createHmac, createDecipheriv, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BASE, launch, phone, axe, shot, stopHub, waitForHubDown, firstRun, startHub, endHub } from "./browser.mjs";

const repo = resolve(".");
// The demo city with its vacancy tables in a directory of this test's own, so a month can arrive.
const work = mkdtempSync(join(tmpdir(), "machi-nursery-"));
const tables = join(work, "vacancies");
cpSync(join(repo, "public/demo/nursery/vacancies"), tables, { recursive: true });
mkdirSync(join(work, "cities"));
writeFileSync(join(work, "cities/demo.toml"),
  readFileSync(resolve(repo, process.env.MACHI_CITIES ?? "cities", "demo.toml"), "utf8")
    .replace('path = "public/demo/nursery/vacancies"', `path = ${JSON.stringify(tables)}`));

// The local push service: every body posted to /push/*.
const received = [];
const sink = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => { received.push(Buffer.concat(chunks)); res.writeHead(201).end(); });
});
let sinkUrl;

let browser;
before(async () => {
  await new Promise((r) => sink.listen(0, "127.0.0.1", r));
  sinkUrl = `http://127.0.0.1:${sink.address().port}/push/e2e`;
  browser = await launch();
  await startHub({ cities: join(work, "cities"), args: ["--push-allow-loopback"] });
});
after(async () => { await browser?.close(); await endHub(); sink.close(); });

/// The browser's push subscription: a P-256 key pair and auth secret made here, an endpoint on
/// the local push service.
async function stubPushService(context) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const keys = { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") };
  await context.addInitScript(({ keys, endpoint }) => {
    const subscription = {
      endpoint, expirationTime: null,
      toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys }; },
      async unsubscribe() { localStorage.removeItem("e2e.subscribed"); return true; },
    };
    PushManager.prototype.subscribe = async function () { localStorage.setItem("e2e.subscribed", "1"); return subscription; };
    PushManager.prototype.getSubscription = async function () {
      return localStorage.getItem("e2e.subscribed") ? subscription : null;
    };
  }, { keys, endpoint: sinkUrl });
  return { ecdh, auth };
}

/// RFC 8291 (aes128gcm) decryption with the subscriber's keys.
function decrypt({ ecdh, auth }, body) {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const serverKey = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const hmac = (key, data) => createHmac("sha256", key).update(data).digest();
  const secret = ecdh.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), serverKey]);
  const ikm = hmac(hmac(auth, secret), Buffer.concat([info, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "binary")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "binary")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  let plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  return JSON.parse(plain.subarray(0, end - 1).toString("utf8"));
}

/// The fiscal year (April–March) of today: a birth date two fiscal years back makes the child
/// 1歳児クラス now and 2歳児クラス next April, whenever the test runs.
const fiscalYear = (() => { const d = new Date(); return d.getMonth() >= 3 ? d.getFullYear() : d.getFullYear() - 1; })();
const birth = `${fiscalYear - 2}-05-10`;

async function noSidewaysScroll(page) {
  return page.evaluate((w) => document.documentElement.scrollWidth <= w, page.viewportSize().width);
}

test("a parent finds places for their child's class, follows a nursery and is told when a place opens", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await context.grantPermissions(["notifications"], { origin: BASE });
  const keys = await stubPushService(context);
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.locator("nav.bottom-nav a[href='/nursery']").click();
  await page.getByRole("heading", { level: 1, name: "保育所" }).waitFor();
  // The "as of" date first.
  assert.match(await page.locator(".nursery-as-of").innerText(), /12月1日.*時点の空き状況/);

  // The birth date gives the class now and next April; the list shows places for this year's.
  await page.getByText("お子さんの年齢クラス").click();
  await page.getByLabel(/生年月日/).fill(birth);
  await page.getByText(`今年度（${fiscalYear}年度）：1歳児クラス`).waitFor();
  await page.getByText(`来年4月の入所（${fiscalYear + 1}年度）：2歳児クラス`).waitFor();
  assert.equal(await page.getByRole("combobox", { name: "空きを見る年齢クラス" }).inputValue(), "1");
  const count = async () => Number((await page.locator(".nursery-count").innerText()).match(/\d+/)[0]);
  assert.equal(await count(), 10);
  // Nearest first from 北地区: きた保育園 is in 北地区.
  assert.match(await page.locator(".nursery-card h2").first().innerText(), /まち市立きた保育園/);

  // Only places for the 1歳児クラス: きた保育園 alone (2 places in December; ひまわり has 0).
  await page.getByText("絞り込みと並び順").click();
  await page.getByRole("checkbox", { name: "このクラスに空きがある施設だけ" }).check();
  await page.waitForFunction(() => /^1か所/.test(document.querySelector(".nursery-count")?.textContent ?? ""));
  const names = await page.locator(".nursery-card h2").allInnerTexts();
  assert.ok(names.some((n) => n.includes("まち市立きた保育園")), names.join());
  assert.ok(!names.some((n) => n.includes("えきまえひまわり保育園")), names.join());
  const kita = page.locator(".nursery-card", { hasText: "まち市立きた保育園" });
  assert.match(await kita.innerText(), /空き 2人/);
  assert.match(await kita.innerText(), /前回から空きが出ました/);
  // Type and pick-up time.
  await page.getByRole("combobox", { name: "種類" }).selectOption({ label: "事業所内保育" });
  assert.equal(await count(), 0);
  await page.getByRole("combobox", { name: "種類" }).selectOption({ label: "認可保育所" });
  assert.deepEqual((await page.locator(".nursery-card h2").allInnerTexts()).map((n) => n.trim()), ["まち市立きた保育園"]);
  await page.getByRole("combobox", { name: "種類" }).selectOption({ label: "すべて" });
  await page.getByRole("checkbox", { name: "このクラスに空きがある施設だけ" }).uncheck();
  await page.getByRole("combobox", { name: /お迎えの時刻/ }).selectOption({ label: "20:00以降も預けられる" });
  const late = await page.locator(".nursery-card h2").allInnerTexts();
  assert.deepEqual(late.map((n) => n.trim()).sort(),
    ["えきまえひまわり保育園", "まち中央病院院内保育所", "まちキッズ駅前ナーサリー", "みなみ台保育園"].sort());
  await page.getByRole("combobox", { name: /お迎えの時刻/ }).selectOption({ label: "指定しない" });
  assert.deepEqual(await axe(page), []);
  await shot(page, "nursery-list-ja");

  // The facility: a real table per class, the month before, and Follow.
  await page.getByRole("link", { name: "えきまえひまわり保育園" }).click();
  await page.waitForURL(`${BASE}/nursery/D0003`);
  await page.getByRole("heading", { level: 1, name: "えきまえひまわり保育園" }).waitFor();
  const row = page.getByRole("row", { name: /^1歳児 / }).first();
  assert.match(await row.innerText(), /空きなし/);
  assert.equal(await page.locator("table.nursery-table").first().locator("th[scope=col]").count(), 4);
  assert.equal(await page.getByRole("link", { name: "0999-10-0003" }).getAttribute("href"), "tel:0999100003");
  assert.match(await page.getByRole("link", { name: "地図アプリで道順を見る" }).getAttribute("href"), /destination=31\.503600,141\.499100/);
  await page.getByRole("button", { name: "この施設の1歳児クラスをフォローする" }).click();
  await page.getByRole("status").filter({ hasText: "フォローしました。新しい月の表で空きが出たら通知します。" }).waitFor();
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("machi.settings.v1")));
  assert.deepEqual(saved.nursery.follows, [{ city: "demo", facility: "D0003", name: "えきまえひまわり保育園", class: 1 }]);
  const view = await (await page.request.get(`${BASE}/api/push/subscriptions/${saved.push.id}`,
    { headers: { authorization: `Bearer ${saved.push.secret}` } })).json();
  assert.deepEqual(view.topics.nursery, { follows: [{ facility: "D0003", class: 1 }] });
  assert.deepEqual(await axe(page), []);
  await shot(page, "nursery-facility-ja");

  // January's table arrives: a place opened in the followed class, and the hub pushes it.
  copyFileSync(join(repo, "public/demo/nursery/next-month/2027-01.csv"), join(tables, "2027-01.csv"));
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 1);
  const payload = decrypt(keys, received[0]);
  assert.equal(payload.title, "空きが出ました：えきまえひまわり保育園");
  assert.match(payload.body, /^1歳児クラス：空き 1人（1月1日.*時点）$/);
  assert.equal(payload.url, "/nursery/D0003");

  // The push service hands it to the service worker, which shows it.
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
  assert.ok(registrationId, JSON.stringify(versions));
  const notifications = () => page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, url: n.data?.url })));
  let shown = [];
  for (let attempt = 0; attempt < 3 && shown.length === 0; attempt++) {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId, data: JSON.stringify(payload) });
    for (let i = 0; i < 30 && shown.length === 0; i++) {
      shown = await notifications();
      if (!shown.length) await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.deepEqual(shown, [{ title: "空きが出ました：えきまえひまわり保育園", url: "/nursery/D0003" }]);

  // Today has the card (the new month reaches the app on its next load).
  await page.goto(`${BASE}/`);
  const card = page.locator("section.today-nursery");
  await card.waitFor();
  assert.match(await card.innerText(), /えきまえひまわり保育園：1歳児クラスに空きがあります/);
  await shot(page, "nursery-today-ja");

  // Offline, the list is still there.
  const restart = stopHub();
  await waitForHubDown();
  await context.setOffline(true);
  try {
    await page.goto(`${BASE}/nursery`);
    await page.locator(".nursery-card").first().waitFor();
    assert.match(await page.locator(".nursery-as-of").innerText(), /1月1日/);
  } finally {
    await context.setOffline(false);
    await restart();
  }

  // Settings lists the follow; Unfollow there tells the hub.
  await page.goto(`${BASE}/settings`);
  const follows = page.locator("section.followed-nurseries");
  await follows.getByRole("link", { name: "えきまえひまわり保育園" }).waitFor();
  await follows.getByRole("button", { name: /フォローをやめる/ }).click();
  await follows.getByText("フォローしている保育所はありません").waitFor();
  await follows.getByRole("status").filter({ hasText: "フォローをやめました" }).waitFor();
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem("machi.settings.v1")));
  assert.deepEqual(after.nursery.follows, []);
  assert.equal(after.push, null);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the nursery pages in English and at 200% text: readable, accessible, no sideways scrolling", async () => {
  const { context, page, errors } = await phone(browser, "en-US");
  await firstRun(page, { language: "English", area: "North district" });
  for (const size of ["100", "200"]) {
    await page.evaluate((size) => {
      const s = JSON.parse(localStorage.getItem("machi.settings.v1"));
      localStorage.setItem("machi.settings.v1", JSON.stringify({ ...s, text_size: size }));
    }, size);
    await page.goto(`${BASE}/nursery`);
    await page.locator(".nursery-card").first().waitFor();
    assert.match(await page.locator(".nursery-as-of").innerText(), /Places as of .*(1 (December|January)|(December|January) 1\b)/);
    await page.getByText("Filter and sort").click();
    await page.getByText("Your child's age class").click();
    assert.match(await page.locator(".nursery-rule").innerText(), /1 April/);
    assert.deepEqual(await axe(page), [], `list at ${size}%`);
    assert.ok(await noSidewaysScroll(page), `list at ${size}%`);
    await shot(page, `nursery-list-en-${size}`);
    await page.goto(`${BASE}/nursery/D0001`);
    await page.getByRole("heading", { level: 1, name: "まち市立きた保育園" }).waitFor();
    assert.equal(await page.getByRole("heading", { level: 1 }).getAttribute("lang"), "ja");
    await page.getByRole("table").first().waitFor();
    assert.deepEqual(await axe(page), [], `facility at ${size}%`);
    assert.ok(await noSidewaysScroll(page), `facility at ${size}%`);
    await shot(page, `nursery-facility-en-${size}`);
  }
  // Japanese at 200% too.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("machi.settings.v1"));
    localStorage.setItem("machi.settings.v1", JSON.stringify({ ...s, lang: "ja", text_size: "200" }));
  });
  await page.goto(`${BASE}/nursery`);
  await page.locator(".nursery-card").first().waitFor();
  assert.deepEqual(await axe(page), []);
  assert.ok(await noSidewaysScroll(page));
  await shot(page, "nursery-list-ja-200");
  assert.deepEqual(errors, []);
  await context.close();
});
