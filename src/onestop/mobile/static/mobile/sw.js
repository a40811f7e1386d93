// Service worker of the mobile centre's screen (scope /mobile/). It keeps the page, its
// styles and script, and the centre's services and route, so the screen opens and works
// without a connection. Captured work lives in IndexedDB, not here; nothing is ever
// posted from here.
const CACHE = "onestop-mobile-v1";
const SCOPE = new URL(self.registration.scope).pathname;
// Responses vary by language and session; the kept URLs already carry the language.
const MATCH = { ignoreVary: true };

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.add(SCOPE))
      .catch(() => undefined) // the page asks again once it is open
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("onestop-mobile-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// The page names what it needs offline; answers whether all of it is kept.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "keep") return;
  const reply = (kept) => event.ports[0] && event.ports[0].postMessage({ kept });
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      const results = await Promise.all(
        event.data.urls.map(async (url) => {
          const key = new URL(url, self.location.origin).pathname === SCOPE ? SCOPE : url;
          try {
            const response = await fetch(url, { credentials: "same-origin" });
            if (response.ok && !response.redirected) {
              await cache.put(key, response);
              return true;
            }
          } catch (error) {
            // offline now: what was kept before still counts
          }
          return Boolean(await cache.match(key, MATCH));
        }),
      );
      reply(results.every(Boolean));
    }),
  );
});

// The page itself: the network when there is one (fresh hours, fresh login), else the copy.
async function pageFirstFromNetwork(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(SCOPE, response.clone());
    // Sent to the login page: whoever worked here logged out; forget the kept page.
    else if (response.redirected || response.type === "opaqueredirect") await cache.delete(SCOPE);
    return response;
  } catch (error) {
    return (await cache.match(SCOPE, MATCH)) || Response.error();
  }
}

// Styles, scripts and the centre's data: the kept copy at once, refreshed behind it.
async function keptFirst(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(event.request, MATCH);
  const refresh = fetch(event.request)
    .then((response) => {
      if (response.ok) return cache.put(event.request, response.clone()).then(() => response);
      return response;
    })
    .catch(() => undefined);
  if (kept) {
    event.waitUntil(refresh);
    return kept;
  }
  return (await refresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === SCOPE) event.respondWith(pageFirstFromNetwork(request));
    return; // other pages under /mobile/ (home visits) are not kept
  }
  event.respondWith(
    caches.match(request, MATCH).then((kept) => (kept ? keptFirst(event) : fetch(request))),
  );
});
