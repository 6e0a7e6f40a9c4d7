// Loaded on every page: the online / offline pill in the top bar. Nothing else global.

function showNetState() {
  const pill = document.getElementById("net-state");
  if (!pill) return;
  const online = navigator.onLine !== false;
  const text = online ? pill.dataset.online : pill.dataset.offline;
  if (text) pill.textContent = text;
  pill.classList.toggle("is-online", online);
  pill.classList.toggle("is-offline", !online);
}

window.addEventListener("online", showNetState);
window.addEventListener("offline", showNetState);
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", showNetState);
} else {
  showNetState();
}
