// "Measure with speedtest-cli (this station)" on a survey's page: starts the run on the station
// (a POST with the form's CSRF token), then polls its status every second and moves the progress
// bar until the run is saved (then shows the figures and a link that reloads the page to show
// the run in the table) or failed (then shows why). Text comes from the page's data-msg-*
// attributes (the translation catalogs), not from this file.

const section = document.getElementById("station-speedtest");

function message(name, values = {}) {
  const key = `msg${name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
  let text = section.dataset[key] || "";
  for (const [field, value] of Object.entries(values)) text = text.replaceAll(`{${field}}`, value);
  return text;
}

const el = (id) => document.getElementById(`station-speedtest-${id}`);
const number = (value) => (value === null || value === undefined ? "–" : String(value));

function setBusy(busy) {
  const button = el("start");
  button.disabled = busy;
  if (busy) button.setAttribute("aria-busy", "true");
  else button.removeAttribute("aria-busy");
}

function showError(text) {
  const box = el("error");
  box.textContent = text;
  box.hidden = !text;
}

function show(status) {
  section.dataset.phase = status.phase;
  el("progress-area").hidden = false;
  const bar = el("progress");
  bar.value = status.percent;
  bar.textContent = `${status.percent}%`;
  el("phase").textContent = message(`phase-${status.phase}`) || status.phase;
  let detail = "";
  if (status.phase === "download" || status.phase === "upload") {
    const parts = [];
    if (status.phase === "upload" && status.download_estimate !== null) {
      parts.push(message("download-estimate", { mbps: status.download_estimate }));
    }
    if (status.mbps !== null) parts.push(message("mbps", { mbps: status.mbps }));
    detail = parts.join(" · ");
  } else if (status.result && (status.phase === "saving" || status.phase === "done")) {
    const r = status.result;
    detail = message("result", {
      down: number(r.download_mbps),
      up: number(r.upload_mbps),
      latency: number(r.latency_ms),
      server: r.server,
    });
  }
  el("detail").textContent = detail;
  if (status.phase === "done") {
    const link = el("reload");
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("speedtest", status.id); // a new URL, so following it reloads the page
    link.href = url.toString();
    el("done").hidden = false;
  }
  if (status.phase === "failed") showError(`${message("phase-failed")} ${status.error || ""}`);
  if (status.finished) setBusy(false);
}

async function poll(url) {
  let finished = false;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const status = await response.json();
      show(status);
      finished = status.finished;
    } else if (response.status === 404 || response.status === 403) {
      finished = true; // the run is gone (the station restarted) or no longer ours to see
      setBusy(false);
    }
  } catch {
    // the station did not answer for a moment: try again on the next tick
  }
  if (!finished) setTimeout(() => poll(url), document.hidden ? 5000 : 1000);
}

async function start(event) {
  event.preventDefault();
  const form = event.currentTarget;
  showError("");
  el("done").hidden = true;
  el("detail").textContent = "";
  setBusy(true);
  let response;
  let body = {};
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    body = await response.json().catch(() => ({}));
  } catch {
    showError(message("offline"));
    setBusy(false);
    return;
  }
  if (response.status === 202 && body.status_url) {
    show(body);
    poll(body.status_url);
    return;
  }
  showError(body.message || message("error"));
  setBusy(false);
}

if (section) {
  el("form").addEventListener("submit", start);
  if (section.dataset.statusUrl) poll(section.dataset.statusUrl);
}
