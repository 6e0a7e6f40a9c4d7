// The outbox: every survey typed on this tablet, kept in IndexedDB until the server has it.
// A record: { uuid, state, isNew, name, document, intent, savedAt, queuedAt, sentAt, attempts,
//             message, errors, kind, current, serverRevision }.
// state: draft (autosaved while typing) -> waiting (saved by the surveyor, to send) -> sending
//        -> sent, or attention (the server refused it: field errors, or kind "conflict": the
//        site moved on since this edit's base; `current` keeps the server's document until the
//        surveyor keeps theirs (rebase, send again) or takes the server's).
// Also here: the review feedback pulled from GET /api/v1/sync/changes ("feedback", one entry
// per site) and the feed's cursor ("meta").
// Works in pages and in the service worker (no DOM here except buildDocument).

export const STATES = Object.freeze({
  DRAFT: "draft",
  WAITING: "waiting",
  SENDING: "sending",
  SENT: "sent",
  ATTENTION: "attention",
});
const DB_NAME = "wss-outbox";
const DB_VERSION = 2;
const SENT_KEPT_MS = 14 * 24 * 3600 * 1000;
const CHANNEL = "wss-outbox";

let dbPromise = null;

export function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("records")) db.createObjectStore("records", { keyPath: "uuid" });
        if (!db.objectStoreNames.contains("photos")) {
          const photos = db.createObjectStore("photos", { keyPath: "id" });
          photos.createIndex("uuid", "uuid");
        }
        if (!db.objectStoreNames.contains("feedback")) db.createObjectStore("feedback", { keyPath: "uuid" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close(); // a newer page wants to upgrade
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("outbox blocked"));
    }).catch((error) => {
      dbPromise = null;
      throw error;
    });
  }
  return dbPromise;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("aborted"));
  });
}

export async function getRecord(uuid) {
  const db = await openDb();
  return done(db.transaction("records").objectStore("records").get(uuid));
}

export async function allRecords() {
  const db = await openDb();
  const records = await done(db.transaction("records").objectStore("records").getAll());
  return records.sort((a, b) => (b.savedAt || 0) - (a.savedAt || 0));
}

/** Read-modify-write one record in a single transaction; `change(old)` returns the new one
 *  (or null to delete, or undefined to leave it). */
export async function updateRecord(uuid, change) {
  const db = await openDb();
  const tx = db.transaction("records", "readwrite");
  const store = tx.objectStore("records");
  const old = await done(store.get(uuid));
  const next = change(old ? structuredClone(old) : null);
  if (next === null) store.delete(uuid);
  else if (next !== undefined) store.put(next);
  await finished(tx);
  announce();
  return next;
}

export async function deleteRecord(uuid) {
  const db = await openDb();
  const tx = db.transaction(["records", "photos"], "readwrite");
  tx.objectStore("records").delete(uuid);
  const photos = tx.objectStore("photos");
  for (const key of await done(photos.index("uuid").getAllKeys(uuid))) photos.delete(key);
  await finished(tx);
  announce();
}

/** Records waiting to go (a "sending" one was cut off by a closed page: send it again). */
export async function dueRecords() {
  return (await allRecords())
    .filter((r) => r.state === STATES.WAITING || r.state === STATES.SENDING)
    .sort((a, b) => (a.queuedAt || 0) - (b.queuedAt || 0));
}

export async function pruneSent() {
  const limit = Date.now() - SENT_KEPT_MS;
  for (const record of await allRecords()) {
    if (record.state === STATES.SENT && (record.sentAt || 0) < limit) await deleteRecord(record.uuid);
  }
}

// ---------------------------------------------------------------- conflicts (409)

/** Fields of a server document that are the server's, not the surveyor's. */
export const SERVER_OWNED = Object.freeze([
  "revision",
  "status",
  "photos_complete",
  "updated_at",
  "score",
  "tier",
]);

/** "Keep mine": my version goes again, on top of the server's revision (a deliberate overwrite). */
export async function keepMine(uuid) {
  return updateRecord(uuid, (r) => {
    if (!r || r.kind !== "conflict" || !r.current) return undefined;
    const revision = Number(r.current.revision) || r.serverRevision;
    return {
      ...r,
      state: STATES.WAITING,
      document: { ...r.document, revision },
      serverRevision: revision,
      queuedAt: Date.now(),
      attempts: 0,
      kind: null,
      current: null,
      message: "",
      errors: null,
      resolved: "mine",
    };
  });
}

/** "Take the server's": my change is dropped; the record is the server's version, sent. */
export async function takeServers(uuid) {
  const next = await updateRecord(uuid, (r) => {
    if (!r || r.kind !== "conflict" || !r.current) return undefined;
    const theirs = { ...r.current };
    for (const name of SERVER_OWNED) delete theirs[name];
    const revision = Number(r.current.revision) || r.serverRevision;
    return {
      ...r,
      state: STATES.SENT,
      document: { ...theirs, revision },
      draft: null,
      name: theirs.name || r.name,
      serverRevision: revision,
      sentAt: Date.now(),
      kind: null,
      current: null,
      message: "",
      errors: null,
      resolved: "server",
    };
  });
  if (next) await deletePhotosOf(uuid);
  return next;
}

// ---------------------------------------------------------------- review feedback

// A site's feedback is kept while the tablet has the site in its outbox, or while the
// reviewer's answer waits for the surveyor (needs revision, rejected).
export const OPEN_REVIEW = Object.freeze(["needs_revision", "rejected"]);

export async function allFeedback() {
  const db = await openDb();
  return done(db.transaction("feedback").objectStore("feedback").getAll());
}

export async function getFeedback(uuid) {
  const db = await openDb();
  return done(db.transaction("feedback").objectStore("feedback").get(uuid));
}

/** Where the changes feed stopped for this user (0: from the start). */
export async function feedCursor(user) {
  const db = await openDb();
  const meta = await done(db.transaction("meta").objectStore("meta").get("changes"));
  return meta && meta.user === user ? meta.cursor || 0 : 0;
}

/** Apply one page of GET /api/v1/sync/changes, and move the cursor, in one transaction.
 *  Another user on this tablet starts from the beginning with no one else's feedback. */
export async function applyChanges(user, changes, next) {
  const db = await openDb();
  const tx = db.transaction(["records", "feedback", "meta"], "readwrite");
  const feedback = tx.objectStore("feedback");
  const meta = tx.objectStore("meta");
  const before = await done(meta.get("changes"));
  if (!before || before.user !== user) feedback.clear();
  const mine = new Set(await done(tx.objectStore("records").getAllKeys()));
  const touched = new Map();
  for (const change of changes) {
    if (!change || typeof change.uuid !== "string") continue;
    let entry = touched.get(change.uuid);
    if (!entry) {
      entry = (before && before.user === user && (await done(feedback.get(change.uuid)))) || {
        uuid: change.uuid,
        comment: "",
      };
    }
    entry.status = change.status;
    entry.revision = change.revision;
    entry.changedAt = change.changed_at;
    entry.score = change.score ?? null;
    entry.tier = change.tier ?? null;
    // a decision brings its comment; a new revision or photos keep the last decision's
    if (change.kind === "status") entry.comment = change.comment || "";
    if (!OPEN_REVIEW.includes(entry.status)) entry.comment = "";
    touched.set(change.uuid, entry);
  }
  for (const [uuid, entry] of touched) {
    if (mine.has(uuid) || OPEN_REVIEW.includes(entry.status)) feedback.put(entry);
    else feedback.delete(uuid);
  }
  meta.put({ key: "changes", user, cursor: next });
  await finished(tx);
  if (touched.size) announce();
}

// ---------------------------------------------------------------- photos (Blobs)

export async function putPhoto(photo) {
  const db = await openDb();
  const tx = db.transaction("photos", "readwrite");
  tx.objectStore("photos").put(photo);
  await finished(tx);
  announce();
}

/** Drop the Blobs of a record the server has in full (its document still lists them). */
export async function deletePhotosOf(uuid) {
  const db = await openDb();
  const tx = db.transaction("photos", "readwrite");
  const photos = tx.objectStore("photos");
  for (const key of await done(photos.index("uuid").getAllKeys(uuid))) photos.delete(key);
  await finished(tx);
}

export async function photosOf(uuid) {
  const db = await openDb();
  return done(db.transaction("photos").objectStore("photos").index("uuid").getAll(uuid));
}

export async function updatePhoto(id, change) {
  const db = await openDb();
  const tx = db.transaction("photos", "readwrite");
  const store = tx.objectStore("photos");
  const old = await done(store.get(id));
  const next = old ? change(old) : undefined;
  if (next === null) store.delete(id);
  else if (next !== undefined) store.put(next);
  await finished(tx);
}

// ---------------------------------------------------------------- change notices

let channel = null;
try {
  channel = new BroadcastChannel(CHANNEL);
} catch {
  channel = null;
}

/** Tell this page, other tabs and the service worker that the outbox changed. */
export function announce() {
  if (typeof self.dispatchEvent === "function" && typeof CustomEvent === "function") {
    self.dispatchEvent(new CustomEvent("outbox:changed"));
  }
  channel?.postMessage("changed");
}

export function onChange(callback) {
  self.addEventListener("outbox:changed", callback);
  channel?.addEventListener("message", callback);
}

// ---------------------------------------------------------------- the site document

export const FORM_ONLY = new Set([
  "csrf_token",
  "base_revision",
  "photo_files",
  "photo_caption",
  "remove_photos",
  "held_photos",
  "intent",
]);
const LIST_FIELDS = new Set(["amenities", "transport_options"]);
export const NESTED = /^(measurements|coverage)-(\d+)-(\w+)$/;
const MEASURED = ["download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct"];

/** The site document (api-contract.md) for what the form holds now. Field names are the
 *  form's (forms/document.py mirrors them); blanks are left out, as the browser's POST would
 *  leave them empty. `photos` are the kept server photos plus the outbox's own. */
export function buildDocument(form, { intent = "draft", photos = [] } = {}) {
  stampMeasurements(form);
  const doc = {};
  const rows = { measurements: [], coverage: [] };
  for (const [name, value] of new FormData(form)) {
    if (FORM_ONLY.has(name) || typeof value !== "string") continue;
    const nested = NESTED.exec(name);
    if (nested) {
      const [, key, index, sub] = nested;
      const row = (rows[key][Number(index)] ||= {});
      if (value !== "") row[sub] = value;
    } else if (LIST_FIELDS.has(name)) {
      (doc[name] ||= []).push(value);
    } else if (value !== "") {
      doc[name] = value;
    }
  }
  for (const name of LIST_FIELDS) doc[name] ||= [];
  doc.measurements = rows.measurements.filter((row) => row && MEASURED.some((k) => k in row));
  doc.coverage = rows.coverage.filter((row) => row && row.carrier);
  const base = Number(form.elements.namedItem("base_revision")?.value || 0);
  if (base > 0) doc.revision = base;
  if (intent === "submit") doc.status = "submitted";
  const removed = new Set(
    Array.from(form.querySelectorAll("input[name=remove_photos]:checked"), (el) => el.value),
  );
  const kept = Array.from(form.querySelectorAll("[data-photo-sha256]"))
    .filter((el) => !removed.has(el.dataset.photoSha256))
    .map((el) => ({ sha256: el.dataset.photoSha256, caption: el.dataset.photoCaption || "" }));
  doc.photos = [...kept, ...photos];
  return doc;
}

/** A speed run typed on the tablet gets its uuid and time here, once (in the form's hidden
 *  inputs), so that the document is the tablet's alone: a retried push is then byte for byte
 *  the same survey, which the server recognises as a replay instead of a conflict. */
function stampMeasurements(form) {
  for (const input of form.querySelectorAll("input[type=hidden][name^='measurements-'][name$='-uuid']")) {
    const prefix = input.name.slice(0, -"uuid".length);
    const typed = MEASURED.some((k) => (form.elements.namedItem(prefix + k)?.value || "").trim() !== "");
    if (!typed || input.value) continue;
    input.value = self.crypto?.randomUUID ? self.crypto.randomUUID() : "";
    const when = form.elements.namedItem(`${prefix}measured_at`);
    if (when && !when.value) when.value = new Date().toISOString();
  }
}
