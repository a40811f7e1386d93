// The mobile centre's operator screen: captures tickets and applications with or without
// a connection, keeps them in IndexedDB, and sends them to the sync API when online. An
// operation is marked synced only after the server answered for its id.
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("mobile-config").textContent);
  const texts = JSON.parse(document.getElementById("mobile-texts").textContent);
  const root = document.getElementById("mobile");
  const byId = (id) => document.getElementById(id);
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);

  const BATCH = 50;
  const KEEP_MS = 24 * 3600 * 1000; // synced and refused ones stay on the device for a day
  let services = new Map(); // code -> name
  let syncing = false; // a sync() is under way
  let sending = false; // ... and the server answered: operations are going out
  let reachable = true; // false after the server could not be reached, until it answers again
  let lastProblem = "";

  // ------------------------------------------------------------ IIN check digit

  function checkDigit(first11, weights) {
    const sum = [...first11].reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
    return sum % 11;
  }

  // The same rules as the server's: 12 digits, century and sex, a real birth date, the check digit.
  function iinProblem(value) {
    if (!/^\d{12}$/.test(value)) return texts.iinDigits;
    const century = { 1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000 }[value[6]];
    if (!century) return texts.iinCentury;
    const year = century + Number(value.slice(0, 2));
    const month = Number(value.slice(2, 4));
    const day = Number(value.slice(4, 6));
    const born = new Date(Date.UTC(year, month - 1, day));
    if (born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day || born > new Date()) {
      return texts.iinDate;
    }
    let digit = checkDigit(value.slice(0, 11), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if (digit === 10) digit = checkDigit(value.slice(0, 11), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
    if (digit === 10 || digit !== Number(value[11])) return texts.iinCheck;
    return "";
  }

  // ------------------------------------------------------------ storage

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function deviceId() {
    let id = localStorage.getItem("onestop-mobile-device");
    if (!id) {
      id = newId();
      localStorage.setItem("onestop-mobile-device", id);
    }
    return id;
  }

  const database = new Promise((resolve, reject) => {
    const request = indexedDB.open("onestop-mobile", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("operations", { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  async function store(mode, work) {
    const db = await database;
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("operations", mode);
      const request = work(transaction.objectStore("operations"));
      transaction.oncomplete = () => resolve(request && request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  // This operator's operations on this device, oldest first.
  async function operations() {
    const all = (await store("readonly", (s) => s.getAll())) || [];
    return all
      .filter((op) => op.operator === config.operator)
      .sort((a, b) => a.captured_at.localeCompare(b.captured_at));
  }

  const save = (op) => store("readwrite", (s) => s.put(op));

  async function forgetOld() {
    const limit = Date.now() - KEEP_MS;
    for (const op of await operations()) {
      if (op.state !== "pending" && Date.parse(op.captured_at) < limit) {
        await store("readwrite", (s) => s.delete(op.id));
      }
    }
  }

  // ------------------------------------------------------------ capture

  async function capture(kind, payload) {
    await save({
      id: newId(),
      kind,
      captured_at: new Date().toISOString(),
      payload,
      operator: config.operator,
      state: "pending",
      result: null,
    });
    showMessage(kind === "ticket" ? texts.ticketCaptured : texts.applicationCaptured);
    await render();
    sync();
  }

  function showMessage(text) {
    const message = byId("capture-message");
    message.textContent = text;
    message.hidden = false;
  }

  function checkIin(input, required) {
    const value = input.value.trim();
    const problem = value || required ? iinProblem(value) : "";
    byId(`${input.id}-error`).textContent = problem;
    markInvalid(input, Boolean(problem));
    return problem ? null : value;
  }

  // Only a wrong field is marked; a right one stays plain.
  function markInvalid(field, invalid) {
    if (invalid) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }

  function checkService(select) {
    const ok = Boolean(select.value);
    markInvalid(select, !ok);
    if (!ok) showMessage(texts.chooseService);
    return ok ? select.value : null;
  }

  byId("ticket-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const service = checkService(byId("ticket-service"));
    const iin = checkIin(byId("ticket-iin"), false);
    if (service === null || iin === null) return;
    const payload = { service };
    if (iin) payload.iin = iin;
    if (byId("ticket-priority").checked) payload.priority = true;
    await capture("ticket", payload);
    form.reset();
    byId("ticket-service").value = service;
  });

  byId("application-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const service = checkService(byId("application-service"));
    const iin = checkIin(byId("application-iin"), true);
    if (service === null || iin === null) return;
    await capture("application", { service, iin });
    form.reset();
    byId("application-service").value = service;
  });

  for (const id of ["ticket-iin", "application-iin"]) {
    byId(id).addEventListener("change", (event) => checkIin(event.target, id === "application-iin"));
  }

  // ------------------------------------------------------------ sync

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return cookie.slice("csrftoken=".length);
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Sends pending operations in batches; each is marked only when the server answered for
  // its id. A server error for one (5xx) keeps it pending, to be sent again.
  async function sync() {
    if (syncing || !navigator.onLine) return render();
    syncing = true;
    lastProblem = "";
    try {
      // A network may be there without a way to the server (a village's Wi-Fi without
      // uplink): ask the server itself before claiming to be online, or to be syncing.
      await fetch("/health", { cache: "no-store", credentials: "omit" });
      reachable = true;
      sending = true;
      await render();
      // The device is registered by its first contact: nothing it captures may be older.
      if (!localStorage.getItem("onestop-mobile-device-registered")) {
        const hello = await fetch(config.syncUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ device: deviceId(), operations: [] }),
        });
        if (hello.ok) localStorage.setItem("onestop-mobile-device-registered", "yes");
      }
      for (;;) {
        const pending = (await operations()).filter((op) => op.state === "pending").slice(0, BATCH);
        if (!pending.length) break;
        const response = await fetch(config.syncUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({
            device: deviceId(),
            operations: pending.map(({ id, kind, captured_at, payload }) => ({ id, kind, captured_at, payload })),
          }),
        });
        if (response.status === 401 || response.status === 403) {
          lastProblem = texts.logInAgain;
          break;
        }
        if (!response.ok) break;
        const answered = await record((await response.json()).results, pending);
        if (!answered) break;
      }
    } catch (error) {
      // No connection after all, or the server is unreachable: everything stays pending.
      reachable = false;
    } finally {
      syncing = false;
      sending = false;
      await render();
    }
  }

  async function record(results, pending) {
    let answered = 0;
    for (const result of results) {
      const op = pending.find((candidate) => candidate.id === result.id);
      if (!op || (result.error && result.error.status >= 500)) continue;
      op.state = result.error ? "rejected" : "synced";
      op.result = result;
      await save(op);
      answered += 1;
    }
    return answered;
  }

  // ------------------------------------------------------------ display

  function outcome(op) {
    if (op.state === "pending") return texts.pending;
    if (op.state === "rejected") return `${texts.rejected}: ${op.result.error.detail}`;
    const made = op.result.ticket || op.result.application;
    return `${texts.synced} · ${made.number}`;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
  }

  async function render() {
    const all = await operations();
    const waiting = all.filter((op) => op.state === "pending").length;
    const badge = byId("sync-badge");
    const online = navigator.onLine && reachable;
    const refused = all.filter((op) => op.state === "rejected").length;
    const progress = sending ? texts.syncing : waiting ? format(texts.waiting, { count: waiting }) : texts.allSynced;
    const parts = [online ? texts.online : texts.offline, progress];
    if (refused) parts.push(format(texts.refused, { count: refused }));
    badge.textContent = parts.join(" · ");
    badge.className = `sync-badge ${online ? "online" : "offline"}${waiting ? " waiting" : ""}`;
    badge.title = lastProblem;
    if (lastProblem) showMessage(lastProblem);
    byId("sync-now").disabled = !online || !waiting || syncing;

    const body = document.querySelector("#captured tbody");
    body.replaceChildren();
    for (const op of all.slice().reverse()) {
      const row = body.insertRow();
      row.className = `state-${op.state}`;
      row.dataset.id = op.id;
      const time = new Date(op.captured_at);
      cell(row, time.toLocaleTimeString(config.language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timezone }), "time");
      cell(row, (op.kind === "ticket" ? texts.ticket : texts.application) + (op.payload.priority ? ` · ${texts.priority}` : ""), "kind");
      cell(row, services.get(op.payload.service) || op.payload.service, "service");
      cell(row, op.payload.iin || "—", "iin");
      cell(row, outcome(op), "outcome");
    }
    byId("captured-empty").hidden = all.length > 0;
  }

  // ------------------------------------------------------------ the centre: services and route

  function localDate(timeZone) {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date());
  }

  function showStop(office) {
    const today = localDate(office.timezone);
    const now = new Intl.DateTimeFormat("en-GB", { timeZone: office.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date());
    const todays = office.route.filter((stop) => stop.date === today);
    const stop = todays.find((s) => s.starts <= now && now < s.ends) || todays[0];
    const box = byId("stop");
    box.replaceChildren();
    const line = (className, text) => {
      const p = document.createElement("p");
      p.className = className;
      p.textContent = text;
      box.append(p);
    };
    if (stop) {
      line("stop-settlement", stop.settlement);
      line("stop-place", stop.place);
      const day = today.split("-").reverse().join(".");
      line("stop-hours", `${day} · ${stop.starts.slice(0, 5)}–${stop.ends.slice(0, 5)}`);
    } else {
      line("stop-place", texts.noStop);
    }
    const next = office.route.find((s) => s.date > today || (s.date === today && s.starts > now));
    byId("next-stop").textContent = next
      ? format(texts.nextStop, { date: next.date.split("-").reverse().join("."), settlement: next.settlement })
      : "";
  }

  function fillServices(list, office) {
    const offered = new Set(office.services);
    const chosen = list.filter((service) => offered.has(service.code));
    services = new Map(chosen.map((service) => [service.code, service.name]));
    for (const select of document.querySelectorAll("select[data-services]")) {
      const current = select.value;
      select.replaceChildren(new Option(`— ${texts.chooseService} —`, ""));
      for (const service of chosen) select.add(new Option(service.name, service.code));
      select.value = services.has(current) ? current : "";
    }
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  async function loadCentre() {
    try {
      const [list, office] = await Promise.all([getJson(config.servicesUrl), getJson(config.officeUrl)]);
      fillServices(list.items, office);
      showStop(office);
    } catch (error) {
      showMessage(texts.loadFailed);
    }
    await render();
  }

  // ------------------------------------------------------------ offline: the service worker

  // Asks the worker to keep this page, its styles and script, and the centre's data.
  async function prepareOffline() {
    const ready = byId("offline-ready");
    if (!("serviceWorker" in navigator)) {
      ready.textContent = texts.notReadyOffline;
      return;
    }
    try {
      await navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope });
      const registration = await navigator.serviceWorker.ready;
      const urls = [
        config.scope,
        ...[...document.querySelectorAll("link[rel=stylesheet]")].map((link) => link.href),
        ...[...document.querySelectorAll("script[src]")].map((script) => script.src),
        config.servicesUrl,
        config.officeUrl,
      ];
      const kept = await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data && event.data.kept);
        registration.active.postMessage({ type: "keep", urls }, [channel.port2]);
      });
      ready.textContent = kept ? texts.readyOffline : texts.notReadyOffline;
      root.dataset.offlineReady = kept ? "yes" : "no";
    } catch (error) {
      ready.textContent = texts.notReadyOffline;
    }
  }

  byId("sync-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => sync());
  window.addEventListener("offline", () => render());
  // Every 30 seconds; every 5 while the server cannot be reached, since a network that
  // comes back without the browser noticing sends no "online" event.
  let lastTry = 0;
  setInterval(() => {
    if (!reachable || Date.now() - lastTry >= 30000) {
      lastTry = Date.now();
      sync();
    }
  }, 5000);

  prepareOffline();
  forgetOld()
    .then(loadCentre)
    .then(() => sync());
})();
