// Machi's service worker: the app shell offline, feeds stale-while-revalidate, the languages a
// resident uses, updates on request, and Web Push notifications from the hub.
//
// scripts/build-sw.mjs fills BUILD, PRECACHE and LANGUAGE_FILES after each Trunk build, so the
// shell cache is named after the build's hashed files: a new build is a new cache, and the old one
// is removed on activate. A new worker waits until the page asks it to take over ("reload to
// update"), so a resident is never switched to a new version in the middle of reading.
//
// Languages are not precached: each is a content-hashed file (/i18n/<code>-<hash>.txt, written by
// `machi-i18n export`), kept the first time the app asks for it. An update brings the new version
// of each language already kept (and only those), so a resident offline after updating still reads
// theirs; files of no current language are removed on activate.

const BUILD = "__MACHI_BUILD__";
const PRECACHE = [/*__MACHI_PRECACHE__*/];
const LANGUAGE_FILES = [/*__MACHI_LANGUAGES__*/];
const SHELL_CACHE = `machi-shell-${BUILD}`;
const FEED_CACHE = "machi-feeds-v1";
const LANGUAGE_CACHE = "machi-languages-v1";

// Where the feeds are: this origin's /feeds/ (a hub), or the base index.html names (a static host
// or CDN: `<meta name="machi-feeds">`), which the app gives as `/sw.js?feeds=<base>`. Both are
// answered as feeds, so feeds on another origin are kept offline too.
const FEED_BASE = (() => {
  const given = new URL(self.location.href).searchParams.get("feeds") || "/feeds/";
  try {
    return new URL(given, self.location.origin).href;
  } catch (_) {
    return new URL("/feeds/", self.location.origin).href;
  }
})();
// A feed under its content's hash (`machi-hub export`: garbage.0123456789abcdef.json, or .bin
// for the postcard twin the app reads).
const HASHED_FEED = /\.[0-9a-f]{16}(\.json|\.bin)$/;
const unhashed = (url) => url.replace(HASHED_FEED, "$1");

// "/i18n/pt-BR-0123abcd.txt" → "pt-BR": the language a file is of, whatever its version.
function languageOf(path) {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.slice(0, name.lastIndexOf("-"));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all([
      caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE)),
      caches.open(LANGUAGE_CACHE).then(async (cache) => {
        const kept = (await cache.keys()).map((r) => languageOf(new URL(r.url).pathname));
        const wanted = LANGUAGE_FILES.filter((f) => kept.includes(languageOf(f)));
        // Best effort: a language that cannot be fetched now is fetched when next used.
        await Promise.all(wanted.map((f) => cache.add(f).catch(() => undefined)));
      }),
    ]),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("machi-shell-") && key !== SHELL_CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => caches.open(LANGUAGE_CACHE))
      .then(async (cache) => {
        for (const request of await cache.keys()) {
          if (!LANGUAGE_FILES.includes(new URL(request.url).pathname)) await cache.delete(request);
        }
      })
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // The app's languages, once shown: fetched before this worker controlled the page (a first
  // visit), so kept now (the browser's HTTP cache usually answers: the files are immutable).
  const keep = event.data && Array.isArray(event.data.keep) ? event.data.keep : [];
  const files = keep.filter((f) => LANGUAGE_FILES.includes(f));
  if (files.length) {
    event.waitUntil(caches.open(LANGUAGE_CACHE).then((cache) => cache.addAll(files)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Every feed is under this prefix (machi-data's FeedPath::PREFIX) or the configured base,
  // whatever the feed: the worker needs no list of feed names.
  const sameOrigin = url.origin === self.location.origin;
  if (request.url.startsWith(FEED_BASE) || (sameOrigin && url.pathname.startsWith("/feeds/"))) {
    event.respondWith(
      HASHED_FEED.test(url.pathname) ? keptByHash(request) : staleWhileRevalidate(event, request),
    );
    return;
  }
  if (!sameOrigin) return;
  if (url.pathname.startsWith("/i18n/")) {
    event.respondWith(keptOnceUsed(request));
  } else if (request.mode === "navigate") {
    // Every client route is the same shell; the app routes on the client.
    event.respondWith(fromShell("/index.html", request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromShell(url.pathname, request));
  }
});

async function fromShell(path, request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(path);
  return cached || fetch(request);
}

// A language file: its name changes with its content, so a kept copy is always right.
async function keptOnceUsed(request) {
  const cache = await caches.open(LANGUAGE_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// Answers from the cache at once when it can, and refreshes the cache from the network for next
// time; with no cached copy it waits for the network. The feed itself carries its "as of" time,
// so the page can always say how old what it shows is.
async function staleWhileRevalidate(event, request) {
  const cache = await caches.open(FEED_CACHE);
  const cached = await cache.match(request);
  const refreshed = fetch(request)
    .then((response) => {
      if (response.ok) return cache.put(request, response.clone()).then(() => response);
      return response;
    });
  if (cached) {
    event.waitUntil(refreshed.catch(() => undefined));
    return cached;
  }
  return refreshed;
}

// A feed under its content's hash never changes, so a kept copy is always right and is not asked
// again. Once a newer version of the same feed is kept, the older ones are dropped; until then,
// when the network fails, the newest kept version answers (the feed says how old it is), as a
// stale-while-revalidate feed would.
async function keptByHash(request) {
  const cache = await caches.open(FEED_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const feed = unhashed(request.url);
  const older = (await cache.keys()).filter((r) => r.url !== request.url && unhashed(r.url) === feed);
  const fallback = async (otherwise) => (older.length ? cache.match(older[older.length - 1]) : otherwise());
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return fallback(() => Promise.reject(error));
  }
  if (!response.ok) return fallback(() => response);
  await cache.put(request, response.clone());
  await Promise.all(older.map((r) => cache.delete(r)));
  return response;
}

// A push from the hub: JSON {title, body, tag, url, icon}, already in the resident's language.
// The tag makes a newer alert of the same series (or tomorrow's garbage reminder) replace the
// older notification instead of piling up.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "Machi";
  const options = {
    body: message.body || "",
    icon: message.icon || "/icons/icon-192.png",
    data: { url: sameOriginPath(message.url) },
  };
  if (message.tag) {
    options.tag = message.tag;
    options.renotify = true;
  }
  event.waitUntil(Promise.all([self.registration.showNotification(title, options), refreshFeeds()]));
});

// What a push announces is in the feeds (a meeting moved, an alert issued): the cached feeds
// are fetched again now, so the page the notification opens shows it, not the copy from before.
// A refresh that fails (offline, no cache) never keeps the notification from showing.
function refreshFeeds() {
  return Promise.resolve()
    .then(() => caches.open(FEED_CACHE))
    .then((cache) =>
    cache.keys().then((requests) =>
      Promise.all(
        requests
          .filter((request) => {
            const path = new URL(request.url).pathname;
            // A hashed feed never changes; the manifest naming the newer ones is refreshed.
            return (path.endsWith(".json") || path.endsWith(".bin")) && !HASHED_FEED.test(path);
          })
          .map((request) =>
            fetch(request)
              .then((response) => (response.ok ? cache.put(request, response) : undefined))
              .catch(() => undefined),
          ),
      ),
    ))
    .catch(() => undefined);
}

// A tap on a notification: bring an open Machi window to the page it is about, or open one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        return open.focus().then((client) => (client || open).navigate(url).catch(() => client));
      }
      return self.clients.openWindow(url);
    }),
  );
});

// Only paths of this app are opened from a notification, whatever the payload says.
function sameOriginPath(url) {
  try {
    const target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search : "/";
  } catch (_) {
    return "/";
  }
}
