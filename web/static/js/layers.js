// The map: the pack's layers, their styles, the layer switcher, the legend, the scale and
// the coordinates under the cursor. Names, colours, widths and styles come from
// /api/v1/web-config (web/labels.py, the table the incident map and the print use too).

import { getJson } from "./api.js";
import { escapeHtml } from "./text.js";
import { colorOf, graduated, limitText } from "./choropleth.js";
import { addContext } from "./context.js";
import { quakeMarks } from "./quake.js";
import { ViewLoader, populationTiles } from "./viewport.js";
import { KeptFeatures } from "./keep.js";

// Panes keep the drawing order whatever order the view's answers arrive in: the grid over
// the basemap (its own pane); inside the overlay pane counties, zones and roads below the
// footprint and routes (drawn in the overlay pane itself), shelters above them.
const GRID_PANE = ["rgGrid", 250];
const PANES = { rgCounties: -3, rgZones: -2, rgRoads: -1, rgShelters: 1 };
// Layers loaded by view, in the layer switcher's order: overlay key, the pack's layer name
// and the properties the map draws and tells with (only these are sent for a view).
const VIEW_LAYERS = [
  ["counties", "counties", ["code", "name", "population"]],
  ["zones", "hazard_zones", ["id", "name", "kind", "risk"]],
  ["roads", "roads", ["highway"]],
  ["depots", "depots", ["id", "name", "level"]],
  ["shelters", "shelters", ["id", "name", "kind", "capacity"]],
];

export { escapeHtml }; // for the other modules of the app, as before

export function fmt(n) {
  return typeof n === "number" && Number.isFinite(n) ? Math.round(n).toLocaleString("zh-CN") : "—";
}

export function tipHtml(title, rows) {
  const body = rows
    .filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  return `<b>${escapeHtml(title)}</b><table class="rg-tip">${body}</table>`;
}

export function name(table, code) {
  return (table && table[code]) || code;
}

/** A supply reason (English, from the service) in Chinese, by the web-config table. */
export function reasonText(labels, reason) {
  const text = String(reason || "");
  for (const [pattern, chinese] of labels.supply_reasons || []) {
    const m = text.match(new RegExp(pattern, "i"));
    if (m) return m[1] !== undefined ? chinese.replace("$1", m[1]) : chinese;
  }
  return text;
}

/** A footprint class as shown: 烈度 VIII 度, 水深 0.7-1.5m, 危险程度：高, else as named. */
export function classText(labels, cls) {
  const text = String(cls ?? "").trim();
  if (/^[IVX]+$/.test(text)) return `烈度 ${text} 度`;
  if (/\d.*m$/.test(text)) return `水深 ${text}`;
  const zh = labels.hazard_classes?.[text];
  return zh ? `危险程度：${zh}` : text;
}

/** A conflicting zone's id as shown; the incident itself reads 本次灾害范围. */
export function zoneText(labels, id) {
  const [code, text] = labels.incident_zone || [];
  return id === code ? text : String(id);
}

/** "帐篷（顶） 360" for an item code and a quantity. */
export function itemText(config, code, quantity) {
  return `${name(config.items, code)} ${fmt(quantity)}`;
}

export class MapView {
  constructor(element, config, datum) {
    this.config = config;
    this.datum = datum;
    this.labels = config.labels;
    this.colors = config.labels.colors;
    this.widths = config.labels.widths;
    this.styles = config.labels.styles;
    this.overlayNames = config.labels.overlays;
    this.map = L.map(element, { zoomControl: true, preferCanvas: false, attributionControl: Boolean(config.tiles.url) });
    this.geo = (data, options = {}) => L.geoJSON(data, {
      coordsToLatLng: (c) => this.datum.toDisplay(c),
      ...options,
    });
    this.overlays = {};
    this.shelterLayers = new Map();
    this.shelterKinds = new Set();
    this.viewNotes = {};
    this.map.createPane(GRID_PANE[0]).style.zIndex = GRID_PANE[1];
    const overlayPane = this.map.getPane("overlayPane");
    for (const [pane, z] of Object.entries(PANES)) this.map.createPane(pane, overlayPane).style.zIndex = z;
    this.assessment = null;
    this._controls();
  }

  _controls() {
    this.baseLayers = {};
    if (this.config.tiles.url) {
      this.baseLayers["内网底图"] = L.tileLayer(this.config.tiles.url, {
        attribution: this.config.tiles.attribution || "",
        maxZoom: 18,
      }).addTo(this.map);
      this.baseLayers["无底图"] = L.layerGroup();
    }
    // The switcher's overlays in its order, [key, label, layer]: Leaflet's control has no
    // public way to rename or list its entries, so it is rebuilt from this list.
    this.switcherEntries = [];
    this._switcher();
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(this.map);

    const coords = L.control({ position: "bottomleft" });
    coords.onAdd = () => {
      const div = L.DomUtil.create("div", "leaflet-control rg-box rg-coords");
      div.id = "coords";
      div.textContent = "经纬度（WGS84）：—";
      return div;
    };
    coords.addTo(this.map);
    this.map.on("mousemove", (e) => {
      const [lon, lat] = this.datum.fromDisplay(e.latlng);
      document.getElementById("coords").textContent =
        `经纬度（WGS84）：${lon.toFixed(5)}°E，${lat.toFixed(5)}°N`;
    });

    // The legend lives in the side panel (index.html #legend): it scrolls with the panel,
    // folds away, and never covers the map.
  }

  fitPack() {
    const [minx, miny, maxx, maxy] = this.config.bounds;
    this.map.fitBounds(L.latLngBounds(this.datum.toDisplay([minx, miny]), this.datum.toDisplay([maxx, maxy])),
      { padding: [10, 10] });
  }

  /** The layer switcher, built anew (public API only) from ``switcherEntries``. */
  _switcher() {
    this.layerControl?.remove();
    this.layerControl = L.control.layers(this.baseLayers, {}, { collapsed: false, position: "topright" });
    for (const [, label, layer] of this.switcherEntries) this.layerControl.addOverlay(layer, label);
    this.layerControl.addTo(this.map);
  }

  addOverlay(key, label, layer, visible = true) {
    if (this.overlays[key]) {
      this.layerControl.removeLayer(this.overlays[key]);
      this.map.removeLayer(this.overlays[key]);
    }
    this.switcherEntries = this.switcherEntries.filter(([k]) => k !== key);
    this.switcherEntries.push([key, label, layer]);
    this.overlays[key] = layer;
    this.layerControl.addOverlay(layer, label);
    if (visible) layer.addTo(this.map);
  }

  removeOverlay(key) {
    const layer = this.overlays[key];
    if (!layer) return;
    this.switcherEntries = this.switcherEntries.filter(([k]) => k !== key);
    this.layerControl.removeLayer(layer);
    this.map.removeLayer(layer);
    delete this.overlays[key];
  }

  /** Load the pack's layers for the view now shown, and again after every move. */
  async loadPackLayers() {
    this._populationGrid();
    const draw = {
      counties: (d) => this._counties(d),
      hazard_zones: (d) => this._zones(d),
      roads: (d) => this._roads(d),
      depots: (d) => this._depots(d),
      shelters: (d) => this._shelters(d),
    };
    for (const [key, layer] of VIEW_LAYERS) this.addOverlay(key, this.overlayNames[layer], L.featureGroup());
    this._keptLayers();
    this.loader = new ViewLoader(this.map, {
      datum: this.datum,
      layers: Object.fromEntries(VIEW_LAYERS.map(([, layer, properties]) => [layer, properties])),
      onData: (layer, data, zoom) => {
        delete this.viewNotes[layer];
        this.viewZoom = zoom;
        draw[layer](data);
        this.renderLegend();
      },
      onError: (layer, err) => this._viewRefused(layer, err),
    });
    await this.loader.load();
    // Context layers are few and small: asked for once, bounded by the pack's extent and
    // simplified for the zoom the app opens at, names and ranks only.
    const context = this.config.context_layers || [];
    const bbox = (this.config.labels.map?.grid_bounds || []).join(",");
    const zoom = Math.max(0, Math.round(this.map.getZoom()));
    const query = (n) => `layers/${n}?bbox=${bbox}&zoom=${zoom}&properties=${n === "places" ? "name,rank" : "name"}`;
    const [water, places] = await Promise.all(
      ["water", "places"].map((n) => (context.includes(n) ? getJson(query(n)) : null)));
    this.layoutLabels = addContext(this, { water, places });
    return { counties: this.countyCount };
  }

  /**
   * The view layers' drawn features, kept across pans (keep.js): each overlay's group keeps
   * its place and visibility; the counties' polygons and their names are groups of it.
   */
  _keptLayers() {
    this.countyLayer = L.featureGroup().addTo(this.overlays.counties);
    this.countyNames = L.layerGroup().addTo(this.overlays.counties);
    this.kept = {
      counties: new KeptFeatures(this.countyLayer, {
        build: (data) => this._countyShapes(data),
        extras: (layer) => [[this.countyNames, this._countyName(layer)]],
      }),
      hazard_zones: new KeptFeatures(this.overlays.zones, { build: (data) => this._zoneShapes(data) }),
      roads: new KeptFeatures(this.overlays.roads, { build: (data) => this._roadLines(data) }),
      depots: new KeptFeatures(this.overlays.depots, { build: (data) => this._depotMarks(data) }),
      shelters: new KeptFeatures(this.overlays.shelters, {
        build: (data) => this._shelterMarks(data),
        dropped: (layer) => this.shelterLayers.delete(layer.feature.properties.id),
      }),
    };
  }

  /** Draw a view's answer of ``layer``: kept features stay, new ones are added. */
  _keep(layer, data) {
    return this.kept[layer].update(data, this.viewZoom, this.map.getBounds().pad(0.25));
  }

  /** A layer the service would not send for this view (too many features: zoom in). */
  _viewRefused(layer, err) {
    this.kept[layer].clear();
    this.viewNotes[layer] = err?.status === 413
      ? `${this.overlayNames[layer]}：当前范围要素过多，请放大地图查看`
      : `${this.overlayNames[layer]}：${err?.message || "读取失败"}`;
    this.renderLegend();
  }

  /** The population grid as the service's tiles (WGS84 basemaps only: tiles cannot shift). */
  _populationGrid() {
    const grid = this.labels.map?.population_grid;
    if (!grid || this.datum.name !== "WGS84") return;
    this.gridLayer = populationTiles(this.labels.map.grid_bounds, { pane: "rgGrid" });
    this.addOverlay("population_grid", grid.name, this.gridLayer, false);
    this.map.on("overlayadd overlayremove", () => this.renderLegend());
  }

  _counties(data) {
    if (!this.populationClasses && data.features.length) {
      // Classes from the first view (the whole pack: the app opens on it), kept after.
      this.populationClasses = graduated(data.features.map((f) => f.properties.population), this.colors.population, { fromZero: false });
      this.countyCount = data.features.length;
    }
    this._keep("counties", data);
  }

  _countyShapes(data) {
    return this.geo(data, {
      pane: "rgCounties",
      style: (f) => this._countyStyle(f.properties),
      onEachFeature: (f, layer) => {
        layer.options.rgCode = f.properties.code;
        layer.bindTooltip(() => this._countyTip(f.properties), { sticky: true });
      },
    });
  }

  /** A county's name at the centre of its shape. */
  _countyName(layer) {
    return L.marker(layer.getBounds().getCenter(), {
      interactive: false,
      icon: L.divIcon({ className: "", html: `<div class="rg-county">${escapeHtml(layer.feature.properties.name)}</div>`, iconSize: [80, 18], iconAnchor: [40, 9] }),
    });
  }

  /** Counties by population, or by affected persons once an assessment is shown. */
  _countyStyle(p) {
    if (!this.assessment) {
      return { ...this.styles.counties, fillColor: colorOf(this.populationClasses, p.population) || this.colors.population[0] };
    }
    const row = this.assessment.population.by_county.find((r) => r.code === p.code);
    const color = colorOf(this.affectedClasses, row ? row.affected : 0);
    return color ? { ...this.styles.counties, fillColor: color } : { ...this.styles.counties, fillOpacity: 0 };
  }

  _restyleCounties() {
    this.countyLayer?.eachLayer((layer) => layer.setStyle(this._countyStyle(layer.feature.properties)));
    this._labelCounties();
  }

  /** The switcher names what the county fill shows: population, or affected persons. */
  _labelCounties() {
    const entry = this.switcherEntries?.find(([key]) => key === "counties");
    const label = this.overlayNames[this.assessment ? "counties_affected" : "counties"];
    if (!entry || entry[1] === label) return;
    // Renamed where it stands: the switcher is rebuilt from the list, its order kept.
    entry[1] = label;
    this._switcher();
  }

  /** Fill colour of a footprint class: the class's own (web/footprint_style.py), as printed. */
  footprintColor(hazard, cls, rank = 0) {
    const found = this.config.hazards.find((h) => h.id === hazard)?.classes.find((c) => c.name === cls);
    const palette = this.colors.footprint_palette;
    return found ? found.color : palette[Math.min(rank, palette.length - 1)];
  }

  _countyTip(p) {
    const rows = [["常住人口", fmt(p.population)]];
    const row = this.assessment?.population.by_county.find((r) => r.code === p.code);
    if (this.assessment) {
      rows.push(["受灾人口（估算）", fmt(row ? row.affected : 0)]);
      rows.push(["需转移安置（估算）", fmt(row ? row.displaced : 0)]);
    }
    return tipHtml(`${p.name}（${p.code}）`, rows);
  }

  _zones(data) {
    this._keep("hazard_zones", data);
  }

  _zoneShapes(data) {
    const colors = this.colors.risks;
    return this.geo(data, {
      pane: "rgZones",
      style: (f) => {
        const color = colors[f.properties.risk] || this.colors.other;
        return { ...this.styles.hazard_zones, color, fillColor: color };
      },
      onEachFeature: (f, l) => l.bindTooltip(tipHtml(f.properties.name || f.properties.id, [
        ["编号", f.properties.id],
        ["类型", name(this.labels.zone_kinds, f.properties.kind)],
        ["风险等级", name(this.labels.risks, f.properties.risk)],
      ]), { sticky: true }),
    });
  }

  _roads(data) {
    this._keep("roads", data);
  }

  /** Roads on one canvas, not interactive, one style object per road class. */
  _roadLines(data) {
    this.roadRenderer ||= L.canvas({ padding: 0.2, pane: "rgRoads" });
    const styles = (this.roadStyles ||= {});
    const style = (highway) => ({ ...this.styles.roads, weight: this.widths.roads[highway] ?? this.widths.road_other });
    return this.geo(data, {
      renderer: this.roadRenderer,
      interactive: false,
      style: (f) => (styles[f.properties.highway] ||= style(f.properties.highway)),
    });
  }

  _depots(data) {
    this._keep("depots", data);
  }

  _depotMarks(data) {
    return this.geo(data, {
      pointToLayer: (f, latlng) => L.marker(latlng, {
        icon: L.divIcon({ className: "", html: `<div class="rg-depot" style="background:${this.colors.depot}"></div>`, iconSize: [15, 15], iconAnchor: [7, 7] }),
      }),
      onEachFeature: (f, l) => {
        l.bindTooltip(() => this._depotTip(f.properties));
      },
    });
  }

  _depotTip(p) {
    const rows = [["级别", name(this.labels.depot_levels, p.level)]];
    const depot = this.assessment?.supply?.depots?.find((d) => d.id === p.id);
    if (depot) {
      rows.push(["状态", name(this.labels.depot_status, depot.status)]);
      if (depot.reason) rows.push(["原因", reasonText(this.labels, depot.reason)]);
      rows.push(["本次调出", Object.entries(depot.sent || {}).map(([k, v]) => itemText(this.config, k, v)).join("、")]);
    }
    return tipHtml(`${p.name}（${p.id}）`, rows);
  }

  _shelters(data) {
    data.features.forEach((f) => this.shelterKinds.add(f.properties.kind));
    this._keep("shelters", data);
  }

  _shelterMarks(data) {
    // A province holds thousands of shelters: one canvas draws them faster than SVG nodes.
    this.shelterRenderer = this.shelterRenderer || L.canvas({ padding: 0.2, pane: "rgShelters" });
    return this.geo(data, {
      pane: "rgShelters",
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        pane: "rgShelters",
        renderer: this.shelterRenderer,
        radius: this.widths.shelter_radii[f.properties.kind] ?? this.widths.shelter_radius_other,
      }),
      style: (f) => this._shelterStyle(f.properties),
      onEachFeature: (f, l) => {
        this.shelterLayers.set(f.properties.id, l);
        l.bindTooltip(() => this._shelterTip(f.properties), { sticky: true });
      },
    });
  }

  shelterResult(id) {
    return this.assessment?.shelters.find((s) => s.id === id) || null;
  }

  unreachable() {
    return new Set(this.assessment?.supply?.unreachable || []);
  }

  _shelterStyle(p) {
    const result = this.shelterResult(p.id);
    const base = this.styles.shelters;
    if (!result) return { ...base, fillColor: this.colors.kinds[p.kind] || this.colors.other };
    const edge = this.unreachable().has(p.id) ? this.styles.unreachable : {};
    return { ...base, ...edge, fillColor: this.colors.status[result.status] || this.colors.other };
  }

  _shelterTip(p) {
    const r = this.shelterResult(p.id);
    const rows = [["类型", name(this.labels.shelter_kinds, p.kind)], ["容量（人）", fmt(p.capacity)]];
    if (r) {
      rows.push(["状态", name(this.labels.shelter_status, r.status)]);
      rows.push(["安置（人）", fmt(r.assigned)]);
      if (r.conflicts.length) {
        rows.push(["冲突隐患区", r.conflicts.map((c) => `${zoneText(this.labels, c.zone_id)} ${name(this.labels.zone_kinds, c.kind)} ${fmt(c.distance_m)} 米`).join("；")]);
      }
      if (this.unreachable().has(p.id)) rows.push(["物资", "无法送达"]);
    }
    return tipHtml(`${p.name}（${p.id}）`, rows);
  }

  /** Show an assessment: footprint pieces, shelters by status, routes. */
  showAssessment(assessment) {
    this.assessment = assessment;
    this.affectedClasses = graduated(assessment.population.by_county.map((r) => r.affected), this.colors.population);
    this._restyleCounties();
    this.shelterLayers.forEach((layer, id) => {
      layer.setStyle(this._shelterStyle({ id, kind: layer.feature.properties.kind }));
      if (this.unreachable().has(id)) layer.bringToFront();
    });
    const pieces = assessment.footprint.pieces;
    const hazard = name(this.labels.hazards, assessment.hazard);
    const footprint = this.geo(pieces, {
      style: (f) => ({
        ...this.styles.footprint,
        fillColor: this.footprintColor(assessment.hazard, f.properties.class, pieces.features.indexOf(f)),
      }),
      onEachFeature: (f, l) => l.bindTooltip(tipHtml(this.overlayNames.footprint, [["灾种", hazard], ["分级", classText(this.labels, f.properties.class)]]), { sticky: true }),
    });
    this.addOverlay("footprint", this.overlayNames.footprint, footprint);
    this._closedRoads(assessment.supply?.closed_lines);
    const quake = quakeMarks(assessment, this.labels.quake, this.colors.quake);
    if (quake) this.addOverlay("quake", this.labels.quake.rings, quake);
    else this.removeOverlay("quake");
    const routes = assessment.supply?.routes?.features || [];
    if (routes.length) {
      const layer = this.geo(assessment.supply.routes, {
        style: () => ({ ...this.styles.routes }),
        onEachFeature: (f, l) => l.bindTooltip(this._routeTip(f.properties), { sticky: true }),
      });
      this.addOverlay("routes", this.overlayNames.routes, layer);
    } else {
      this.removeOverlay("routes");
    }
    this.overlays.shelters.addTo(this.map);
    this.overlays.shelters.bringToFront?.();
    this.renderLegend();
    const bounds = footprint.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [30, 30] });
    return footprint;
  }

  _closedRoads(lines) {
    if (!lines?.features?.length) {
      this.removeOverlay("closed_roads");
      return;
    }
    const layer = this.geo(lines, {
      style: () => ({ ...this.styles.closed_roads }),
      onEachFeature: (f, l) => l.bindTooltip(tipHtml(this.overlayNames.closed_roads, [
        ["道路", f.properties.name || f.properties.road_id],
        ["等级", name(this.labels.highways, f.properties.highway)],
      ]), { sticky: true }),
    });
    this.addOverlay("closed_roads", this.overlayNames.closed_roads, layer);
  }

  _routeTip(p) {
    const items = Object.entries(p.items || {}).map(([k, v]) => itemText(this.config, k, v)).join("、");
    return tipHtml(`${p.depot_id} → ${p.shelter_id}`, [
      ["路程", `${(p.distance_m / 1000).toFixed(1)} 公里`],
      ["用时", `${Math.round(p.duration_s / 60)} 分钟`],
      ["物资", items],
    ]);
  }

  clearAssessment() {
    this.assessment = null;
    this.removeOverlay("footprint");
    this.removeOverlay("routes");
    this.removeOverlay("closed_roads");
    this._restyleCounties();
    this.removeOverlay("quake");
    this.shelterLayers.forEach((layer) => layer.setStyle(this._shelterStyle(layer.feature.properties)));
    this.renderLegend();
  }

  async focusShelter(id) {
    this.overlays.shelters.addTo(this.map);
    let layer = this.shelterLayers.get(id);
    let at = layer && (layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter());
    if (!at) {
      // Not in the view loaded: find it among all shelters (points only, asked once).
      this.allShelters = this.allShelters || await getJson("layers/shelters?zoom=18&properties=id");
      const found = this.allShelters.features.find((f) => f.properties.id === id);
      if (!found) return;
      at = L.geoJSON(found, { coordsToLatLng: (c) => this.datum.toDisplay(c) }).getBounds().getCenter();
    }
    this.map.setView(at, Math.min(Math.max(this.map.getZoom(), 13), 15));
    await this.loader?.settled();
    layer = this.shelterLayers.get(id);
    layer?.openTooltip();
  }

  renderLegend() {
    const c = this.colors;
    const names = this.overlayNames;
    const legend = this.labels.legend;
    const sw = (color, cls = "") => `<i class="${cls}" style="${cls === "line" ? "border-top-color" : "background"}:${color}"></i>`;
    const row = (swatch, text) => `<div>${swatch}${escapeHtml(text)}</div>`;
    const parts = [];
    if (this.assessment) {
      parts.push(`<h4>${escapeHtml(legend.footprint)}</h4>`);
      this.assessment.footprint.pieces.features.forEach((f, i) => {
        const color = this.footprintColor(this.assessment.hazard, f.properties.class, i);
        parts.push(row(`<i style="background:${color};border-color:${this.styles.footprint.color}"></i>`, classText(this.labels, f.properties.class)));
      });
      parts.push(`<h4>${escapeHtml(legend.shelters)}</h4>`);
      for (const [code, label] of Object.entries(this.labels.shelter_status)) {
        parts.push(row(sw(c.status[code], "dot"), label));
      }
      if (this.assessment.supply) {
        const ring = this.styles.unreachable;
        parts.push(row(`<i class="dot" style="background:${c.status.usable};border:${ring.weight}px solid ${ring.color}"></i>`, legend.unreachable));
      }
      if (this.assessment.supply?.routes?.features?.length) parts.push(row(sw(c.route, "line"), names.routes));
      if (this.assessment.supply?.closed_lines?.features?.length) {
        parts.push(row(`<i class="dashed" style="border-top-color:${c.closed_road}"></i>`, `${names.closed_roads}（${this.assessment.supply.closed_lines.features.length} 段）`));
      }
    } else {
      parts.push(`<h4>${escapeHtml(legend.shelter_kinds)}</h4>`);
      for (const code of this.shelterKinds || []) {
        parts.push(row(sw(c.kinds[code] || c.other, "dot"), name(this.labels.shelter_kinds, code)));
      }
    }
    parts.push(`<h4>${escapeHtml(names.hazard_zones)}</h4>`);
    for (const [code, label] of Object.entries(this.labels.risks)) parts.push(row(sw(c.risks[code]), label));
    const byAffected = Boolean(this.assessment);
    parts.push(`<h4 id="legend-counties">${escapeHtml(byAffected ? legend.affected : legend.population)}</h4>`);
    if (byAffected) parts.push(row(`<i style="background:transparent"></i>`, legend.no_affected));
    for (const k of (byAffected ? this.affectedClasses : this.populationClasses) || []) {
      parts.push(row(sw(k.color), `${limitText(k.from)}–${limitText(k.to)} 人`));
    }
    const grid = this.labels.map?.population_grid;
    if (grid && this.gridLayer && this.map.hasLayer(this.gridLayer)) {
      parts.push(`<h4>${escapeHtml(grid.name)}</h4>`);
      for (const k of grid.classes) {
        const text = k.to === null ? `≥ ${fmt(k.from)}` : `${fmt(k.from)}–${fmt(k.to)}`;
        parts.push(row(`<i style="background:${k.color};opacity:${grid.opacity}"></i>`, text));
      }
    }
    const notes = Object.values(this.viewNotes);
    const detail = this.labels.map?.full_detail_zoom;
    if (detail && this.map.getZoom() < detail) notes.push(this.labels.map.zoom_in_note);
    for (const note of notes) parts.push(`<div class="rg-view-note">${escapeHtml(note)}</div>`);
    parts.push(`<h4>${escapeHtml(legend.supply)}</h4>`);
    parts.push(row(sw(c.depot, "square"), names.depots));
    parts.push(row(sw(c.road, "line"), names.roads));
    if (this.overlays.water) parts.push(row(sw(c.water, "line"), names.water));
    if (this.overlays.places) parts.push(row(`<i class="dot" style="background:${c.place};width:7px;height:7px"></i>`, names.places));
    // Set only when it reads otherwise: a pan's five answers mostly leave it as it is.
    const html = parts.join("");
    if (html === this.legendHtml) return;
    this.legendHtml = html;
    document.getElementById("legend").innerHTML = html;
  }
}
