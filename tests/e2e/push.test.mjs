// Web Push through the app as a resident sets it up: Settings → Notifications turns topics on
// (permission asked only then), the hub stores exactly what was chosen, a change of language
// follows, a push delivered to the service worker (DevTools protocol, as a push service would)
// shows the hub's notification with its target page, and turning everything off deletes the
// subscription and is remembered. Only the browser's push service is stubbed: headless Chromium
// cannot reach one, so PushManager.subscribe returns a subscription with keys made here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createECDH, randomBytes } from "node:crypto";
import { BASE, launch, phone, axe, shot, firstRun, startHub, endHub } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); await startHub(); });
after(async () => { await browser?.close(); await endHub(); });

/// A browser's push subscription keys (P-256 public key and auth secret), as a push service
/// would hand the page, and a PushManager that returns them.
async function stubPushService(context) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
  await context.addInitScript((keys) => {
    const subscription = {
      endpoint: "https://fcm.googleapis.com/fcm/send/machi-e2e",
      expirationTime: null,
      toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys }; },
      async unsubscribe() { localStorage.setItem("e2e.unsubscribed", "1"); localStorage.removeItem("e2e.subscribed"); return true; },
    };
    PushManager.prototype.subscribe = async function () {
      localStorage.setItem("e2e.subscribed", "1");
      return subscription;
    };
    PushManager.prototype.getSubscription = async function () {
      return localStorage.getItem("e2e.subscribed") ? subscription : null;
    };
  }, keys);
  return keys;
}

const saved = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("machi.settings.v1")).push);

async function hubView(page, sub) {
  const r = await page.request.get(`${BASE}/api/push/subscriptions/${sub.id}`, { headers: { authorization: `Bearer ${sub.secret}` } });
  return { status: r.status(), body: r.status() === 200 ? await r.json() : null };
}

test("Notifications: topics on and off through Settings, the hub follows, a push shows the right notification", async () => {
  const { context, page, errors } = await phone(browser, "ja-JP");
  await context.grantPermissions(["notifications"], { origin: BASE });
  await stubPushService(context);
  await firstRun(page, { language: "日本語", area: "北地区" });
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  const section = page.locator("section.notifications");
  await section.getByRole("heading", { name: "通知" }).waitFor();
  // The explanation comes first; nothing was asked yet.
  assert.match(await section.innerText(), /オンにしたときに、ブラウザが通知の許可を求めます/);
  assert.equal(await saved(page), null);

  await section.getByRole("checkbox", { name: /警報・地震・津波/ }).check();
  await section.getByRole("status").filter({ hasText: "保存しました" }).waitFor();
  let sub = await saved(page);
  assert.ok(sub.id && sub.secret);
  let view = await hubView(page, sub);
  assert.equal(view.status, 200);
  assert.deepEqual(
    { city: view.body.city, area: view.body.area, language: view.body.language, alerts: view.body.topics.alerts?.min_severity },
    { city: "demo", area: "kita", language: "ja", alerts: "warning" });

  // The garbage reminder the evening before, at 20:00.
  await section.getByRole("checkbox", { name: /前の日の夕方/ }).check();
  await section.getByRole("status").filter({ hasText: "保存しました" }).waitFor();
  await section.getByRole("combobox", { name: "時刻" }).selectOption("20");
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("machi.settings.v1")).push?.topics?.evening_hour === 20);
  view = await hubView(page, await saved(page));
  assert.equal(view.body.topics.garbage.evening_hour, 20);
  assert.deepEqual(await axe(page), []);
  await shot(page, "push-settings-ja");

  // Switching the app to English tells the hub, so notifications come in English.
  await page.getByRole("radio", { name: "English" }).check();
  await page.waitForFunction(async (url) => {
    const s = JSON.parse(localStorage.getItem("machi.settings.v1")).push;
    const r = await fetch(`${url}/api/push/subscriptions/${s.id}`, { headers: { authorization: `Bearer ${s.secret}` } });
    return (await r.json()).language === "en";
  }, BASE);

  // A push as the hub sends it, delivered to the service worker as a push service would.
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cdp = await context.newCDPSession(page);
  const versions = [];
  cdp.on("ServiceWorker.workerVersionUpdated", (e) => versions.push(...e.versions));
  await cdp.send("ServiceWorker.enable");
  // The registration whose worker is activated (a push to one still installing is dropped).
  let registrationId;
  for (let i = 0; i < 100 && !registrationId; i++) {
    registrationId = versions.findLast((v) => v.status === "activated" && v.scriptURL === `${BASE}/sw.js`)?.registrationId;
    if (!registrationId) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(registrationId, JSON.stringify(versions));
  const payload = {
    title: "Level 3 heavy rain warning",
    body: "Level 3 heavy rain warning issued for Machi City (demo).",
    tag: "alerts:demo:vpww55",
    url: "/alerts",
    icon: "/icons/icon-192.png",
  };
  const notifications = () => page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data?.url })));
  let shown = [];
  // A push service retries too: deliver again if the worker was busy waking up.
  for (let attempt = 0; attempt < 3 && shown.length === 0; attempt++) {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId, data: JSON.stringify(payload) });
    for (let i = 0; i < 30 && shown.length === 0; i++) {
      shown = await notifications();
      if (!shown.length) await new Promise((r) => setTimeout(r, 100));
    }
  }
  // The click target is carried in the notification; the worker opens exactly this path.
  assert.deepEqual(shown, [{ title: payload.title, body: payload.body, tag: payload.tag, url: "/alerts" }]);

  // Everything off: the hub forgets the subscription, the browser unsubscribes, and it stays off.
  const before = await saved(page);
  await section.getByRole("checkbox", { name: /Warnings, earthquakes/ }).uncheck();
  await section.getByRole("status").filter({ hasText: "saved" }).waitFor();
  await section.getByRole("checkbox", { name: /The evening before/ }).uncheck();
  await section.getByRole("status").filter({ hasText: "All notifications are off" }).waitFor();
  assert.equal(await saved(page), null);
  assert.equal((await hubView(page, before)).status, 404);
  assert.equal(await page.evaluate(() => localStorage.getItem("e2e.unsubscribed")), "1");
  await page.reload();
  await section.getByRole("heading", { name: "Notifications" }).waitFor();
  assert.equal(await section.getByRole("checkbox", { name: /Warnings, earthquakes/ }).isChecked(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a refused permission is explained, and nothing is registered", async () => {
  const { context, page } = await phone(browser, "en-US");
  await stubPushService(context);
  await context.addInitScript(() => { Notification.requestPermission = async () => "denied"; });
  await firstRun(page, { language: "English", area: "North district" });
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  const section = page.locator("section.notifications");
  // click, not check: the tick is taken back as soon as the permission is refused.
  await section.getByRole("checkbox", { name: /Warnings, earthquakes/ }).click();
  await section.getByRole("status").filter({ hasText: "Notifications were not allowed" }).waitFor();
  assert.equal(await section.getByRole("checkbox", { name: /Warnings, earthquakes/ }).isChecked(), false);
  assert.equal(await saved(page), null);
  await context.close();
});

test("without the Push API (iOS outside the Home Screen) the section says what to do", async () => {
  const { context, page } = await phone(browser, "en-US");
  await context.addInitScript(() => { delete window.PushManager; });
  await firstRun(page, { language: "English", area: "North district" });
  await page.locator("nav.bottom-nav a[href='/settings']").click();
  const section = page.locator("section.notifications");
  assert.match(await section.locator(".notice").innerText(), /Home Screen/);
  assert.equal(await section.getByRole("checkbox", { name: /Warnings, earthquakes/ }).isDisabled(), true);
  assert.deepEqual(await axe(page), []);
  await context.close();
});
