// The "Saved on this tablet" panel: each outbox record with its state, the server's message,
// "send now", and how safe the storage is (navigator.storage.persist() and usage).

import * as outbox from "./outbox.js";

const panel = document.getElementById("outbox-panel");

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

function recordItem(record) {
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
  if (record.state === outbox.STATES.ATTENTION) {
    const note = document.createElement("div");
    note.className = "outbox-problem";
    const says = document.createElement("p");
    const text = record.kind === "conflict"
      ? msg("conflict", { n: record.serverRevision ?? "?" })
      : record.message || "";
    says.textContent = [msg("server-says"), text].join(" ").trim();
    note.append(says);
    if (record.errors && Object.keys(record.errors).length) note.append(errorList(record.errors));
    item.append(note);
  }
  return item;
}

export async function renderRecords() {
  if (!panel) return;
  const list = document.getElementById("outbox-list");
  let records;
  try {
    records = await outbox.allRecords();
  } catch {
    return; // no IndexedDB (private mode on old Safari): the panel stays hidden
  }
  for (const r of records) r.photoCount = ((r.document || r.draft || {}).photos || []).length;
  const shown = records.filter((r) => r.state !== outbox.STATES.DRAFT || r.uuid === currentUuid());
  list.replaceChildren(...shown.map(recordItem));
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
