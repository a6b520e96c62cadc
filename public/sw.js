// Machi's service worker: the app shell offline, feeds stale-while-revalidate, updates on request.
//
// scripts/build-sw.mjs fills BUILD and PRECACHE after each Trunk build, so the shell cache is named
// after the build's hashed files: a new build is a new cache, and the old one is removed on
// activate. A new worker waits until the page asks it to take over ("reload to update"), so a
// resident is never switched to a new version in the middle of reading.

const BUILD = "__MACHI_BUILD__";
const PRECACHE = [/*__MACHI_PRECACHE__*/];
const SHELL_CACHE = `machi-shell-${BUILD}`;
const FEED_CACHE = "machi-feeds-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE)));
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
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname.startsWith("/feeds/")) {
    event.respondWith(staleWhileRevalidate(event, request));
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
