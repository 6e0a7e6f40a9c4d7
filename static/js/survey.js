// The survey form: section navigation with progress, "use my location", postal code lookup,
// address geocoding, and a local draft so that nothing typed is lost on reload or navigation.
// Every user-visible string comes from data-msg-* attributes the template translated.
// The outbox (outbox.js, IndexedDB) gets every autosave too, and takes the survey when the
// surveyor saves it with no connection; sync.js sends it later.

import { setUpLocation } from "./location.js";
import * as outbox from "./outbox.js";
import { setUpRunTimes } from "./run_times.js";

const DRAFT_PREFIX = "survey-draft:";
const NEW_POINTER = "survey-draft-new";
const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const SKIP_TYPES = new Set(["hidden", "file", "submit", "button", "reset", "image"]);
const NOT_COUNTED = new Set(["remove_photos"]);


async function setUp(form) {
  await claimUuid(form);
  await loadRecordToFix(form);
  const ui = {
    message(key, vars = {}) {
      const name = "msg" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
      let text = form.dataset[name] || "";
      for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
      return text;
    },
  };
  const field = (name) => form.elements.namedItem(name);
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  const progress = setUpProgress(form);
  const records = setUpOutbox(form, ui);
  const drafts = setUpDrafts(form, ui, progress, records);
  records.attach(drafts);
  setUpSectionNav(form, reducedMotion);
  setUpGeolocation(form, ui, field);
  setUpPostal(form, ui, field);
  setUpGeocode(form, ui, field);
  setUpRunTimes(form); // after the drafts: it shows the restored times

  form.addEventListener("input", () => {
    progress.update();
    drafts.changed();
  });
  form.addEventListener("change", () => {
    progress.update();
    drafts.changed();
  });
}

// ---------------------------------------------------------------- helpers

function controls(root) {
  return Array.from(root.querySelectorAll("input, select, textarea")).filter(
    (el) => el.name && el.name !== "csrf_token" && !SKIP_TYPES.has(el.type) && !el.disabled,
  );
}

// Hidden inputs a measuring tool fills (speedtest_panel.js) or the outbox stamps: the draft
// keeps them too, or a restored run would lose its uuid, time, tool, bytes and duration.
const DRAFTED_HIDDEN = /^measurements-\d+-(uuid|measured_at|tool_version|bytes_moved|duration_s)$/;

/** The controls the local draft keeps: the visible ones and the tool-filled hidden ones. */
function draftControls(root) {
  const hidden = Array.from(root.querySelectorAll("input[type=hidden]")).filter(
    (el) => DRAFTED_HIDDEN.test(el.name) && !el.disabled,
  );
  return [...controls(root), ...hidden];
}

/** Current values: name -> array of strings (checked boxes, selected options, or the text). */
function readValues(root, useDefaults = false) {
  const values = {};
  for (const el of draftControls(root)) {
    const list = (values[el.name] ||= []);
    if (el.type === "checkbox" || el.type === "radio") {
      if (useDefaults ? el.defaultChecked : el.checked) list.push(el.value);
    } else if (el.tagName === "SELECT") {
      const options = Array.from(el.options);
      let chosen = options.filter((o) => (useDefaults ? o.defaultSelected : o.selected));
      if (!chosen.length && !el.multiple && options.length) chosen = [options[0]];
      list.push(...chosen.map((o) => o.value));
    } else {
      list.push(useDefaults ? el.defaultValue : el.value);
    }
  }
  return values;
}

function sameValue(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}

function writeValue(form, name, list) {
  for (const el of draftControls(form).filter((c) => c.name === name)) {
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = list.includes(el.value);
    } else if (el.tagName === "SELECT") {
      for (const o of el.options) o.selected = list.includes(o.value);
    } else {
      el.value = list[0] ?? "";
    }
  }
}

/** Set a control's value as if typed, so progress and the draft see it. */
function setField(el, value) {
  if (!el) return;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

function showStatus(node, text, kind = "") {
  if (!node) return;
  node.textContent = "";
  node.classList.remove("is-working", "is-ok");
  if (kind === "warn" || kind === "error") {
    const note = document.createElement("span");
    note.className = `status-note is-${kind}`;
    note.textContent = text;
    node.append(note);
  } else {
    node.textContent = text;
    if (kind) node.classList.add(`is-${kind}`);
  }
}

const storage = {
  get(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch {
      return false;
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      /* storage unavailable: nothing to remove */
    }
  },
  keys() {
    try {
      return Object.keys(window.localStorage);
    } catch {
      return [];
    }
  },
};

// ---------------------------------------------------------------- progress per section

function setUpProgress(form) {
  const sections = Array.from(form.querySelectorAll("section[data-section]"));
  function update() {
    for (const section of sections) {
      const badge = form.querySelector(`.progress[data-progress="${section.dataset.section}"]`);
      if (!badge) continue;
      const groups = new Map();
      for (const el of controls(section)) {
        if (NOT_COUNTED.has(el.name)) continue;
        let filled;
        if (el.type === "radio") filled = el.checked && el.value !== "";
        else if (el.type === "checkbox") filled = el.checked;
        else filled = el.value.trim() !== "";
        const key = el.type === "radio" || el.type === "checkbox" ? `group:${el.name}` : el;
        groups.set(key, (groups.get(key) || false) || filled);
      }
      const total = groups.size;
      const done = Array.from(groups.values()).filter(Boolean).length;
      badge.textContent = total ? `${done}/${total}` : "";
      badge.classList.toggle("is-complete", total > 0 && done === total);
    }
  }
  update();
  return { update };
}

// ---------------------------------------------------------------- section navigation

function setUpSectionNav(form, reducedMotion) {
  const nav = form.querySelector(".sections-nav");
  if (!nav) return;
  const links = Array.from(nav.querySelectorAll("a[data-section]"));
  const list = nav.querySelector("ol");

  function mark(key) {
    for (const a of links) {
      if (a.dataset.section === key) {
        a.setAttribute("aria-current", "true");
        // keep the current link in view in the horizontal strip without moving the page
        if (list && list.scrollWidth > list.clientWidth) {
          const left = a.parentElement.offsetLeft - list.clientWidth / 2 + a.offsetWidth / 2;
          list.scrollTo({ left, behavior: reducedMotion() ? "auto" : "smooth" });
        }
      } else {
        a.removeAttribute("aria-current");
      }
    }
  }

  // After a jump from the navigation the chosen section stays current until the user scrolls
  // by hand (short sections at the end of the page can never reach the top).
  let pinned = null;
  for (const type of ["wheel", "touchstart", "keydown"]) {
    window.addEventListener(type, () => (pinned = null), { passive: true });
  }

  for (const a of links) {
    a.addEventListener("click", (event) => {
      const section = document.getElementById(`section-${a.dataset.section}`);
      if (!section) return;
      event.preventDefault();
      section.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
      const heading = section.querySelector("h2") || section;
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
      history.replaceState(null, "", `#section-${a.dataset.section}`);
      mark(a.dataset.section);
      pinned = a.dataset.section;
    });
  }

  if (!("IntersectionObserver" in window)) return;
  const sections = Array.from(form.querySelectorAll("section[data-section]"));
  function pickCurrent() {
    if (pinned) return;
    // the last section whose top has passed a line 35% down the screen
    const line = window.innerHeight * 0.35;
    let current = sections[0];
    const atBottom =
      window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 4;
    for (const section of sections) {
      const top = section.getBoundingClientRect().top;
      // at the very bottom the last short sections can never reach the line
      if (top <= line || (atBottom && top < window.innerHeight * 0.8)) current = section;
    }
    if (current) mark(current.dataset.section);
  }
  // A thin band around that line: the observer fires whenever a section edge crosses it.
  const observer = new IntersectionObserver(pickCurrent, {
    rootMargin: "-34% 0px -65% 0px",
    threshold: 0,
  });
  for (const section of sections) observer.observe(section);
  window.addEventListener("scrollend", pickCurrent, { passive: true });
}

// ---------------------------------------------------------------- "use my location", map pick

function setUpGeolocation(form, ui, field) {
  // location.js: live accuracy, automatic acceptance, averaging, the map pick
  setUpLocation(form, { ui, field, setField, showStatus });
}

// ---------------------------------------------------------------- postal code lookup

function setUpPostal(form, ui, field) {
  const button = document.getElementById("postal-lookup");
  const status = document.getElementById("postal-status");
  if (!button) return;

  function apply(match) {
    const place = [match.municipality || match.prefecture, match.town].filter(Boolean).join(" ");
    if (match.in_scope === false) {
      // the save would refuse this municipality: say so now, change nothing
      showStatus(status, ui.message("postal-outside", { place }), "error");
      return;
    }
    const code = field("municipality_code");
    if (code && match.municipality_code && code.value.trim() !== match.municipality_code) {
      setField(code, match.municipality_code);
      const name = document.getElementById("municipality-name");
      if (name) name.textContent = match.municipality || "";
    }
    const town = field("address_town");
    if (town && !town.value.trim() && match.town) setField(town, match.town);
    showStatus(status, ui.message("postal-done", { place }), "ok");
  }

  button.addEventListener("click", async () => {
    const input = field("postal_code");
    const digits = (input ? input.value : "")
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/\D/g, "");
    if (digits.length !== 7) {
      showStatus(status, ui.message("postal-invalid"), "error");
      return;
    }
    button.setAttribute("aria-busy", "true");
    showStatus(status, ui.message("busy"), "working");
    try {
      const response = await fetch(`/geo/postal/${digits}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 400) {
        showStatus(status, ui.message("postal-invalid"), "error");
        return;
      }
      if (response.status === 404) {
        showStatus(status, ui.message("postal-not-found"), "error");
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const matches = (await response.json()).matches || [];
      if (!matches.length) {
        showStatus(status, ui.message("postal-not-found"), "error");
      } else if (matches.length === 1) {
        apply(matches[0]);
      } else {
        showStatus(status, ui.message("postal-pick"));
        const list = document.createElement("ul");
        list.className = "choice-list";
        for (const match of matches) {
          const item = document.createElement("li");
          const choice = document.createElement("button");
          choice.type = "button";
          choice.className = "button";
          choice.textContent = [match.municipality, match.town].filter(Boolean).join(" ");
          choice.addEventListener("click", () => {
            apply(match);
            field("address_town")?.focus();
          });
          item.append(choice);
          list.append(item);
        }
        status.append(list);
      }
    } catch {
      showStatus(status, ui.message("failed"), "error");
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
}

// ---------------------------------------------------------------- address -> coordinates

function setUpGeocode(form, ui, field) {
  const button = document.getElementById("geocode-address");
  const status = document.getElementById("geocode-status");
  if (!button) return;
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";

  button.addEventListener("click", async () => {
    const town = field("address_town")?.value.trim() || "";
    const line = field("address_line")?.value.trim() || "";
    if (!town && !line) {
      showStatus(status, ui.message("geocode-empty"), "error");
      return;
    }
    const place = document.getElementById("municipality-name")?.textContent.trim() || "";
    const address = [place, town, line].filter(Boolean).join(" ");
    button.setAttribute("aria-busy", "true");
    showStatus(status, ui.message("busy"), "working");
    try {
      const response = await fetch("/geo/geocode", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token,
        },
        body: JSON.stringify({ address }),
      });
      let body = {};
      try {
        body = await response.json();
      } catch {
        body = {};
      }
      if (response.ok && Number.isFinite(body.latitude) && Number.isFinite(body.longitude)) {
        setField(field("latitude"), body.latitude.toFixed(6));
        setField(field("longitude"), body.longitude.toFixed(6));
        // a GPS accuracy no longer describes these coordinates
        setField(field("location_accuracy_m"), "");
        setField(field("location_fix_count"), "");
        setField(field("location_source"), "geocoded");
        showStatus(status, ui.message("geocode-done", { place: body.display_name || address }), "ok");
      } else if (response.status === 404 || response.status === 400) {
        showStatus(status, ui.message("geocode-not-found"), "warn");
      } else {
        showStatus(status, ui.message("geocode-unavailable"), "warn");
      }
    } catch {
      showStatus(status, ui.message("geocode-unavailable"), "warn");
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
}

// ---------------------------------------------------------------- local draft

function setUpDrafts(form, ui, progress, records) {
  const uuidInput = form.elements.namedItem("uuid");
  const revisionInput = form.elements.namedItem("base_revision");
  const note = document.getElementById("autosave-note");
  const isNew = !form.dataset.savedAt && !(revisionInput && revisionInput.value);
  const pageUuid = form.dataset.siteUuid || (uuidInput && uuidInput.value) || "";
  let uuid = pageUuid;
  const server = readValues(form, true); // what the server rendered
  let touched = new Set(); // names the user changed, kept across reloads
  let dirty = false;
  let submitting = false;
  let timer = null;

  const key = () => DRAFT_PREFIX + uuid;
  const revision = () => Number((revisionInput && revisionInput.value) || 0);

  pruneOldDrafts();
  forgetTaken(form.dataset.takenUuid);

  // A new survey gets a fresh uuid on every GET: pick up the unsaved new one, if any (not on a
  // form opened to fix a refused survey: that one has its uuid).
  if (isNew && !form.dataset.fixing && !storage.get(key())) {
    const pointer = storage.get(NEW_POINTER);
    const other = pointer && pointer.uuid && storage.get(DRAFT_PREFIX + pointer.uuid);
    if (other && !other.submitted && other.isNew) {
      uuid = pointer.uuid;
    }
  }

  const draft = storage.get(key());
  if (draft && draft.values) {
    const savedAt = Date.parse(form.dataset.savedAt || "") || 0;
    const serverIsNewer =
      revision() > Number(draft.revision || 0) || (draft.submitted && savedAt > draft.submitted);
    const differing = Object.keys(draft.values).filter(
      (name) => name in server && !sameValue(draft.values[name], server[name]),
    );
    if (draft.submitted && serverIsNewer) {
      drop(); // the server accepted what was submitted
    } else if (!differing.length) {
      if (serverIsNewer) drop(); // nothing the server does not already have
      else touched = new Set(Object.keys(draft.values));
    } else {
      touched = new Set(Object.keys(draft.values));
      restore(draft, differing);
    }
  }

  function restore(saved, names) {
    if (uuid !== pageUuid) {
      if (uuidInput) uuidInput.value = uuid;
      form.dataset.siteUuid = uuid;
    }
    for (const name of names) writeValue(form, name, saved.values[name]);
    progress.update();
    dirty = true;
    if (!note) return;
    const when = new Date(saved.savedAt || Date.now());
    let time;
    try {
      // Japanese as Japanese write it; otherwise 2026-11-29 10:00, never a US month/day order
      const locale = document.documentElement.lang === "ja" ? "ja-JP" : "sv-SE";
      time = when.toLocaleString(locale, {
        timeZone: "Asia/Tokyo",
        dateStyle: "short",
        timeStyle: "short",
      });
    } catch {
      time = when.toISOString();
    }
    note.textContent = "";
    const text = document.createElement("span");
    text.textContent = ui.message("restored", { time });
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = ui.message("discard");
    discard.addEventListener("click", () => {
      clearTimeout(timer);
      drop();
      if (uuidInput && uuid !== pageUuid) uuidInput.value = pageUuid;
      form.dataset.siteUuid = pageUuid;
      uuid = pageUuid;
      for (const [name, list] of Object.entries(server)) writeValue(form, name, list);
      touched = new Set();
      dirty = false;
      progress.update();
      note.hidden = true;
      note.textContent = "";
      form.querySelector("h2, input:not([type=hidden])")?.focus();
    });
    note.append(text, discard);
    note.hidden = false;
  }

  function drop() {
    storage.remove(key());
    const pointer = storage.get(NEW_POINTER);
    if (pointer && pointer.uuid === uuid) storage.remove(NEW_POINTER);
    records.dropDraft(uuid);
  }

  function save(extra = {}) {
    if (!uuid) return;
    const now = readValues(form);
    for (const [name, list] of Object.entries(now)) {
      if (!sameValue(list, server[name])) touched.add(name);
    }
    const values = {};
    for (const name of touched) if (name in now) values[name] = now[name];
    if (!Object.keys(values).length) {
      drop();
      return;
    }
    storage.set(key(), {
      version: 1,
      savedAt: Date.now(),
      revision: revision(),
      isNew,
      submitted: false,
      values,
      ...extra,
    });
    if (isNew) storage.set(NEW_POINTER, { uuid });
    records.autosave(uuid, isNew);
  }

  /** The server says a saved survey already has this uuid: its local draft is stale. */
  function forgetTaken(taken) {
    if (!taken) return;
    storage.remove(DRAFT_PREFIX + taken);
    const pointer = storage.get(NEW_POINTER);
    if (pointer && pointer.uuid === taken) storage.remove(NEW_POINTER);
  }

  function pruneOldDrafts() {
    const limit = Date.now() - DRAFT_MAX_AGE_MS;
    for (const k of storage.keys()) {
      if (!k.startsWith(DRAFT_PREFIX)) continue;
      const d = storage.get(k);
      if (!d || !(d.savedAt > limit)) storage.remove(k);
    }
  }

  form.addEventListener("submit", () => {
    submitting = true;
    clearTimeout(timer);
    timer = null; // else beforeunload saves again, without "submitted", and the next new
    // survey page restored this one (the last field's change event fires as the button is hit)
    save({ submitted: Date.now() });
  });

  window.addEventListener("beforeunload", (event) => {
    if (timer !== null && !submitting) {
      clearTimeout(timer);
      timer = null;
      save();
    }
    if (submitting || !dirty) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to show the prompt
  });

  // Back from the next page (bfcache): the form is live again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) submitting = false;
  });

  return {
    /** The outbox has the survey now: forget the local draft, leave without a prompt. */
    forget() {
      clearTimeout(timer);
      timer = null;
      submitting = true;
      storage.remove(key());
      const pointer = storage.get(NEW_POINTER);
      if (pointer && pointer.uuid === uuid) storage.remove(NEW_POINTER);
    },
    isNew,
    changed() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        save();
      }, 500);
    },
  };
}

// ---------------------------------------------------------------- the outbox (IndexedDB)

const QUEUED_NOTICE = "survey-queued-notice";

/** A new-survey page served from the offline cache carries the uuid it had when cached: if
 *  the outbox already holds a saved survey with that uuid, this page gets a fresh one. */
async function claimUuid(form) {
  const input = form.elements.namedItem("uuid");
  const revision = form.elements.namedItem("base_revision");
  if (!input || form.dataset.savedAt || (revision && revision.value)) return;
  try {
    const record = await outbox.getRecord(input.value);
    if (record && record.state !== outbox.STATES.DRAFT && self.crypto?.randomUUID) {
      input.value = self.crypto.randomUUID();
      form.dataset.siteUuid = input.value;
    }
  } catch {
    /* no IndexedDB: the page works online as before */
  }
}

function setUpOutbox(form, ui) {
  const { STATES } = outbox;
  let drafts = null;
  let saving = Promise.resolve();
  const uuidNow = () => form.elements.namedItem("uuid")?.value || "";

  const shown = sessionStorage.getItem(QUEUED_NOTICE);
  if (shown) {
    sessionStorage.removeItem(QUEUED_NOTICE);
    const slot = document.getElementById("app-notices");
    if (slot) {
      const box = document.createElement("div");
      box.className = "flash flash-success";
      box.id = "queued-notice";
      box.textContent = shown;
      slot.append(box);
    }
  }

  function autosave(uuid, isNew) {
    if (!uuid) return;
    const doc = outbox.buildDocument(form);
    saving = saving
      .then(() =>
        outbox.updateRecord(uuid, (r) => {
          const base = r || { uuid, state: STATES.DRAFT, isNew, createdAt: Date.now() };
          // a survey saved to send keeps what was saved; the typing is its draft
          const state = base.state === STATES.SENT ? STATES.DRAFT : base.state;
          return { ...base, state, draft: doc, name: doc.name || base.name || "", savedAt: Date.now() };
        }),
      )
      .catch(() => {});
  }

  function dropDraft(uuid) {
    saving = saving
      .then(() => outbox.updateRecord(uuid, (r) => (r && r.state === STATES.DRAFT ? null : undefined)))
      .catch(() => {});
  }

  async function queue(intent) {
    const uuid = uuidNow();
    const photos = await storePhotos(form, uuid);
    const earlier = await outbox.getRecord(uuid).catch(() => null);
    const kept = (earlier?.document?.photos || []).filter((p) => !photos.some((n) => n.sha256 === p.sha256));
    const doc = outbox.buildDocument(form, { intent, photos: [...kept, ...photos] });
    const now = Date.now();
    await saving;
    await outbox.updateRecord(uuid, (r) => ({
      ...(r || { createdAt: now }),
      uuid,
      isNew: drafts ? drafts.isNew : !doc.revision,
      state: STATES.WAITING,
      document: doc,
      draft: null,
      intent,
      name: doc.name || "",
      savedAt: now,
      queuedAt: now,
      message: "",
      errors: null,
      kind: null,
      current: null,
    }));
  }

  form.addEventListener("submit", (event) => {
    const intent = event.submitter?.value === "submit" ? "submit" : "draft";
    // a survey opened from the outbox to fix goes back through the outbox, online too: its
    // photos are on this tablet, not in the form
    if (navigator.onLine !== false && !form.dataset.fixing) {
      dropDraft(uuidNow()); // the server takes the form as before; the draft is done with
      return;
    }
    // No connection: the survey goes to the outbox and is sent when the connection is back.
    event.preventDefault();
    queue(intent)
      .then(async () => {
        drafts?.forget();
        const online = form.dataset.fixing && navigator.onLine !== false;
        sessionStorage.setItem(QUEUED_NOTICE, ui.message(online ? "queued-online" : "queued"));
        const sync = await import("./sync.js");
        await sync.registerBackgroundSync();
        window.location.assign(form.dataset.fixing ? form.dataset.newUrl || "/surveys/new" : window.location.pathname);
      })
      .catch(() => {
        const note = document.getElementById("autosave-note");
        if (note) {
          note.textContent = ui.message("queue-failed");
          note.hidden = false;
        }
      });
  });

  return {
    attach(d) {
      drafts = d;
    },
    autosave,
    dropDraft,
  };
}

// ---------------------------------------------------------------- fixing a refused survey

/** "Open and fix" on a survey the server refused (records.js links here with ?fix=<uuid>): the
 *  form takes that record's uuid, base revision and values; saving sends it through the outbox
 *  again, with the photos the tablet keeps for it. */
async function loadRecordToFix(form) {
  const wanted = new URLSearchParams(window.location.search).get("fix");
  if (!wanted) return;
  let record;
  try {
    record = await outbox.getRecord(wanted);
  } catch {
    return;
  }
  if (!record || !record.document || record.state !== outbox.STATES.ATTENTION) return;
  const uuidInput = form.elements.namedItem("uuid");
  if (uuidInput) uuidInput.value = record.uuid;
  form.dataset.siteUuid = record.uuid;
  const base = form.elements.namedItem("base_revision");
  if (base && record.document.revision) base.value = String(record.document.revision);
  fillFromDocument(form, record.draft || record.document);
  form.dataset.fixing = record.uuid;
  outbox.announce(); // the outbox panel shows the server's reasons at the top of the form
}

/** The form's controls set from a document outbox.buildDocument made: what it left out is blank. */
function fillFromDocument(form, doc) {
  const carriers = new Map();
  for (const el of draftControls(form)) {
    if (el.name === "uuid" || outbox.FORM_ONLY.has(el.name)) continue;
    const nested = outbox.NESTED.exec(el.name);
    if (nested && nested[3] === "carrier") carriers.set(el.value, el.name.slice(0, -"carrier".length));
    else if (nested) writeValue(form, el.name, []);
    else {
      const value = doc[el.name];
      writeValue(form, el.name, Array.isArray(value) ? value.map(String) : value == null ? [] : [String(value)]);
    }
  }
  (doc.measurements || []).forEach((row, index) => {
    for (const [sub, value] of Object.entries(row)) writeValue(form, `measurements-${index}-${sub}`, [String(value)]);
  });
  for (const row of doc.coverage || []) {
    const prefix = carriers.get(row.carrier);
    if (!prefix) continue;
    for (const [sub, value] of Object.entries(row)) if (sub !== "carrier") writeValue(form, prefix + sub, [String(value)]);
  }
}

// ---------------------------------------------------------------- photos on the tablet

/** The chosen photos, shrunk on the device (longest side at most data-photo-max-px), stored
 *  in the outbox as Blobs keyed by their SHA-256; returns the document's photo entries. */
async function storePhotos(form, uuid) {
  const input = form.elements.namedItem("photo_files");
  const files = input && input.files ? Array.from(input.files) : [];
  if (!files.length) return [];
  const maxPx = Number(form.dataset.photoMaxPx) > 0 ? Number(form.dataset.photoMaxPx) : 1600;
  const caption = (form.elements.namedItem("photo_caption")?.value || "").trim().slice(0, 200);
  const entries = [];
  for (const file of files) {
    const { blob, width, height } = await shrink(file, maxPx);
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    await outbox.putPhoto({ id: `${uuid}:${sha256}`, uuid, sha256, blob, caption, width, height, name: file.name });
    entries.push({ sha256, caption });
  }
  return entries;
}

async function shrink(file, maxPx) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return { blob: file, width: null, height: null }; // not decodable here: the server decides
  }
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  return blob ? { blob, width, height } : { blob: file, width: null, height: null };
}

// Run last: the helpers above (`storage`) must be initialised first.
const surveyForm = document.getElementById("survey-form");
if (surveyForm) {
  setUp(surveyForm);
}
