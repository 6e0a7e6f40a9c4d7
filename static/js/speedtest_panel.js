// "Measure speed" on the survey form: runs the browser speed test (speedtest.js), shows its
// progress (a <progress> bar with the phase and the running Mbps), and writes the result into
// the next empty "Run N" fieldset, then fires input/change so the form's autosave (survey.js:
// local draft and IndexedDB outbox) keeps it and the survey's save stores it. Also shows how
// many runs the form holds and their median. Every text comes from the panel's data-msg-*
// attributes (translated by the template).
//
// The form renders one spare run row; when none is empty a new row is cloned from the last one
// (up to data-max-runs). Rows made that way are re-made on reload before survey.js restores
// the local draft (this module runs first), so a restored draft finds them.

import { runSpeedTest } from "./speedtest.js";

const ROW = /^measurements-(\d+)-/;
const MEASURED = ["download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct"];
const DRAFT_PREFIX = "survey-draft:"; // survey.js's local draft keys
const NEW_POINTER = "survey-draft-new";

const panel = document.getElementById("browser-speedtest");
const form = document.getElementById("survey-form");

if (panel && form) setUp(panel, form);

function setUp(panel, form) {
  const el = (id) => document.getElementById(`browser-speedtest-${id}`);
  const start = el("start");
  const stop = el("stop");
  const where = el("where");
  const live = el("live");
  const bar = el("progress");
  const phaseText = el("phase");
  const mbpsText = el("mbps");
  const status = el("status");
  const result = el("result");
  const runsNote = el("runs");
  const maxRuns = Number(panel.dataset.maxRuns) > 0 ? Number(panel.dataset.maxRuns) : 30;
  let controller = null;

  const message = (key, vars = {}) => {
    const name = "msg" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
    let text = panel.dataset[name] || "";
    for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
    return text;
  };

  remakeDraftRows(form, maxRuns, message);
  showRuns();
  form.addEventListener("input", showRuns);
  form.addEventListener("change", showRuns);

  // Enter in the "where" box must not submit the survey.
  where.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      start.click();
    }
  });

  start.addEventListener("click", async () => {
    if (controller) return;
    controller = new AbortController();
    const phaseShown = new Set();
    panel.dataset.state = "running";
    start.disabled = true;
    start.setAttribute("aria-busy", "true");
    stop.hidden = false;
    result.hidden = true;
    live.hidden = false;
    bar.value = 0;
    mbpsText.textContent = "0";
    phaseText.textContent = "";
    setStatus(message("starting"));
    status.classList.add("sr-only"); // while running, the gauge shows it; screen readers hear it
    const startedAt = new Date();
    try {
      const run = await runSpeedTest({
        base: panel.dataset.base || "/speedtest/",
        seconds: Number(panel.dataset.seconds) || 10,
        graceSeconds: Number(panel.dataset.grace ?? 1.5),
        streams: Number(panel.dataset.streams) || 6,
        signal: controller.signal,
        onProgress({ phase, mbps, fraction }) {
          const phaseLabel = message(`phase-${phase}`);
          bar.value = Math.round(fraction * 100);
          phaseText.textContent = phaseLabel;
          mbpsText.textContent = mbps === null ? "–" : formatMbps(mbps);
          panel.dataset.phase = phase;
          const text = mbps === null ? phaseLabel : message("running", { phase: phaseLabel, mbps: formatMbps(mbps) });
          bar.setAttribute("aria-valuetext", `${bar.value}% ${text}`);
          if (!phaseShown.has(phase)) {
            phaseShown.add(phase); // announce each phase once, not every 200 ms
            setStatus(phaseLabel);
          }
        },
      });
      bar.value = 100;
      live.hidden = true;
      showResult(run);
      const row = emptyRow(form, maxRuns, message);
      if (!row) {
        setStatus(`${message("full", { n: runRows(form).length })} ${message("not-stored")}`, "warn");
      } else {
        fillRow(row, run, where.value.trim(), startedAt);
        setStatus(
          message("done", {
            n: row.number,
            down: formatMbps(run.download_mbps),
            up: formatMbps(run.upload_mbps),
            latency: formatMs(run.latency_ms),
            jitter: formatMs(run.jitter_ms),
          }),
          "ok",
        );
      }
      panel.dataset.state = "done";
    } catch (error) {
      live.hidden = true;
      panel.dataset.state = "failed";
      const code = error?.code || "";
      if (code === "offline") setStatus(message("offline"), "error");
      else if (code === "rate_limited") setStatus(message("rate-limited"), "error");
      else if (code === "aborted") setStatus(message("stopped"), "warn");
      else setStatus(message("failed", { reason: error?.message || String(error) }), "error");
    } finally {
      status.classList.remove("sr-only");
      controller = null;
      start.disabled = false;
      start.removeAttribute("aria-busy");
      stop.hidden = true;
    }
  });

  stop.addEventListener("click", () => {
    controller?.abort();
    start.focus();
  });

  function setStatus(text, kind = "") {
    status.textContent = "";
    if (kind) {
      const note = document.createElement("span");
      note.className = `status-note is-${kind}`;
      note.textContent = text;
      status.append(note);
    } else {
      status.textContent = text;
    }
  }

  function showResult(run) {
    for (const node of result.querySelectorAll("[data-result]")) {
      const value = run[node.dataset.result];
      node.textContent = node.dataset.result.endsWith("_mbps") ? formatMbps(value) : formatMs(value);
    }
    result.hidden = false;
  }

  /** "Runs recorded: n" and the median of the form's runs, whatever their method. */
  function showRuns() {
    const runs = runRows(form)
      .map((row) => row.values())
      .filter((v) => MEASURED.some((k) => v[k] !== null));
    panel.dataset.runs = String(runs.length);
    const parts = [runs.length ? message("runs-count", { n: runs.length }) : message("runs-none")];
    const down = median(runs.map((v) => v.download_mbps));
    const up = median(runs.map((v) => v.upload_mbps));
    const latency = median(runs.map((v) => v.latency_ms));
    if (runs.length && down !== null && up !== null) {
      parts.push(
        message("median", {
          n: runs.length,
          down: formatMbps(down),
          up: formatMbps(up),
          latency: latency === null ? "–" : formatMs(latency),
        }),
      );
    }
    // Japanese sentences run on without a space
    runsNote.textContent = parts.reduce((text, part) => (!text || /[。．]$/.test(text) ? text + part : `${text} ${part}`), "");
  }
}

// ---------------------------------------------------------------- the form's run rows

/** The run fieldsets, each with its row number in the form and its inputs by short name. */
function runRows(form) {
  const rows = [];
  for (const fieldset of form.querySelectorAll("fieldset.run")) {
    const first = fieldset.querySelector("[name^='measurements-']");
    const match = first && ROW.exec(first.name);
    if (!match) continue;
    const index = Number(match[1]);
    const input = (short) => form.elements.namedItem(`measurements-${index}-${short}`);
    rows.push({
      fieldset,
      index,
      number: rows.length + 1,
      input,
      values() {
        const out = {};
        for (const k of MEASURED) {
          const raw = (input(k)?.value || "").trim();
          const n = raw === "" ? NaN : Number(raw);
          out[k] = Number.isFinite(n) ? n : null;
        }
        return out;
      },
    });
  }
  return rows;
}

/** The first row with nothing measured, or a new one cloned from the last (null at the cap). */
function emptyRow(form, maxRuns, message) {
  const rows = runRows(form);
  const free = rows.find((row) => MEASURED.every((k) => (row.input(k)?.value || "").trim() === ""));
  if (free) return free;
  if (!rows.length || rows.length >= maxRuns) return null;
  addRow(form, rows[rows.length - 1], message);
  return runRows(form).at(-1);
}

/** A blank copy of `last` as row last.index + 1: names, ids and references renumbered. */
function addRow(form, last, message) {
  const index = last.index + 1;
  const copy = last.fieldset.cloneNode(true);
  const renumber = (value) => value.replace(/measurements-\d+-/g, `measurements-${index}-`);
  for (const node of copy.querySelectorAll("*")) {
    for (const attr of ["name", "id", "for", "aria-describedby", "aria-labelledby"]) {
      const value = node.getAttribute(attr);
      if (value && value.includes("measurements-")) node.setAttribute(attr, renumber(value));
    }
  }
  for (const node of copy.querySelectorAll("ul.errors")) node.remove();
  for (const node of copy.querySelectorAll(".has-error")) node.classList.remove("has-error");
  for (const node of copy.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of copy.querySelectorAll("[aria-describedby]")) {
    const ids = node.getAttribute("aria-describedby").split(/\s+/).filter((id) => !id.endsWith("-errors"));
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  }
  for (const control of copy.querySelectorAll("input, select, textarea")) {
    if (control.tagName === "SELECT") {
      for (const option of control.options) {
        option.defaultSelected = option.value === "manual";
        option.selected = option.defaultSelected;
      }
    } else {
      control.defaultValue = "";
      control.value = "";
    }
  }
  const legend = copy.querySelector("legend");
  if (legend) legend.textContent = message("run", { n: form.querySelectorAll("fieldset.run").length + 1 });
  last.fieldset.after(copy);
  return copy;
}

/** survey.js restores only fields the page has: re-make the rows its local draft has values for. */
function remakeDraftRows(form, maxRuns, message) {
  const uuid = form.elements.namedItem("uuid")?.value || "";
  const keys = [DRAFT_PREFIX + uuid];
  const pointer = readStorage(NEW_POINTER);
  if (pointer && pointer.uuid) keys.push(DRAFT_PREFIX + pointer.uuid);
  let highest = -1;
  for (const key of keys) {
    const draft = readStorage(key);
    for (const name of Object.keys((draft && draft.values) || {})) {
      const match = ROW.exec(name);
      if (match) highest = Math.max(highest, Number(match[1]));
    }
  }
  let rows = runRows(form);
  while (rows.length && rows.length < maxRuns && rows[rows.length - 1].index < highest) {
    addRow(form, rows[rows.length - 1], message);
    rows = runRows(form);
  }
}

function readStorage(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** Write a result into a row as if typed, so the progress, the draft and the outbox see it. */
function fillRow(row, run, whereOnSite, startedAt) {
  const values = {
    method: "browser",
    download_mbps: formatMbps(run.download_mbps),
    upload_mbps: formatMbps(run.upload_mbps),
    latency_ms: formatMs(run.latency_ms),
    jitter_ms: formatMs(run.jitter_ms),
    loss_pct: "",
    server: run.server.slice(0, 200),
    where_on_site: whereOnSite.slice(0, 100),
    tool_version: run.tool_version.slice(0, 40),
    bytes_moved: String(Math.round(run.bytes_moved)),
    duration_s: run.duration_s.toFixed(1),
    measured_at: isoWithOffset(startedAt),
    uuid: self.crypto?.randomUUID ? self.crypto.randomUUID() : "",
  };
  for (const [short, value] of Object.entries(values)) {
    const input = row.input(short);
    if (!input) continue;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

// ---------------------------------------------------------------- numbers

/** 1 decimal, 2 below 1 Mbps (a slow link is not "0.0"). */
function formatMbps(value) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "–";
  const n = Number(value);
  return n >= 1 || n === 0 ? n.toFixed(1) : n.toFixed(2);
}

function formatMs(value) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "–";
  return Number(value).toFixed(1);
}

function median(values) {
  const list = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (!list.length) return null;
  const mid = Math.floor(list.length / 2);
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

/** 2026-11-29T10:00:00+09:00: the tablet's own time with its offset. */
function isoWithOffset(date) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}
