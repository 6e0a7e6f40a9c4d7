// The dashboard map: the sites of the user's scope as markers coloured by readiness tier,
// clustered, loaded from /dashboard/map.json with the filter form's arguments.
// Leaflet and Leaflet.markercluster come from static/vendor (`make vendor`, from npm).
// Text comes from the server (data-labels, in the user's language); colour is never the only
// cue: every marker carries the tier's symbol and name, the legend and popups name the tier.

const TIERS = ["ready", "nearly", "invest", "insufficient", "none"];
const FILTERS = ["q", "prefecture", "municipality", "status", "tier", "from", "to", "rubric"];
const JAPAN = [
  [24.0, 122.9],
  [45.6, 145.9],
];

function text(template, n) {
  return template.replace("{n}", n.toLocaleString());
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

class SiteMap {
  constructor(container) {
    this.container = container;
    this.labels = JSON.parse(container.dataset.labels);
    this.countLine = document.getElementById("map-count");
    this.form = document.getElementById("dashboard-filters");
    this.map = L.map(container, { minZoom: 4, maxZoom: 18 });
    this.map.fitBounds(JAPAN);
    this.icons = Object.fromEntries(TIERS.map((tier) => [tier, this.tierIcon(tier)]));
    this.addTiles();
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction: (cluster) => this.clusterIcon(cluster),
    });
    this.map.addLayer(this.cluster);
    this.request = 0;
    this.zooming = false; // markers are swapped only between zoom animations
    this.map.on("zoomstart", () => {
      this.zooming = true;
    });
    this.map.on("zoomend", () => {
      this.zooming = false;
    });
  }

  addTiles() {
    const url = this.container.dataset.tileUrl;
    if (!url) return; // no tile server configured: markers on a plain background
    const tiles = L.tileLayer(url, {
      attribution: this.container.dataset.tileAttribution,
      maxNativeZoom: 18,
      maxZoom: 18,
    });
    tiles.once("tileerror", () => {
      this.container.classList.add("tiles-failed");
      const note = element("p", "map-note", this.labels.tiles_failed);
      note.id = "map-tiles-failed";
      this.container.after(note);
    });
    tiles.addTo(this.map);
  }

  tierIcon(tier) {
    return L.divIcon({
      className: `tier-marker tier-marker-${tier}`,
      html: `<span aria-hidden="true">${this.labels.symbols[tier]}</span>`,
      iconSize: [34, 34],
      iconAnchor: [17, 17],
      popupAnchor: [0, -16],
    });
  }

  clusterIcon(cluster) {
    const counts = Object.fromEntries(TIERS.map((tier) => [tier, 0]));
    for (const marker of cluster.getAllChildMarkers()) counts[marker.options.tier] += 1;
    const total = cluster.getChildCount();
    const box = element("span", "tier-cluster");
    box.append(element("span", "tier-cluster-count", total.toLocaleString()));
    const mix = element("span", "tier-cluster-mix");
    for (const tier of TIERS) {
      if (!counts[tier]) continue;
      const part = element("span", `tier-cluster-part tier-part-${tier}`);
      part.style.flexGrow = String(counts[tier]); // CSSOM, allowed by the CSP
      mix.append(part);
    }
    box.append(mix);
    const parts = TIERS.filter((tier) => counts[tier]).map(
      (tier) => `${this.labels.tiers[tier]} ${counts[tier]}`,
    );
    box.title = `${text(this.labels.cluster, total)} (${parts.join("、")})`;
    return L.divIcon({ html: box, className: "tier-cluster-icon", iconSize: L.point(46, 46) });
  }

  marker(row, places) {
    const [lat, lon, tierCode, status, uuid, name, municipality] = row;
    const tier = TIERS.includes(tierCode) ? tierCode : "none";
    const title = `${name} — ${this.labels.tiers[tier]}`;
    const marker = L.marker([lat, lon], { icon: this.icons[tier], title, tier, keyboard: true });
    marker.bindPopup(() =>
      this.popup({ tier, status, uuid, name, place: places[municipality] || municipality }),
    );
    return marker;
  }

  popup(site) {
    const box = element("div", "map-popup");
    const heading = element("p", "map-popup-name");
    const link = element("a", null, site.name);
    link.href = this.container.dataset.siteUrl + encodeURIComponent(site.uuid);
    heading.append(link);
    const facts = element("dl");
    const fact = (label, node) => facts.append(element("dt", null, label), node);
    fact(this.labels.municipality, element("dd", null, site.place));
    const status = element("dd");
    status.append(
      element("span", `status status-${site.status}`, this.labels.statuses[site.status] || site.status),
    );
    fact(this.labels.status, status);
    const tier = element("dd");
    tier.append(element("span", `tier tier-${site.tier}`, this.labels.tiers[site.tier]));
    fact(this.labels.readiness, tier);
    box.append(heading, facts);
    return box;
  }

  async load(query) {
    const request = ++this.request;
    this.countLine.textContent = this.labels.loading;
    this.container.setAttribute("aria-busy", "true");
    let data;
    try {
      const response = await fetch(`${this.container.dataset.pointsUrl}${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const type = response.headers.get("Content-Type") || "";
      if (response.redirected || !type.includes("json")) throw new Error("signed_out");
      if (!response.ok) throw new Error("failed");
      data = await response.json();
    } catch (error) {
      if (request !== this.request) return;
      this.countLine.textContent =
        error.message === "signed_out" ? this.labels.signed_out : this.labels.failed;
      this.container.removeAttribute("aria-busy");
      return;
    }
    if (request !== this.request) return; // a newer filter was submitted meanwhile
    this.show(data);
  }

  show(data) {
    if (this.zooming) {
      this.map.once("zoomend", () => this.show(data));
      return;
    }
    this.cluster.clearLayers();
    const markers = data.sites.map((row) => this.marker(row, data.places || {}));
    this.cluster.addLayers(markers);
    if (markers.length) {
      // no animation: clusters rebuilt during a zoom animation could be left unshown
      this.map.fitBounds(this.cluster.getBounds(), { padding: [40, 40], maxZoom: 14, animate: false });
    }
    let line = text(data.count === 1 ? this.labels.count_one : this.labels.count_other, data.count);
    if (data.without_coordinates) line += ` ${text(this.labels.unplaced, data.without_coordinates)}`;
    this.countLine.textContent = line;
    this.container.removeAttribute("aria-busy");
    this.container.dataset.loaded = String(data.count);
  }
}

function queryFromForm(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim()) params.append(name, String(value).trim());
  }
  return params.toString() ? `?${params}` : "";
}

function queryFromLocation() {
  const current = new URLSearchParams(window.location.search);
  const params = new URLSearchParams();
  for (const name of FILTERS) if (current.get(name)) params.set(name, current.get(name));
  return params.toString() ? `?${params}` : "";
}

function keepLinksInStep(query) {
  for (const id of ["link-list", "link-summary", "link-export"]) {
    const link = document.getElementById(id);
    if (link) link.href = link.href.split("?")[0] + query;
  }
}

function start() {
  const container = document.getElementById("site-map");
  if (!container || !window.L || !L.markerClusterGroup) return;
  const siteMap = new SiteMap(container);
  siteMap.load(queryFromLocation());
  // The form works without JavaScript (a GET of this page); with it, only the markers reload.
  siteMap.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = queryFromForm(siteMap.form);
    window.history.pushState(null, "", `${window.location.pathname}${query}`);
    keepLinksInStep(query);
    siteMap.load(query);
  });
  window.addEventListener("popstate", () => window.location.reload());
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
