// The service worker's notification code, run in Node against a fake ServiceWorkerGlobalScope:
// headless Chromium shows a pushed notification (push.test.mjs checks that), but nothing can tap
// it, so the tap ("notificationclick") is exercised here on the real public/sw.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const ORIGIN = "https://machi.example";

function worker({ windows = [], cached = [], caches: cacheApi, fetch: fetchFn } = {}) {
  const listeners = {};
  const log = { shown: [], focused: [], navigated: [], opened: [], fetched: [], stored: [] };
  // The feed cache: the requests it holds (by URL), and what is put back.
  const caches = cacheApi ?? {
    open: async () => ({
      keys: async () => cached.map((url) => ({ url })),
      put: async (request, response) => { log.stored.push([request.url, await response.text()]); },
    }),
  };
  const fetch = fetchFn ?? (async (request) => { log.fetched.push(request.url); return new Response(`fresh ${request.url}`); });
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: { showNotification: async (title, options) => { log.shown.push({ title, options }); } },
    clients: {
      matchAll: async () => windows.map((url) => ({
        url,
        focus: async function () { log.focused.push(url); return this; },
        navigate: async (to) => { log.navigated.push(to); },
      })),
      openWindow: async (url) => { log.opened.push(url); },
      claim: async () => {},
    },
    skipWaiting: () => {},
  };
  vm.runInNewContext(readFileSync("public/sw.js", "utf8"), { self, URL, caches, fetch });
  const fire = async (type, event) => {
    let work = Promise.resolve();
    listeners[type]({ ...event, waitUntil: (p) => { work = p; } });
    await work;
  };
  return { fire, log };
}

const pushEvent = (payload) => ({
  data: { json: () => JSON.parse(JSON.stringify(payload)), text: () => JSON.stringify(payload) },
});
const clickEvent = (url) => ({ notification: { data: { url }, close: () => {} } });

test("a push shows the hub's title and body, with its tag and target page", async () => {
  const { fire, log } = worker();
  await fire("push", pushEvent({ title: "あした：燃やすごみ", body: "北地区の収集日です。", tag: "garbage", url: "/garbage" }));
  assert.equal(log.shown.length, 1);
  assert.equal(log.shown[0].title, "あした：燃やすごみ");
  assert.equal(log.shown[0].options.body, "北地区の収集日です。");
  assert.equal(log.shown[0].options.tag, "garbage");
  assert.equal(log.shown[0].options.renotify, true);
  assert.equal(log.shown[0].options.data.url, "/garbage");
});

test("a push refreshes the cached feeds, so the page it opens shows the news", async () => {
  const feeds = [`${ORIGIN}/feeds/demo/city.bin`, `${ORIGIN}/feeds/index.json`];
  const { fire, log } = worker({ cached: feeds });
  await fire("push", pushEvent({ title: "空きが出ました：えきまえひまわり保育園", body: "1歳児クラス", url: "/nursery/D0003" }));
  assert.equal(log.shown.length, 1);
  assert.deepEqual(log.fetched, feeds);
  assert.deepEqual(log.stored, feeds.map((f) => [f, `fresh ${f}`]));
});

test("a push fetches the feeds only, and shows even when the refresh cannot be done", async () => {
  const cached = [`${ORIGIN}/feeds/demo/meetings.bin`, `${ORIGIN}/feeds/demo/meeting/m-1.ja.ics`];
  const { fire, log } = worker({ cached });
  await fire("push", pushEvent({ title: "変更：まち市都市計画審議会", url: "/meetings/m-1" }));
  assert.equal(log.shown.length, 1);
  // The feeds only, postcard or JSON (a downloaded calendar stays as it was).
  assert.deepEqual(log.fetched, [`${ORIGIN}/feeds/demo/meetings.bin`]);
  // Offline, or without a cache: the notification still shows.
  const offline = worker({ caches: { open: async () => { throw new Error("no cache"); } } });
  await offline.fire("push", pushEvent({ title: "t" }));
  assert.equal(offline.log.shown.length, 1);
});

test("a tap brings an open Machi window to the notification's page", async () => {
  const { fire, log } = worker({ windows: [`${ORIGIN}/settings`] });
  await fire("notificationclick", clickEvent("/alerts"));
  assert.deepEqual(log.focused, [`${ORIGIN}/settings`]);
  assert.deepEqual(log.navigated, ["/alerts"]);
  assert.deepEqual(log.opened, []);
});

test("a tap with no Machi window open opens one on the page", async () => {
  const { fire, log } = worker();
  await fire("notificationclick", clickEvent("/garbage"));
  assert.deepEqual(log.opened, ["/garbage"]);
});

test("a notification never opens another site, whatever its payload says", async () => {
  const { fire, log } = worker();
  await fire("notificationclick", clickEvent("https://evil.example/phish"));
  assert.deepEqual(log.opened, ["/"]);
});
