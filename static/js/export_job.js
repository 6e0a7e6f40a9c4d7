// The export job page: polls the job's status and moves the progress bar until the file is
// ready (then shows the download link) or the job failed (then shows why). One request at a
// time, every second, slowing down while the tab is hidden; stops when the job is finished.

const section = document.getElementById("export-job");
// Labels come from the page (the translation catalogs), not from this file.
const label = (state) => section.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`] || state;
const count = (done, total) =>
  section.dataset.countTemplate.replace("{done}", done).replace("{total}", total);

function show(status) {
  section.dataset.state = status.state;
  document.getElementById("export-state-label").textContent = label(status.state);
  if (status.total !== null) {
    document.getElementById("export-count").textContent = count(status.done, status.total);
  }
  const bar = document.getElementById("export-progress");
  bar.value = status.percent;
  bar.textContent = `${status.percent}%`;
  if (status.state === "done") {
    document.getElementById("export-download-link").href = status.download_url;
    document.getElementById("export-file-name").textContent = status.file_name || "";
    document.getElementById("export-download").hidden = false;
  }
  if (status.replaced_chars) {
    document.getElementById("export-replaced-count").textContent = status.replaced_chars;
    document.getElementById("export-replaced").hidden = false;
  }
  if (status.state === "failed") {
    document.getElementById("export-error-detail").textContent = status.error || "";
    document.getElementById("export-error").hidden = false;
  }
}

async function poll() {
  let finished = false;
  try {
    const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const status = await response.json();
      show(status);
      finished = status.state === "done" || status.state === "failed";
    }
  } catch {
    // offline for a moment: try again on the next tick
  }
  if (!finished) setTimeout(poll, document.hidden ? 5000 : 1000);
}

if (section && !["done", "failed"].includes(section.dataset.state)) poll();
