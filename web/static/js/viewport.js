// The map loads by view. On every moveend the visible extent, widened to the XYZ tiles
// that cover it at the zoom (that tile range is the cache key), is asked of
// /api/v1/layers/{name}?bbox=…&zoom=…: only the features in view, simplified to a pixel
// at that zoom by the service. A request for a view the map has already left is cancelled
// (AbortController); answers are kept per key, the least recently used dropped first.
// The population grid is an XYZ tile layer of PNGs rendered by the service.

import { ApiError, getBlob, getJson } from "./api.js";

/** XYZ tile column and row of lon/lat at zoom z (Web Mercator). */
function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const clampedLat = Math.max(Math.min(lat, 85.0511), -85.0511);
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (clampedLat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.asinh(Math.tan(rad)) / Math.PI) / 2) * n);
  return [Math.min(Math.max(x, 0), n - 1), Math.min(Math.max(y, 0), n - 1)];
}

/** West, south, east, north (lon/lat) of the tile range x0…x1, y0…y1 at zoom z. */
function tileRangeBounds(z, x0, y0, x1, y1) {
  const n = 2 ** z;
  const lon = (x) => (x / n) * 360 - 180;
  const lat = (y) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return [lon(x0), lat(y1 + 1), lon(x1 + 1), lat(y0)];
}

/** The view's cache key and bbox: the tiles covering lon/lat bounds at zoom z. */
export function viewKey(z, [west, south, east, north]) {
  const [x0, y0] = tileOf(west, north, z);
  const [x1, y1] = tileOf(east, south, z);
  const bbox = tileRangeBounds(z, x0, y0, x1, y1).map((v) => Math.round(v * 1e6) / 1e6);
  return { key: `${z}/${x0}/${y0}/${x1}/${y1}`, bbox };
}

export class ViewLoader {
  /**
   * @param map      the Leaflet map
   * @param datum    display datum (data are WGS84; the map may show GCJ-02)
   * @param layers   {name: [properties]} of the pack's layers to load by view
   * @param onData   (name, geojson, zoom) => draw it
   * @param onError  (name, error) => say so (a 413: zoom in)
   */
  constructor(map, { datum, layers, onData, onError, keep = 48 }) {
    Object.assign(this, { map, datum, layers, onData, onError, keep });
    this.cache = new Map(); // key "name zoom/x0/y0/x1/y1" → geojson, oldest first
    this.controller = null;
    this.current = Promise.resolve();
    this.map.on("moveend", () => this.load());
  }

  /** Lon/lat bounds of what the map shows now. */
  _bounds() {
    const b = this.map.getBounds();
    const [west, south] = this.datum.fromDisplay(b.getSouthWest());
    const [east, north] = this.datum.fromDisplay(b.getNorthEast());
    return [west, south, east, north];
  }

  _remember(key, data) {
    this.cache.delete(key);
    this.cache.set(key, data);
    while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value);
  }

  async _one(name, zoom, view, signal) {
    const key = `${name} ${view.key}`;
    if (this.cache.has(key)) {
      const data = this.cache.get(key);
      this._remember(key, data);
      return data;
    }
    const properties = this.layers[name].join(",");
    const query = `bbox=${view.bbox.join(",")}&zoom=${zoom}&properties=${encodeURIComponent(properties)}`;
    const data = await getJson(`layers/${name}?${query}`, { signal });
    this._remember(key, data);
    return data;
  }

  /** Load every layer for the current view; earlier loads still running are cancelled. */
  load() {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const zoom = Math.max(0, Math.round(this.map.getZoom()));
    const view = viewKey(zoom, this._bounds());
    this.current = Promise.all(Object.keys(this.layers).map(async (name) => {
      try {
        const data = await this._one(name, zoom, view, controller.signal);
        if (!controller.signal.aborted) this.onData(name, data, zoom);
      } catch (err) {
        if (err?.name === "AbortError" || controller.signal.aborted) return;
        this.onError(name, err);
      }
    }));
    return this.current;
  }

  /** Resolves when the latest view's layers are drawn (or refused). */
  settled() {
    return this.current;
  }
}

/** The population grid as the service's PNG tiles; fetched with the API key, if any. */
export function populationTiles(gridBounds, options = {}) {
  const [west, south, east, north] = gridBounds;
  const Grid = L.TileLayer.extend({
    createTile(coords, done) {
      const tile = document.createElement("img");
      tile.alt = "";
      const controller = new AbortController();
      tile.rgAbort = () => controller.abort();
      getBlob(`tiles/population/${coords.z}/${coords.x}/${coords.y}.png`, { signal: controller.signal })
        .then((blob) => {
          tile.onload = () => { URL.revokeObjectURL(tile.src); done(null, tile); };
          tile.src = URL.createObjectURL(blob);
        })
        .catch((err) => done(err instanceof ApiError ? err : new Error("cancelled"), tile));
      return tile;
    },
  });
  const grid = new Grid("", {
    bounds: L.latLngBounds([south, west], [north, east]),
    maxZoom: 18,
    maxNativeZoom: 18,
    ...options,
  });
  // A tile dropped (or its zoom left) before its PNG came: its request is cancelled.
  grid.on("tileunload tileabort", (e) => e.tile.rgAbort?.());
  return grid;
}
