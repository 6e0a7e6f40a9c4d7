// The "Saved on this tablet" panel: each outbox record with its state, the server's message,
// "send now", and how safe the storage is (navigator.storage.persist() and usage).
// A conflict (409) shows the items that differ, mine and the server's, with "Keep mine" and
// "Take the server's"; review feedback pulled by sync.js shows the status and the reviewer's
// comment with a link to edit. On a survey's own form page, a banner at the top says the same.

import * as outbox from "./outbox.js";

const panel = document.getElementById("outbox-panel");
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const NOT_COMPARED = new Set(["uuid", ...outbox.SERVER_OWNED]);
const ROW_NOT_COMPARED = new Set(["uuid", "measured_at"]);
const ROW_KEYS = new Set(["carrier", "method"]); // a row with only these records nothing

let labelMap = null;
function labels() {
  if (!labelMap) {
    try {
      labelMap = JSON.parse(panel?.dataset.labels || "{}");
    } catch {
      labelMap = {};
    }
  }
  return labelMap;
}

function msg(key, vars = {}) {
  const name = "msg" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
  let text = panel?.dataset[name] || "";
  for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

function when(ms) {
  try {
    return new Date(ms).toLocaleString(document.documentElement.lang || undefined, {
      timeZone: "Asia/Tokyo",
      dateStyle: "short",
      timeStyle: "short",
    });
  } catch {
    return new Date(ms).toISOString();
  }
}

/** The form's own label for a field path ("measurements[0].upload_mbps" -> its label). */
function fieldLabel(path) {
  const name = path.replace(/\[(\d+)\]\./g, "-$1-");
  const box = document.querySelector(`[data-field="${CSS.escape(name)}"]`);
  const label = box?.querySelector("label, legend");
  return label ? label.textContent.replace(/\s+/g, " ").trim() : path;
}

// ---------------------------------------------------------------- comparing two versions

/** A value as compared: blanks alike, yes/no as the form has them, numbers by value. */
function norm(value) {
  if (value === null || value === undefined) return "";
  if (value === true) return "yes";
  if (value === false) return "no";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const text = value.trim();
    return /^-?\d+(\.\d+)?$/.test(text) ? String(Number(text)) : text;
  }
  return JSON.stringify(value);
}

function normRow(row) {
  const out = {};
  for (const key of Object.keys(row || {}).sort()) {
    if (ROW_NOT_COMPARED.has(key)) continue;
    const value = norm(row[key]);
    if (value !== "") out[key] = value;
  }
  if (!Object.keys(out).some((key) => !ROW_KEYS.has(key))) return null; // nothing recorded
  if ("method" in row || "download_mbps" in out) out.method ||= "manual"; // the server's default
  return out;
}

function rowsOf(value) {
  return (Array.isArray(value) ? value : []).map(normRow).filter(Boolean);
}

function isRows(name, mine, theirs) {
  const sample = [].concat(mine || [], theirs || []);
  return sample.some((item) => item && typeof item === "object");
}

function comparable(name, value, rows) {
  if (rows) return JSON.stringify(rowsOf(value));
  if (Array.isArray(value)) return value.map(norm).filter(Boolean).sort().join("\n");
  return norm(value);
}

/** [name, mine, theirs] of the items the surveyor would see differ, in the form's order. */
export function differences(mine = {}, theirs = {}) {
  const order = Object.keys(labels().labels || {});
  const names = new Set([...order, ...Object.keys(mine), ...Object.keys(theirs)]);
  const found = [];
  for (const name of names) {
    if (NOT_COMPARED.has(name)) continue;
    const rows = isRows(name, mine[name], theirs[name]);
    if (comparable(name, mine[name], rows) !== comparable(name, theirs[name], rows)) {
      found.push([name, mine[name], theirs[name]]);
    }
  }
  return found;
}

function joiner() {
  return (document.documentElement.lang || "").startsWith("ja") ? "、" : ", ";
}

function choiceText(choices, name, value) {
  const n = norm(value);
  if (n === "") return "";
  const label = choices?.[name]?.[n];
  if (label) return label;
  if (n === "yes") return msg("yes") || n;
  if (n === "no") return msg("no") || n;
  return n;
}

function itemLabel(name) {
  const mapped = labels().labels?.[name];
  return mapped || fieldLabel(name);
}

/** What a person reads for a value: choice labels, lists joined, one line per row. */
function displayLines(name, value) {
  const map = labels();
  if (Array.isArray(value) && value.some((item) => item && typeof item === "object")) {
    if (name === "photos") {
      const captions = value.map((p) => p.caption).filter(Boolean);
      const count = msg("photos", { n: value.length });
      return [captions.length ? `${count}: ${captions.join(joiner())}` : count];
    }
    const nested = map.nested?.[name] || { labels: {}, choices: {} };
    return value
      .filter((row) => normRow(row))
      .map((row) => {
        const parts = [];
        if (row.carrier) parts.push(choiceText(nested.choices, "carrier", row.carrier));
        for (const [key, raw] of Object.entries(row)) {
          if (ROW_NOT_COMPARED.has(key) || key === "carrier") continue;
          const text = choiceText(nested.choices, key, raw);
          if (text) parts.push(`${nested.labels?.[key] || key}: ${text}`);
        }
        return parts.join(" · ");
      });
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => choiceText(map.choices, name, v)).filter(Boolean);
    return items.length ? [items.join(joiner())] : [];
  }
  const text = choiceText(map.choices, name, value);
  return text ? [text] : [];
}

function valueCell(tag, name, value, className) {
  const cell = document.createElement(tag);
  cell.className = className;
  const lines = displayLines(name, value);
  if (!lines.length) {
    const blank = document.createElement("span");
    blank.className = "blank";
    blank.textContent = msg("blank");
    cell.append(blank);
  }
  lines.forEach((line, index) => {
    if (index) cell.append(document.createElement("br"));
    cell.append(line);
  });
  return cell;
}

function conflictBox(record) {
  const box = document.createElement("div");
  box.className = "outbox-problem conflict";
  box.id = `conflict-${record.uuid}`;
  const says = document.createElement("p");
  says.textContent = msg("conflict", { n: record.current?.revision ?? record.serverRevision ?? "?" });
  box.append(says);
  if (!record.current) return box;
  const diffs = differences(record.document || {}, record.current);
  if (diffs.length) {
    const table = document.createElement("table");
    table.className = "conflict-table";
    const caption = document.createElement("caption");
    caption.textContent = msg("conflict-caption");
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    for (const key of ["conflict-field", "conflict-mine", "conflict-server"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = msg(key);
      headRow.append(th);
    }
    head.append(headRow);
    const body = document.createElement("tbody");
    for (const [name, mine, theirs] of diffs) {
      const row = document.createElement("tr");
      row.dataset.field = name;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = itemLabel(name);
      row.append(th, valueCell("td", name, mine, "mine"), valueCell("td", name, theirs, "server"));
      body.append(row);
    }
    table.append(caption, head, body);
    const scroller = document.createElement("div");
    scroller.className = "conflict-scroll";
    scroller.append(table);
    box.append(scroller);
  } else {
    const same = document.createElement("p");
    same.className = "hint";
    same.textContent = msg("conflict-same");
    box.append(same);
  }
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = msg("conflict-hint");
  const actions = document.createElement("p");
  actions.className = "conflict-actions";
  const keep = document.createElement("button");
  keep.type = "button";
  keep.className = "button primary";
  keep.dataset.action = "keep-mine";
  keep.textContent = msg("keep-mine");
  keep.addEventListener("click", () => resolve(record.uuid, "mine", keep));
  const take = document.createElement("button");
  take.type = "button";
  take.className = "button";
  take.dataset.action = "take-server";
  take.textContent = msg("take-server");
  take.addEventListener("click", () => resolve(record.uuid, "server", take));
  actions.append(keep, " ", take);
  box.append(hint, actions);
  return box;
}

async function resolve(uuid, choice, button) {
  button.disabled = true;
  try {
    if (choice === "mine") {
      if (await outbox.keepMine(uuid)) document.dispatchEvent(new CustomEvent("outbox:send-now"));
    } else if (await outbox.takeServers(uuid)) {
      // the unsaved typing kept for this survey on this page is part of "mine": drop it too
      try {
        localStorage.removeItem(`survey-draft:${uuid}`);
      } catch {
        /* no storage */
      }
    }
  } finally {
    button.disabled = false;
  }
}

/** On this survey's form page, with an older revision than the tablet now holds. */
function pageIsBehind(record) {
  const form = document.getElementById("survey-form");
  if (!form || currentUuid() !== record.uuid) return false;
  const base = Number(form.elements.namedItem("base_revision")?.value || 0);
  return base > 0 && Number(record.serverRevision || 0) > base;
}

function takenNote(record) {
  const note = document.createElement("div");
  note.className = "outbox-resolved";
  const text = document.createElement("p");
  text.textContent = msg("taken");
  note.append(text);
  if (pageIsBehind(record)) {
    const again = document.createElement("p");
    again.append(msg("reload-hint"), " ");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.dataset.action = "reload";
    button.textContent = msg("reload");
    button.addEventListener("click", () => window.location.reload());
    again.append(button);
    note.append(again);
  }
  return note;
}

// ---------------------------------------------------------------- a survey the server refused

/** "Open and fix" (the survey's form, filled from this record: survey.js) and "Discard". */
function fixActions(record) {
  const actions = document.createElement("p");
  actions.className = "outbox-actions";
  if (currentUuid() !== record.uuid) {
    const fix = document.createElement("a");
    fix.className = "button primary";
    fix.dataset.action = "fix";
    fix.href = fixUrl(record);
    fix.textContent = msg("fix");
    actions.append(fix, " ");
  }
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "button";
  discard.dataset.action = "discard";
  discard.textContent = msg("discard");
  discard.addEventListener("click", async () => {
    if (!window.confirm(msg("discard-confirm", { name: record.name || msg("unnamed") }))) return;
    discard.disabled = true;
    try {
      localStorage.removeItem(`survey-draft:${record.uuid}`);
    } catch {
      /* no storage */
    }
    await outbox.deleteRecord(record.uuid);
    if (currentUuid() === record.uuid) window.location.assign(panel?.dataset.newUrl || "/surveys/new");
  });
  actions.append(discard);
  return actions;
}

function fixUrl(record) {
  const existing = Number(record.document.revision || 0) > 0;
  const page = existing ? editUrl(record.uuid) : panel?.dataset.newUrl || "/surveys/new";
  return `${page}?fix=${encodeURIComponent(record.uuid)}`;
}

// ---------------------------------------------------------------- review feedback

function statusText(status) {
  return msg(`status-${String(status || "").replace(/_/g, "-")}`) || status;
}

function editUrl(uuid) {
  const pattern = panel?.dataset.editUrl || `/surveys/${NIL_UUID}/edit`;
  return pattern.replace(NIL_UUID, encodeURIComponent(uuid));
}

function feedbackBox(feedback, { link = true } = {}) {
  const open = outbox.OPEN_REVIEW.includes(feedback.status);
  const box = document.createElement("div");
  box.className = `review-feedback is-${feedback.status}`;
  box.dataset.status = feedback.status;
  const line = document.createElement("p");
  const badge = document.createElement("span");
  badge.className = `review-status is-${feedback.status}`;
  badge.textContent = msg("review", { status: statusText(feedback.status) });
  line.append(badge);
  box.append(line);
  if (open && feedback.comment) {
    const comment = document.createElement("p");
    comment.className = "review-comment";
    const label = document.createElement("strong");
    label.textContent = msg("review-comment");
    const text = document.createElement("span");
    text.className = "review-comment-text";
    text.textContent = feedback.comment;
    comment.append(label, " ", text);
    box.append(comment);
  }
  if (link && feedback.status === "needs_revision") {
    const edit = document.createElement("a");
    edit.className = "button";
    edit.href = editUrl(feedback.uuid);
    edit.textContent = msg("review-edit");
    const p = document.createElement("p");
    p.append(edit);
    box.append(p);
  }
  return box;
}

function isEditPage() {
  const form = document.getElementById("survey-form");
  return Boolean(form && Number(form.elements.namedItem("base_revision")?.value || 0) > 0);
}

/** On a survey's form page: the reviewer's word, or a conflict, at the top of the page. */
function showBanner(record, feedback) {
  const id = "offline-banner";
  document.getElementById(id)?.remove();
  const uuid = currentUuid();
  if (!uuid || !panel) return;
  const conflict = record && record.uuid === uuid && record.kind === "conflict" && record.state === outbox.STATES.ATTENTION;
  const refused = record && record.uuid === uuid && record.kind === "invalid" && record.state === outbox.STATES.ATTENTION;
  const open = feedback && feedback.uuid === uuid && outbox.OPEN_REVIEW.includes(feedback.status);
  if (!conflict && !open && !refused) return;
  const banner = document.createElement("div");
  banner.id = id;
  banner.className = "flash flash-warning offline-banner";
  if (open) {
    const head = document.createElement("p");
    head.className = "banner-title";
    head.textContent = msg(feedback.status === "rejected" ? "review-banner-rejected" : "review-banner");
    banner.append(head, feedbackBox(feedback, { link: !isEditPage() }));
  }
  if (refused) {
    const head = document.createElement("p");
    head.className = "banner-title";
    head.textContent = msg("fix-banner");
    banner.append(head);
    if (record.errors && Object.keys(record.errors).length) banner.append(errorList(record.errors));
  }
  if (conflict) {
    const text = document.createElement("p");
    text.append(msg("conflict-banner"), " ");
    const link = document.createElement("a");
    link.href = `#conflict-${uuid}`;
    link.textContent = msg("conflict-link");
    text.append(link);
    banner.append(text);
  }
  const notices = document.getElementById("app-notices");
  const main = document.getElementById("main") || document.body;
  if (notices && notices.parentNode === main) notices.after(banner);
  else main.prepend(banner);
}

function errorList(errors) {
  const list = document.createElement("ul");
  list.className = "errors";
  for (const [path, messages] of Object.entries(errors || {})) {
    for (const text of [].concat(messages)) {
      const item = document.createElement("li");
      item.dataset.field = path;
      item.textContent = path ? `${fieldLabel(path)}: ${text}` : text;
      list.append(item);
    }
  }
  return list;
}

function recordItem(record, feedback) {
  const item = document.createElement("li");
  item.className = `outbox-record is-${record.state}`;
  item.dataset.uuid = record.uuid;
  item.dataset.state = record.state;
  const head = document.createElement("div");
  head.className = "outbox-head";
  const name = document.createElement("strong");
  name.className = "outbox-name";
  name.textContent = record.name || msg("unnamed");
  const badge = document.createElement("span");
  badge.className = `state-badge is-${record.state}`;
  badge.textContent = msg(`state-${record.state}`);
  head.append(name, " ", badge);
  const meta = document.createElement("p");
  meta.className = "hint";
  const time = record.state === outbox.STATES.SENT && record.sentAt
    ? msg("sent-at", { time: when(record.sentAt) })
    : msg("saved-at", { time: when(record.queuedAt || record.savedAt || Date.now()) });
  meta.textContent = record.photoCount ? `${time} · ${msg("photos", { n: record.photoCount })}` : time;
  item.append(head, meta);
  if (record.state === outbox.STATES.ATTENTION && record.kind === "conflict") {
    item.append(conflictBox(record));
  } else if (record.state === outbox.STATES.ATTENTION) {
    const note = document.createElement("div");
    note.className = "outbox-problem";
    const says = document.createElement("p");
    const text = record.kind === "conflict"
      ? msg("conflict", { n: record.serverRevision ?? "?" })
      : record.message || "";
    says.textContent = [msg("server-says"), text].join(" ").trim();
    note.append(says);
    if (record.errors && Object.keys(record.errors).length) note.append(errorList(record.errors));
    if (record.kind === "invalid" && record.document) note.append(fixActions(record));
    item.append(note);
  }
  if (record.state === outbox.STATES.SENT && record.resolved === "server") item.append(takenNote(record));
  if (feedback && feedback.status) {
    item.dataset.review = feedback.status;
    item.append(feedbackBox(feedback));
  }
  return item;
}

export async function renderRecords() {
  if (!panel) return;
  const list = document.getElementById("outbox-list");
  let records;
  let feedback;
  try {
    records = await outbox.allRecords();
    feedback = new Map((await outbox.allFeedback()).map((f) => [f.uuid, f]));
  } catch {
    return; // no IndexedDB (private mode on old Safari): the panel stays hidden
  }
  for (const r of records) r.photoCount = ((r.document || r.draft || {}).photos || []).length;
  const shown = records.filter((r) => r.state !== outbox.STATES.DRAFT || r.uuid === currentUuid());
  list.replaceChildren(...shown.map((r) => recordItem(r, feedback.get(r.uuid))));
  const uuid = currentUuid();
  showBanner(records.find((r) => r.uuid === uuid), feedback.get(uuid));
  if (!shown.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = msg("empty");
    list.append(empty);
  }
  panel.hidden = false;
}

function currentUuid() {
  return document.getElementById("survey-form")?.elements.namedItem("uuid")?.value || "";
}

function showSyncState(state) {
  const line = document.getElementById("outbox-status");
  if (!line || !state) return;
  if (state.offline) line.textContent = msg("offline");
  else if (state.signin) line.textContent = msg("signin");
  else if (state.nextTry && state.waiting && !state.sending) {
    line.textContent = msg("retry", { time: when(state.nextTry) });
  } else line.textContent = "";
  const button = document.getElementById("send-now");
  if (button) {
    if (state.sending) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
  }
}

async function showStorage() {
  const line = document.getElementById("storage-state");
  if (!line || !navigator.storage) return;
  let persisted = false;
  try {
    persisted = (await navigator.storage.persisted?.()) || (await navigator.storage.persist?.()) || false;
  } catch {
    persisted = false;
  }
  let usage = "";
  try {
    const estimate = await navigator.storage.estimate?.();
    if (estimate && estimate.quota) {
      const mb = (n) => (n / 1048576).toFixed(n < 10485760 ? 1 : 0);
      usage = msg("usage", { used: mb(estimate.usage || 0), quota: mb(estimate.quota) });
    }
  } catch {
    usage = "";
  }
  line.textContent = `${msg(persisted ? "persisted" : "not-persisted")} ${usage}`.trim();
  line.dataset.persisted = String(Boolean(persisted));
}

if (panel) {
  renderRecords();
  showStorage();
  outbox.onChange(() => {
    renderRecords();
    showStorage();
  });
  document.addEventListener("outbox:state", (event) => showSyncState(event.detail));
  document.getElementById("send-now")?.addEventListener("click", () => {
    document.dispatchEvent(new CustomEvent("outbox:send-now"));
  });
}
