// Loaded on every page: the online / offline pill in the top bar, the service worker (offline
// use, "new version ready"), the install button, and the outbox sync (sync.js).
// User-visible strings come from data-msg-* attributes the templates translated.

import { startSync } from "./sync.js";

const notices = () => document.getElementById("app-notices");

function message(name, vars = {}) {
  let text = notices()?.dataset[name] || "";
  for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

function showNetState(detail = null) {
  const pill = document.getElementById("net-state");
  if (!pill) return;
  const online = navigator.onLine !== false;
  let text = online ? pill.dataset.online : pill.dataset.offline;
  if (detail && detail.sending) text = message("msgSyncing") || text;
  else if (detail && detail.waiting > 0) text = `${text} · ${message("msgWaiting", { n: detail.waiting })}`;
  if (text) pill.textContent = text;
  pill.classList.toggle("is-online", online);
  pill.classList.toggle("is-offline", !online);
  pill.classList.toggle("is-syncing", Boolean(detail && detail.sending));
}

// ---------------------------------------------------------------- service worker

function showUpdateNotice(worker) {
  const slot = notices();
  if (!slot || slot.querySelector(".update-notice")) return;
  const box = document.createElement("div");
  box.className = "flash flash-info update-notice";
  const text = document.createElement("span");
  text.textContent = message("msgUpdate");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = message("msgReload");
  button.addEventListener("click", () => {
    let reloaded = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloaded) return;
      reloaded = true;
      window.location.reload();
    });
    worker.postMessage({ type: "skip-waiting" });
  });
  box.append(text, " ", button);
  slot.append(box);
}

async function registerServiceWorker() {
  const slot = notices();
  if (!("serviceWorker" in navigator) || !slot || !slot.dataset.sw) return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register(slot.dataset.sw, { scope: "/" });
  } catch {
    return; // not a secure context, or disabled: the app works online as before
  }
  const watch = (worker) => {
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      // a new worker is installed while an older one controls this page: offer to switch
      if (worker.state === "installed" && navigator.serviceWorker.controller) {
        showUpdateNotice(worker);
      }
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) {
    showUpdateNotice(registration.waiting);
  }
  watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  // keep the page the surveyor is on for offline use (the first visit was not controlled)
  const ready = await navigator.serviceWorker.ready;
  ready.active?.postMessage({ type: "cache-page", url: window.location.href });
  // a page opened while the first worker was activating missed its claim: ask again
  if (!navigator.serviceWorker.controller) ready.active?.postMessage({ type: "claim" });
}

// ---------------------------------------------------------------- install to the home screen

function setUpInstall() {
  const help = document.getElementById("install-help");
  if (!help) return;
  const button = document.getElementById("install-app");
  const done = document.getElementById("install-done");
  const standalone =
    window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  if (standalone && done) done.hidden = false;
  let prompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    prompt = event;
    if (button) button.hidden = false;
  });
  button?.addEventListener("click", async () => {
    if (!prompt) return;
    prompt.prompt();
    await prompt.userChoice.catch(() => null);
    prompt = null;
    button.hidden = true;
  });
  window.addEventListener("appinstalled", () => {
    if (button) button.hidden = true;
    if (done) done.hidden = false;
  });
}

function start() {
  showNetState();
  setUpInstall();
  registerServiceWorker();
  document.addEventListener("outbox:state", (event) => showNetState(event.detail));
  if ("indexedDB" in window) startSync();
}

window.addEventListener("online", () => showNetState());
window.addEventListener("offline", () => showNetState());
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
