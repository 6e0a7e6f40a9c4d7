// The "pick on the map" map of the survey form (location.js loads this module only when the
// surveyor opens it). Leaflet comes from static/vendor (`make vendor`, from npm; precached by the
// service worker) and is loaded here on first use, so the survey page does not pay for it.
//
// The background is the configured tile server (data-tile-url, 地理院タイル by default). Under it
// lies a coordinate grid drawn on the device, so the map stays usable with no tiles (offline, or
// the tile server unreachable): the surveyor can still tap a point near the GPS fix or the point
// already recorded, and refine it later.

const VENDOR = new URL("../vendor/leaflet/", import.meta.url);
const JAPAN = [
  [24.0, 122.9],
  [45.6, 145.9],
];
const GRID_STEPS = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001];
const GRID_MIN_PX = 110; // grid lines at least this far apart

let leafletLoading = null;

function addOnce(tag, attributes) {
  return new Promise((resolve, reject) => {
    const node = document.createElement(tag);
    Object.assign(node, attributes);
    node.addEventListener("load", () => resolve(), { once: true });
    node.addEventListener("error", () => reject(new Error(`${attributes.src || attributes.href}`)), {
      once: true,
    });
    document.head.append(node);
  });
}

/** Leaflet's script and stylesheet, added to the page once. */
export function loadLeaflet() {
  if (window.L && window.L.map) return Promise.resolve(window.L);
  leafletLoading ||= Promise.all([
    addOnce("link", { rel: "stylesheet", href: new URL("leaflet.css", VENDOR).href }),
    addOnce("script", { src: new URL("leaflet.js", VENDOR).href }),
  ]).then(
    () => window.L,
    (error) => {
      leafletLoading = null;
      throw error;
    },
  );
  return leafletLoading;
}

function gridStep(zoom) {
  const pxPerDegree = (256 * 2 ** zoom) / 360;
  return GRID_STEPS.findLast((step) => step * pxPerDegree >= GRID_MIN_PX) ?? GRID_STEPS[0];
}

function decimals(step) {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** A coordinate grid (graticule) drawn on canvas tiles: the background when there are no tiles. */
function graticule(L) {
  const Grid = L.GridLayer.extend({
    createTile(coords) {
      const tile = document.createElement("canvas");
      const size = this.getTileSize();
      const ratio = window.devicePixelRatio || 1;
      tile.width = size.x * ratio;
      tile.height = size.y * ratio;
      const ctx = tile.getContext("2d");
      ctx.scale(ratio, ratio);
      const map = this._map;
      const origin = coords.scaleBy(size);
      const nw = map.unproject(origin, coords.z);
      const se = map.unproject(origin.add(size), coords.z);
      const step = gridStep(coords.z);
      const places = decimals(step);
      ctx.strokeStyle = "#9aa3ad";
      ctx.lineWidth = 1;
      ctx.fillStyle = "#39414a";
      ctx.font = "12px system-ui, sans-serif";
      for (let lon = Math.ceil(nw.lng / step) * step; lon <= se.lng; lon += step) {
        const x = Math.round(map.project([nw.lat, lon], coords.z).x - origin.x) + 0.5;
        ctx.beginPath();
        ctx.moveTo(x, 0);
        ctx.lineTo(x, size.y);
        ctx.stroke();
        const label = `${lon.toFixed(places)}°E`;
        if (x + 3 + ctx.measureText(label).width < size.x) ctx.fillText(label, x + 3, size.y - 6);
      }
      for (let lat = Math.floor(nw.lat / step) * step; lat >= se.lat; lat -= step) {
        const y = Math.round(map.project([lat, nw.lng], coords.z).y - origin.y) + 0.5;
        ctx.beginPath();
        ctx.moveTo(0, y);
        ctx.lineTo(size.x, y);
        ctx.stroke();
        if (y > 18) ctx.fillText(`${lat.toFixed(places)}°N`, 3, y - 4); // never cut at the edge
      }
      return tile;
    },
  });
  return new Grid({ pane: "tilePane", zIndex: 0, maxZoom: 19 });
}

export class PointMap {
  /** Load Leaflet and draw the map in `container`; resolves to the PointMap. */
  static async create(container, options) {
    const L = await loadLeaflet();
    return new PointMap(L, container, options);
  }

  constructor(L, container, { point, fix, onPick, onTilesFailed }) {
    this.L = L;
    this.container = container;
    this.onPick = onPick;
    this.onTilesFailed = onTilesFailed;
    this.marker = null;
    this.fixCircle = null;
    this.map = L.map(container, { minZoom: 4, maxZoom: 19, zoomControl: true });
    graticule(L).addTo(this.map);
    this.addTiles();
    this.icon = L.divIcon({
      className: "point-marker",
      html: '<span class="point-marker-pin" aria-hidden="true"></span>',
      iconSize: [44, 44],
      iconAnchor: [22, 44],
    });
    if (point) {
      this.map.setView([point.latitude, point.longitude], 17);
      this.placeMarker(point);
    } else if (fix) {
      this.map.setView([fix.latitude, fix.longitude], 16);
    } else {
      this.map.fitBounds(JAPAN);
    }
    if (fix) this.showFix(fix);
    this.map.on("click", (event) => {
      const picked = { latitude: event.latlng.lat, longitude: event.latlng.lng };
      this.placeMarker(picked);
      this.onPick(picked);
    });
  }

  addTiles() {
    const url = this.container.dataset.tileUrl;
    if (!url || navigator.onLine === false) this.onTilesFailed();
    if (!url) return; // no tile server configured: the grid is the background
    const tiles = this.L.tileLayer(url, {
      attribution: this.container.dataset.tileAttribution,
      maxNativeZoom: 18,
      maxZoom: 19,
      zIndex: 1,
    });
    tiles.once("tileerror", () => {
      this.container.classList.add("has-no-tiles");
      this.onTilesFailed();
    });
    tiles.addTo(this.map);
  }

  placeMarker(point) {
    const at = [point.latitude, point.longitude];
    if (this.marker) {
      this.marker.setLatLng(at);
      return;
    }
    this.marker = this.L.marker(at, {
      icon: this.icon,
      draggable: true,
      keyboard: true,
      title: this.container.dataset.markerTitle || "",
      alt: this.container.dataset.markerTitle || "",
    }).addTo(this.map);
    this.marker.on("dragend", () => {
      const { lat, lng } = this.marker.getLatLng();
      this.onPick({ latitude: lat, longitude: lng });
    });
  }

  /** The point was set elsewhere (GPS, the address, typed): move the marker there. */
  setPoint(point) {
    if (!point) return;
    this.placeMarker(point);
    if (!this.map.getBounds().contains([point.latitude, point.longitude])) {
      this.map.setView([point.latitude, point.longitude], Math.max(this.map.getZoom(), 16));
    }
  }

  /** A GPS fix while the position settles: a circle of its accuracy. */
  showFix(fix) {
    if (!Number.isFinite(fix.accuracy)) return;
    const at = [fix.latitude, fix.longitude];
    if (this.fixCircle) {
      this.fixCircle.setLatLng(at).setRadius(fix.accuracy);
    } else {
      this.fixCircle = this.L.circle(at, {
        radius: fix.accuracy,
        color: "#0a4da3",
        weight: 2,
        fillOpacity: 0.12,
        interactive: false,
      }).addTo(this.map);
      if (!this.marker) this.map.fitBounds(this.fixCircle.getBounds(), { maxZoom: 17 });
    }
  }

  centre() {
    const { lat, lng } = this.map.getCenter();
    const point = { latitude: lat, longitude: lng };
    this.placeMarker(point);
    return point;
  }

  /** The panel was shown again: fix the size and follow the recorded point. */
  refresh(point) {
    this.map.invalidateSize();
    if (point) this.setPoint(point);
  }
}
