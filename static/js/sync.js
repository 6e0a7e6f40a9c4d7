// Sending the outbox from the page (iOS has no Background Sync): on load, when the connection
// comes back, when the page becomes visible, on a timer with backoff, and from "send now".
// One sync at a time (in this page, and across tabs with the Web Locks API where present).
// Photos go first (PUT /api/v1/photos/{sha256}), then the documents (POST /api/v1/sync/push)
// with the session cookie and a CSRF token fetched fresh from /offline/token. After the push,
// each cycle pulls GET /api/v1/sync/changes (review status and the reviewer's comments) from
// the cursor kept in IndexedDB. A conflict keeps the server's document on the record until
// the surveyor chooses (records.js); where the browser has Background Sync, a survey waiting
// with no connection registers "wss-outbox", and the service worker wakes the page with it.

import * as outbox from "./outbox.js";

const { STATES } = outbox;
const PUSH_URL = "/api/v1/sync/push";
const TOKEN_URL = "/offline/token";
const CHANGES_URL = "/api/v1/sync/changes";
const CHANGES_PAGES = 10; // per cycle (500 changes a page); the rest comes on the next one
const SETTLE_MS = 2_000; // a page that just loaded with nothing to send pulls a moment later
const BATCH = 100; // the API's limit
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 5 * 60_000;
const IDLE_CHECK_MS = 2 * 60_000;
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

let running = null;
let again = false;
let failures = 0;
let timer = null;
let started = false;
export const status = { waiting: 0, sending: false, attention: 0, signin: false, offline: false, nextTry: 0 };

class Retry extends Error {}
class SignIn extends Error {}

function emit() {
  document.dispatchEvent(new CustomEvent("outbox:state", { detail: { ...status } }));
}

async function refreshCounts() {
  const records = await outbox.allRecords();
  status.waiting = records.filter((r) => r.state === STATES.WAITING || r.state === STATES.SENDING).length;
  status.attention = records.filter((r) => r.state === STATES.ATTENTION).length;
  status.offline = navigator.onLine === false;
  if (status.offline && status.waiting) registerBackgroundSync();
  emit();
}

function schedule(ms) {
  clearTimeout(timer);
  status.nextTry = Date.now() + ms;
  timer = setTimeout(() => syncNow("timer"), ms);
}

function backoff() {
  failures += 1;
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4)); // jitter: tablets do not retry in step
}

/** Run a sync now, or once more after the one in progress. */
export function syncNow(reason = "manual") {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await exclusive(() => syncOnce(reason));
      } while (again);
    } finally {
      running = null;
      status.sending = false;
      await refreshCounts().catch(() => {});
    }
  })();
  return running;
}

async function exclusive(work) {
  if (navigator.locks && navigator.locks.request) {
    // another tab is sending: it will send these records too
    return navigator.locks.request("wss-outbox-sync", { ifAvailable: true }, (lock) =>
      lock ? work() : null,
    );
  }
  return work();
}

async function syncOnce(reason) {
  await refreshCounts();
  if (navigator.onLine === false) return; // the "online" event starts the next one
  const due = await outbox.dueRecords();
  if (!due.length) {
    failures = 0;
    if (reason === "load") {
      schedule(SETTLE_MS);
      return;
    }
    await pullQuietly();
    schedule(IDLE_CHECK_MS);
    return;
  }
  status.sending = true;
  status.signin = false;
  emit();
  let session = null;
  try {
    session = await freshSession();
    const { token } = session;
    const ready = [];
    for (const record of due) {
      await outbox.updateRecord(record.uuid, (r) =>
        r && (r.state === STATES.WAITING || r.state === STATES.SENDING)
          ? { ...r, state: STATES.SENDING, attempts: (r.attempts || 0) + 1 }
          : undefined,
      );
      if (await sendPhotos(record, token)) ready.push(record);
    }
    for (let i = 0; i < ready.length; i += BATCH) {
      await push(ready.slice(i, i + BATCH), token);
    }
    failures = 0;
    status.nextTry = 0;
    await pullQuietly(session);
    const left = await outbox.dueRecords();
    if (left.length) again = true;
    else schedule(IDLE_CHECK_MS);
  } catch (error) {
    // nothing is lost: the records go back to waiting and are tried again later
    for (const record of await outbox.allRecords()) {
      if (record.state === STATES.SENDING) {
        await outbox.updateRecord(record.uuid, (r) => ({ ...r, state: STATES.WAITING }));
      }
    }
    status.signin = error instanceof SignIn;
    if (error instanceof Retry) registerBackgroundSync();
    schedule(backoff());
  }
}

/** The session's CSRF token and user id; throws SignIn or Retry. */
async function freshSession() {
  let response;
  try {
    response = await fetch(TOKEN_URL, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
  } catch {
    throw new Retry("network");
  }
  if (!response.ok) throw new Retry(`token ${response.status}`);
  const body = await response.json().catch(() => ({}));
  if (!body.signed_in || !body.csrf_token) throw new SignIn();
  return { token: body.csrf_token, user: String(body.user ?? "") };
}

// ---------------------------------------------------------------- review feedback

/** Pull what changed on the server since the last cursor; a failure waits for the next cycle.
 *  Without a session from this cycle's push, the user is the one the records panel was
 *  rendered for: pages without the panel (nothing shows feedback there) pull after a push only. */
async function pullQuietly(session = null) {
  const user = session ? session.user : document.getElementById("outbox-panel")?.dataset.user;
  if (!user) return;
  try {
    await pullChanges({ user });
  } catch {
    /* offline, signed out, or the server is busy: the cursor has not moved */
  }
}

async function pullChanges({ user }) {
  let cursor = await outbox.feedCursor(user);
  for (let page = 0; page < CHANGES_PAGES; page += 1) {
    if (navigator.onLine === false) return;
    const response = await request(`${CHANGES_URL}?since=${encodeURIComponent(cursor)}`, { method: "GET" }, "");
    if (!response.ok) return;
    const body = await response.json();
    if (!Array.isArray(body.changes) || !Number.isInteger(body.next)) return;
    await outbox.applyChanges(user, body.changes, body.next);
    cursor = body.next;
    if (!body.more) return;
  }
}

async function request(url, options, token) {
  let response;
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      ...options,
      headers: { Accept: "application/json", ...(token ? { "X-CSRFToken": token } : {}), ...(options.headers || {}) },
    });
  } catch {
    throw new Retry("network"); // includes a reply lost after the server stored the records
  }
  if (response.status === 401) throw new SignIn();
  if (RETRYABLE.has(response.status)) throw new Retry(`HTTP ${response.status}`);
  return response;
}

/** Upload the record's photos that the server does not hold yet; false if one was refused. */
async function sendPhotos(record, token) {
  for (const photo of await outbox.photosOf(record.uuid)) {
    if (photo.uploaded) continue;
    const response = await request(
      `/api/v1/photos/${photo.sha256}`,
      { method: "PUT", body: photo.blob, headers: { "Content-Type": photo.blob.type } },
      token,
    );
    if (response.ok) {
      await outbox.updatePhoto(photo.id, (p) => ({ ...p, uploaded: Date.now() }));
      continue;
    }
    const body = await response.json().catch(() => ({}));
    await outbox.updateRecord(record.uuid, (r) => ({
      ...r,
      state: STATES.ATTENTION,
      kind: "photo",
      message: body.message || body.error || `HTTP ${response.status}`,
      errors: { photos: [body.message || body.error || `HTTP ${response.status}`] },
    }));
    return false;
  }
  return true;
}

async function push(records, token) {
  const response = await request(
    PUSH_URL,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sites: records.map((r) => r.document) }),
    },
    token,
  );
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !Array.isArray(body.results)) {
    // the whole batch was refused (400, 403, 413, 422): each record says why
    const message = body.message || body.error || `HTTP ${response.status}`;
    for (const record of records) {
      await outbox.updateRecord(record.uuid, (r) => ({
        ...r,
        state: STATES.ATTENTION,
        kind: "refused",
        message,
      }));
    }
    return;
  }
  for (const [index, result] of body.results.entries()) {
    const record = records[index];
    if (!record) continue;
    if (result.status === "conflict" && !result.current) {
      // refused because another writer committed at the same moment: fetch what it stored
      result.current = await currentDocument(record.uuid, token);
      if (result.current) result.revision = result.current.revision;
    }
    const next = await outbox.updateRecord(record.uuid, (r) => applyResult(r, record, result));
    if (next && next.state === STATES.SENT) await outbox.deletePhotosOf(record.uuid);
  }
}

/** The server's document of a site (GET /api/v1/sites/{uuid}), or null. */
async function currentDocument(uuid, token) {
  const response = await request(`/api/v1/sites/${encodeURIComponent(uuid)}`, { method: "GET" }, token);
  if (!response.ok) return null;
  const body = await response.json().catch(() => null);
  return body && typeof body === "object" && body.revision ? body : null;
}

function applyResult(r, sent, result) {
  if (!r) return undefined;
  const stillSame = JSON.stringify(r.document) === JSON.stringify(sent.document);
  if (["created", "updated", "unchanged"].includes(result.status)) {
    const next = { ...r, serverRevision: result.revision, message: "", errors: null, current: null, resolved: null };
    if (!stillSame) {
      // edited while it was on its way: send the newer version on top of this revision
      return { ...next, state: STATES.WAITING, document: { ...r.document, revision: result.revision } };
    }
    return { ...next, state: STATES.SENT, sentAt: Date.now(), kind: null };
  }
  if (result.status === "conflict") {
    return {
      ...r,
      state: STATES.ATTENTION,
      kind: "conflict",
      current: result.current || null,
      serverRevision: result.revision,
      errors: result.errors && Object.keys(result.errors).length ? result.errors : null,
    };
  }
  return { ...r, state: STATES.ATTENTION, kind: "invalid", errors: result.errors || {} };
}

/** Set the triggers up once per page. */
export function startSync() {
  if (started) return;
  started = true;
  window.addEventListener("online", () => {
    failures = 0;
    syncNow("online");
  });
  window.addEventListener("offline", () => refreshCounts().catch(() => {}));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow("visible");
  });
  outbox.onChange(() => refreshCounts().catch(() => {}));
  document.addEventListener("outbox:send-now", () => {
    failures = 0;
    syncNow("button");
  });
  // Background Sync (Chromium): the service worker wakes an open page to send
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data && event.data.type === "sync") syncNow("background");
  });
  syncNow("load");
}

/** Ask the browser to wake us when the connection is back, where Background Sync exists
 *  (Chromium; not Safari or Firefox, where the page's own triggers do the work). Never waits
 *  for a service worker that is not there. */
export async function registerBackgroundSync() {
  if (!("serviceWorker" in navigator) || !("SyncManager" in self)) return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration || !registration.active || !registration.sync) return false;
    await registration.sync.register("wss-outbox");
    return true;
  } catch {
    return false; // not allowed (permission, private window): the page's triggers remain
  }
}
