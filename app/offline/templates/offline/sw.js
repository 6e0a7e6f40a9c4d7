// The service worker of the survey app (served from /sw.js, scope /, Cache-Control: no-cache).
// The server fills in the version (a hash of everything precached, so any change to the shell
// is a new worker) and the lists below. Plain JavaScript, no build step.
/* eslint-env serviceworker */

const VERSION = "{{ version }}";
const SHELL = {{ shell | safe }};
const PAGES = {{ pages | safe }};
const OFFLINE_PAGE = {{ offline_page | safe }};
const LOGOUT = {{ logout | safe }};
const PREFIX = "wss-";
const SHELL_CACHE = `${PREFIX}shell-${VERSION}`;
const PAGE_CACHE = `${PREFIX}pages-${VERSION}`;
// Pages kept for offline use: the list, a new survey, a site, its edit form, the offline page.
const PAGE_PATHS = /^\/(?:surveys(?:\/new|\/[0-9a-f-]{36}(?:\/edit)?)?|offline)$/;

function pageKey(url) {
  // a new survey is the same page whatever the query string says
  return url.pathname === "/surveys/new" ? url.pathname : url.pathname + url.search;
}

async function cachePage(url) {
  const target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin || !PAGE_PATHS.test(target.pathname)) return;
  try {
    const response = await fetch(new Request(target.href, { credentials: "same-origin", cache: "no-store" }));
    // a redirect (to the sign-in page) or an error page is never kept
    if (response.ok && !response.redirected && response.type === "basic") {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(pageKey(target), response);
    }
  } catch {
    /* offline or refused: the page is cached on a later visit */
  }
}

// A page asks for itself on every load; a navigation through this worker has already kept
// it, and the install keeps the shell pages: fetch it only when it is not kept yet.
async function cachePageOnce(url) {
  const target = new URL(url, self.location.origin);
  const cache = await caches.open(PAGE_CACHE);
  if (!(await cache.match(pageKey(target)))) await cachePage(url);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // revalidated, not refetched: what the page has just loaded comes back as a 304
      await cache.addAll(SHELL.map((url) => new Request(url, { cache: "no-cache" })));
      await Promise.all(PAGES.map(cachePage));
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, PAGE_CACHE]);
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && !keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "skip-waiting") {
    self.skipWaiting();
  } else if (data.type === "claim") {
    // a page that loaded while this worker was activating is not a client yet at activation
    event.waitUntil(self.clients.claim());
  } else if (data.type === "cache-page" && typeof data.url === "string") {
    event.waitUntil(cachePageOnce(data.url));
  } else if (data.type === "version" && event.ports[0]) {
    event.ports[0].postMessage({ version: VERSION });
  }
});

async function fromNetworkOrCache(event) {
  const request = event.request;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (PAGE_PATHS.test(url.pathname) && response.ok && response.type === "basic" && !response.redirected) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then((cache) => cache.put(pageKey(url), copy)));
    }
    return response;
  } catch (error) {
    const cache = await caches.open(PAGE_CACHE);
    const cached =
      (await cache.match(pageKey(url))) ||
      (await cache.match(url.pathname, { ignoreSearch: true })) ||
      (await cache.match(OFFLINE_PAGE));
    if (cached) return cached;
    throw error;
  }
}

async function shellFirst(event) {
  const request = event.request;
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // map tiles and the like: the browser's own
  if (url.pathname.startsWith("/speedtest/")) return; // speed tests measure the network, never a cache
  if (request.method !== "GET") {
    // signing out forgets the pages kept for this user
    if (request.mode === "navigate" && url.pathname === LOGOUT) {
      event.waitUntil(caches.delete(PAGE_CACHE));
    }
    return; // writes always go to the network (the page keeps its own outbox)
  }
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkOrCache(event));
  } else if (url.pathname.startsWith("/static/") || SHELL.includes(url.pathname)) {
    event.respondWith(shellFirst(event));
  }
});

// Background Sync (where the browser has it): wake the open pages, which send their outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "wss-outbox") return;
  event.waitUntil(
    self.clients
      .matchAll({ type: "window" })
      .then((pages) => pages.forEach((page) => page.postMessage({ type: "sync" }))),
  );
});
