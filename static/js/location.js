// The site's point as a surveyor takes it on site (survey form, location section).
//
// "Use my location" watches the GPS and shows the accuracy live while it settles. The first fix
// within the accepted accuracy (GEOLOCATION_ACCEPT_M, default 10 m; data-accept-m) is taken at
// once; the watch then goes on for a few seconds and averages every fix within that accuracy
// (weighted by 1/accuracy²). A position worse than that is never taken on its own: the surveyor
// may take it with an explicit button, and above GEOLOCATION_WARN_M (default 100 m;
// data-warn-m) the page warns that it is rough. The point is recorded with its source ("gps"),
// accuracy (the best of the averaged fixes) and the number of fixes averaged.
//
// "Pick on the map" opens a small Leaflet map (location_map.js, loaded only then); tapping it
// or dragging the marker sets the point with source "map" and no accuracy. Coordinates typed
// by hand are recorded as "manual". Every user-visible string comes from data-msg-* attributes.

const GEO_MAX_WAIT_MS = 60000; // give up waiting for a good fix after a minute
const GEO_FIX_TIMEOUT_MS = 30000; // watchPosition's own timeout per fix
const AVERAGE_MS = 6000; // after the first good fix, average the good ones for this long
const AVERAGE_MAX_FIXES = 10; // ... or until this many good fixes came

/** Weighted mean of fixes (1/accuracy²), the best accuracy among them, and their number. */
export function averageFixes(fixes) {
  let sum = 0;
  let lat = 0;
  let lon = 0;
  for (const f of fixes) {
    const w = 1 / Math.max(f.accuracy, 0.5) ** 2;
    sum += w;
    lat += w * f.latitude;
    lon += w * f.longitude;
  }
  return {
    latitude: lat / sum,
    longitude: lon / sum,
    accuracy: Math.min(...fixes.map((f) => f.accuracy)),
    count: fixes.length,
  };
}

function metres(value) {
  return Math.max(1, Math.round(value));
}

/**
 * Wire the location section. `tools` carries the survey page's helpers:
 * ui (message lookup), field(name), setField(el, value), showStatus(node, text, kind).
 */
export function setUpLocation(form, { ui, field, setField, showStatus }) {
  const button = document.getElementById("use-location");
  const stopButton = document.getElementById("stop-location");
  const takeButton = document.getElementById("take-location");
  const status = document.getElementById("geo-status");
  if (!button || !status) return;
  const acceptM = Number(form.dataset.acceptM) > 0 ? Number(form.dataset.acceptM) : 10;
  const warnM = Number(form.dataset.warnM) > 0 ? Number(form.dataset.warnM) : 100;

  let watchId = null;
  let giveUpTimer = null;
  let averageTimer = null;
  let good = []; // fixes within acceptM since the start
  let best = null; // the most accurate fix since the start
  let lastError = "geo-timeout";
  const listeners = new Set(); // the map, once opened: told about every fix and point

  const notify = (kind, detail) => {
    for (const listener of listeners) listener(kind, detail);
  };

  function setBusy(busy) {
    if (busy) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
    if (stopButton) stopButton.hidden = !busy;
  }

  function offerTake(fix) {
    if (!takeButton) return;
    takeButton.hidden = !fix;
    if (fix) takeButton.textContent = ui.message("geo-take", { m: metres(fix.accuracy) });
  }

  function stopWatching() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    for (const timer of [giveUpTimer, averageTimer]) if (timer !== null) clearTimeout(timer);
    watchId = null;
    giveUpTimer = null;
    averageTimer = null;
    setBusy(false);
  }

  /** Write a GPS point into the form (synthetic events: progress and the draft see it). */
  function record(point) {
    setField(field("latitude"), point.latitude.toFixed(6));
    setField(field("longitude"), point.longitude.toFixed(6));
    setField(field("location_accuracy_m"), String(metres(point.accuracy)));
    setField(field("location_fix_count"), String(point.count));
    setField(field("location_source"), "gps");
    notify("point", { latitude: point.latitude, longitude: point.longitude, source: "gps" });
  }

  function doneText(point) {
    return ui.message("geo-done", { m: metres(point.accuracy), n: point.count });
  }

  /** The averaging window closed (or the surveyor stopped it): the point stands. */
  function finishAveraging() {
    stopWatching();
    const point = averageFixes(good);
    record(point);
    showStatus(status, doneText(point), "ok");
  }

  function onFix(position) {
    const { latitude, longitude, accuracy } = position.coords;
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return;
    const fix = { latitude, longitude, accuracy: Number.isFinite(accuracy) ? accuracy : Infinity };
    if (!best || fix.accuracy < best.accuracy) best = fix;
    notify("fix", fix);
    if (fix.accuracy <= acceptM) {
      good.push(fix);
      const point = averageFixes(good);
      record(point);
      offerTake(null);
      if (good.length >= AVERAGE_MAX_FIXES) {
        finishAveraging();
        return;
      }
      if (averageTimer === null) {
        if (giveUpTimer !== null) clearTimeout(giveUpTimer);
        giveUpTimer = null;
        averageTimer = setTimeout(finishAveraging, AVERAGE_MS);
      }
      showStatus(status, `${doneText(point)} ${ui.message("geo-averaging")}`, "ok");
      return;
    }
    if (good.length) return; // accepted already: worse fixes are not averaged in
    const m = metres(fix.accuracy);
    const wanted = ui.message("geo-live", { m, want: metres(acceptM) });
    const rough = best.accuracy > warnM;
    const text = rough ? `${wanted} ${ui.message("geo-too-rough", { warn: metres(warnM) })}` : wanted;
    // a fix a second on a real device: the live region changes only when the text does
    if (text !== status.textContent) showStatus(status, text, rough ? "warn" : "working");
    offerTake(best);
  }

  function onError(error) {
    if (error.code === 1) {
      // PERMISSION_DENIED: nothing more will come
      stopWatching();
      offerTake(null);
      showStatus(status, ui.message("geo-denied"), "error");
      return;
    }
    // POSITION_UNAVAILABLE and TIMEOUT are often transient (Chromium reports one whenever the
    // source changes): keep watching until a good fix or the time limit, and say what happens.
    lastError = error.code === 3 ? "geo-timeout" : "geo-unavailable";
    if (!best) showStatus(status, ui.message(lastError), "error");
  }

  /** No good fix in time, or the surveyor pressed "stop" before one came. */
  function giveUp(stopped) {
    stopWatching();
    if (good.length) {
      finishAveraging();
    } else if (best) {
      const text = ui.message(stopped ? "geo-stopped-best" : "geo-no-good", {
        m: metres(best.accuracy),
        want: metres(acceptM),
      });
      showStatus(status, text, best.accuracy > warnM ? "warn" : "");
      offerTake(best);
    } else {
      showStatus(status, ui.message(stopped ? "geo-stopped" : lastError), stopped ? "" : "error");
    }
  }

  button.addEventListener("click", () => {
    stopWatching();
    good = [];
    best = null;
    lastError = "geo-timeout";
    offerTake(null);
    if (!("geolocation" in navigator)) {
      showStatus(status, ui.message("geo-unsupported"), "error");
      return;
    }
    setBusy(true);
    showStatus(status, ui.message("geo-waiting", { want: metres(acceptM) }), "working");
    try {
      watchId = navigator.geolocation.watchPosition(onFix, onError, {
        enableHighAccuracy: true,
        maximumAge: 0,
        timeout: GEO_FIX_TIMEOUT_MS,
      });
    } catch {
      stopWatching();
      showStatus(status, ui.message("geo-unsupported"), "error");
      return;
    }
    giveUpTimer = setTimeout(() => giveUp(false), GEO_MAX_WAIT_MS);
  });

  stopButton?.addEventListener("click", () => {
    giveUp(true);
    button.focus();
  });

  takeButton?.addEventListener("click", () => {
    if (!best) return;
    stopWatching();
    const point = { ...best, count: 1 };
    record(point);
    offerTake(null);
    const done = doneText(point);
    if (best.accuracy > warnM) {
      showStatus(status, `${done} ${ui.message("geo-rough", { m: metres(best.accuracy) })}`, "warn");
    } else {
      showStatus(status, done, "ok");
    }
    button.focus();
  });

  // Coordinates typed by hand: no GPS accuracy describes them any more.
  for (const name of ["latitude", "longitude"]) {
    field(name)?.addEventListener("input", (event) => {
      if (!event.isTrusted) return; // set by this page (GPS, map, address), not typed
      if (watchId !== null) {
        stopWatching();
        offerTake(null);
        showStatus(status, "");
      }
      setField(field("location_accuracy_m"), "");
      setField(field("location_fix_count"), "");
      setField(field("location_source"), "manual");
      notify("typed", null);
    });
  }

  // a point picked on the map ends the watch: the surveyor chose another way
  const leaveGps = () => {
    if (watchId === null && (!takeButton || takeButton.hidden)) return;
    stopWatching();
    offerTake(null);
    showStatus(status, "");
  };
  setUpMapPick(form, { ui, field, setField, showStatus, listeners, leaveGps, best: () => best });
}

// ---------------------------------------------------------------- map pick

function setUpMapPick(form, tools) {
  const { ui, field, setField, showStatus, listeners } = tools;
  const opener = document.getElementById("pick-on-map");
  const panel = document.getElementById("location-map-panel");
  const container = document.getElementById("location-map");
  const mapStatus = document.getElementById("map-status");
  if (!opener || !panel || !container) return;
  let map = null;
  let loading = null;

  function currentPoint() {
    const lat = Number.parseFloat(field("latitude")?.value ?? "");
    const lon = Number.parseFloat(field("longitude")?.value ?? "");
    return Number.isFinite(lat) && Number.isFinite(lon) ? { latitude: lat, longitude: lon } : null;
  }

  function picked(point) {
    tools.leaveGps();
    setField(field("latitude"), point.latitude.toFixed(6));
    setField(field("longitude"), point.longitude.toFixed(6));
    setField(field("location_accuracy_m"), "");
    setField(field("location_fix_count"), "");
    setField(field("location_source"), "map");
    showStatus(
      mapStatus,
      ui.message("map-picked", {
        lat: point.latitude.toFixed(6),
        lon: point.longitude.toFixed(6),
      }),
      "ok",
    );
  }

  async function open() {
    panel.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    if (map) {
      map.refresh(currentPoint());
      return;
    }
    if (!loading) {
      opener.setAttribute("aria-busy", "true");
      showStatus(mapStatus, ui.message("map-loading"), "working");
      loading = import("./location_map.js")
        .then(({ PointMap }) =>
          PointMap.create(container, {
            point: currentPoint(),
            fix: tools.best(),
            onPick: picked,
            onTilesFailed: () => {
              const note = document.getElementById("map-tiles-note");
              if (note) note.hidden = false;
            },
          }),
        )
        .then((created) => {
          map = created;
          showStatus(mapStatus, "");
          listeners.add((kind, detail) => {
            if (kind === "fix") map.showFix(detail);
            else if (kind === "point") map.setPoint(detail);
          });
          for (const name of ["latitude", "longitude"]) {
            field(name)?.addEventListener("change", () => {
              const point = currentPoint();
              if (point) map.setPoint(point);
            });
          }
        })
        .catch(() => {
          loading = null;
          showStatus(mapStatus, ui.message("map-failed"), "error");
        })
        .finally(() => opener.removeAttribute("aria-busy"));
    }
    await loading;
  }

  function close() {
    panel.hidden = true;
    opener.setAttribute("aria-expanded", "false");
  }

  opener.addEventListener("click", () => {
    if (panel.hidden) open();
    else close();
  });
  document.getElementById("map-centre")?.addEventListener("click", () => {
    if (map) picked(map.centre());
  });
}
