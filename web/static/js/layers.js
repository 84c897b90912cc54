// The map: the pack's layers, their styles, the layer switcher, the legend, the scale and
// the coordinates under the cursor. Names and colours come from /api/v1/web-config.

import { getJson } from "./api.js";

const ROAD_WEIGHTS = { motorway: 2.6, trunk: 2.3, primary: 2.0, secondary: 1.6, tertiary: 1.2 };
const SHELTER_RADIUS = { emergency: 5, short_term: 7, medium_term: 8, long_term: 9 };

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

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

/** Class limits splitting [min, max] into n equal intervals (display classes only). */
function equalBreaks(values, n) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return Array.from({ length: n - 1 }, (_, i) => lo + ((hi - lo) * (i + 1)) / n);
}

export class MapView {
  constructor(element, config, datum) {
    this.config = config;
    this.datum = datum;
    this.labels = config.labels;
    this.colors = config.labels.colors;
    this.map = L.map(element, { zoomControl: true, preferCanvas: false, attributionControl: Boolean(config.tiles.url) });
    this.geo = (data, options = {}) => L.geoJSON(data, {
      coordsToLatLng: (c) => this.datum.toDisplay(c),
      ...options,
    });
    this.overlays = {};
    this.shelterLayers = new Map();
    this.assessment = null;
    this._controls();
  }

  _controls() {
    const base = {};
    if (this.config.tiles.url) {
      base["内网底图"] = L.tileLayer(this.config.tiles.url, {
        attribution: this.config.tiles.attribution || "",
        maxZoom: 18,
      }).addTo(this.map);
      base["无底图"] = L.layerGroup();
    }
    this.layerControl = L.control.layers(base, {}, { collapsed: false, position: "topright" }).addTo(this.map);
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

    this.legend = L.control({ position: "bottomright" });
    this.legend.onAdd = () => {
      const div = L.DomUtil.create("div", "leaflet-control rg-box rg-legend");
      div.id = "legend";
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    this.legend.addTo(this.map);
  }

  fitPack() {
    const [minx, miny, maxx, maxy] = this.config.bounds;
    this.map.fitBounds(L.latLngBounds(this.datum.toDisplay([minx, miny]), this.datum.toDisplay([maxx, maxy])),
      { paddingTopLeft: [10, 10], paddingBottomRight: [190, 10] }); // keep clear of the legend
  }

  addOverlay(key, label, layer, visible = true) {
    if (this.overlays[key]) {
      this.layerControl.removeLayer(this.overlays[key]);
      this.map.removeLayer(this.overlays[key]);
    }
    this.overlays[key] = layer;
    this.layerControl.addOverlay(layer, label);
    if (visible) layer.addTo(this.map);
  }

  removeOverlay(key) {
    const layer = this.overlays[key];
    if (!layer) return;
    this.layerControl.removeLayer(layer);
    this.map.removeLayer(layer);
    delete this.overlays[key];
  }

  async loadPackLayers() {
    const [counties, zones, roads, shelters, depots] = await Promise.all(
      ["counties", "hazard_zones", "roads", "shelters", "depots"].map((n) => getJson(`layers/${n}`)),
    );
    this._counties(counties);
    this._zones(zones);
    this._roads(roads);
    this._depots(depots);
    this._shelters(shelters);
    this.renderLegend();
    return { counties: counties.features.length };
  }

  _counties(data) {
    const pops = data.features.map((f) => f.properties.population);
    const ramp = this.colors.population;
    const breaks = equalBreaks(pops, ramp.length);
    this.populationClasses = ramp.map((color, i) => ({
      color,
      from: i === 0 ? Math.min(...pops) : breaks[i - 1],
      to: i === ramp.length - 1 ? Math.max(...pops) : breaks[i],
    }));
    const colorOf = (p) => ramp[breaks.filter((b) => p > b).length];
    const group = L.layerGroup();
    this.countyLayer = this.geo(data, {
      style: (f) => ({ color: "#4d4d4d", weight: 1.2, fillColor: colorOf(f.properties.population), fillOpacity: 0.5 }),
      onEachFeature: (f, layer) => {
        layer.options.rgCode = f.properties.code;
        layer.bindTooltip(() => this._countyTip(f.properties), { sticky: true });
      },
    }).addTo(group);
    this.countyLayer.eachLayer((layer) => {
      const center = layer.getBounds().getCenter();
      L.marker(center, {
        interactive: false,
        icon: L.divIcon({ className: "", html: `<div class="rg-county">${escapeHtml(layer.feature.properties.name)}</div>`, iconSize: [80, 18], iconAnchor: [40, 9] }),
      }).addTo(group);
    });
    this.addOverlay("counties", "区县（人口分级）", group);
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
    const colors = this.colors.risks;
    const layer = this.geo(data, {
      style: (f) => ({ color: colors[f.properties.risk] || "#999", weight: 1, fillColor: colors[f.properties.risk] || "#999", fillOpacity: 0.6 }),
      onEachFeature: (f, l) => l.bindTooltip(tipHtml(f.properties.name || f.properties.id, [
        ["编号", f.properties.id],
        ["类型", name(this.labels.zone_kinds, f.properties.kind)],
        ["风险等级", name(this.labels.risks, f.properties.risk)],
      ]), { sticky: true }),
    });
    this.addOverlay("zones", "隐患区（风险四色）", layer);
  }

  _roads(data) {
    const renderer = L.canvas({ padding: 0.2 });
    const layer = this.geo(data, {
      renderer,
      interactive: false,
      style: (f) => ({ color: this.colors.road, weight: ROAD_WEIGHTS[f.properties.highway] || 0.8, opacity: 0.85 }),
    });
    this.addOverlay("roads", "道路", layer);
  }

  _depots(data) {
    const layer = this.geo(data, {
      pointToLayer: (f, latlng) => L.marker(latlng, {
        icon: L.divIcon({ className: "", html: `<div class="rg-depot" style="background:${this.colors.depot}"></div>`, iconSize: [15, 15], iconAnchor: [7, 7] }),
      }),
      onEachFeature: (f, l) => {
        l.bindTooltip(() => this._depotTip(f.properties));
      },
    });
    this.addOverlay("depots", "物资储备库", layer);
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
    this.shelterLayers.clear();
    this.shelterKinds = new Set(data.features.map((f) => f.properties.kind));
    const layer = this.geo(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: SHELTER_RADIUS[f.properties.kind] || 6 }),
      style: (f) => this._shelterStyle(f.properties),
      onEachFeature: (f, l) => {
        this.shelterLayers.set(f.properties.id, l);
        l.bindTooltip(() => this._shelterTip(f.properties), { sticky: true });
      },
    });
    this.addOverlay("shelters", "避难场所", layer);
  }

  shelterResult(id) {
    return this.assessment?.shelters.find((s) => s.id === id) || null;
  }

  unreachable() {
    return new Set(this.assessment?.supply?.unreachable || []);
  }

  _shelterStyle(p) {
    const result = this.shelterResult(p.id);
    if (!result) {
      return { color: "#fff", weight: 1.5, fillColor: this.colors.kinds[p.kind] || "#35978f", fillOpacity: 0.95 };
    }
    const cut = this.unreachable().has(p.id);
    return {
      color: cut ? this.colors.unreachable : "#fff",
      weight: cut ? 3.5 : 1.5,
      fillColor: this.colors.status[result.status] || "#777",
      fillOpacity: 0.95,
    };
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
    this.shelterLayers.forEach((layer, id) => {
      layer.setStyle(this._shelterStyle({ id, kind: layer.feature.properties.kind }));
      if (this.unreachable().has(id)) layer.bringToFront();
    });
    const pieces = assessment.footprint.pieces;
    const ramp = this.colors.footprint;
    const hazard = name(this.labels.hazards, assessment.hazard);
    const footprint = this.geo(pieces, {
      style: (f) => {
        const i = pieces.features.indexOf(f);
        return { color: ramp[0], weight: 2, fillColor: ramp[Math.min(i, ramp.length - 1)], fillOpacity: 0.45 };
      },
      onEachFeature: (f, l) => l.bindTooltip(tipHtml("灾害范围", [["灾种", hazard], ["分级", classText(this.labels, f.properties.class)]]), { sticky: true }),
    });
    this.addOverlay("footprint", "灾害范围（评估）", footprint);
    const routes = assessment.supply?.routes?.features || [];
    if (routes.length) {
      const layer = this.geo(assessment.supply.routes, {
        style: () => ({ color: this.colors.route, weight: 3.5, opacity: 0.9 }),
        onEachFeature: (f, l) => l.bindTooltip(this._routeTip(f.properties), { sticky: true }),
      });
      this.addOverlay("routes", "物资调运路线", layer);
    } else {
      this.removeOverlay("routes");
    }
    this.overlays.shelters.addTo(this.map);
    this.overlays.shelters.bringToFront?.();
    this.renderLegend();
    const bounds = footprint.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { paddingTopLeft: [30, 30], paddingBottomRight: [190, 30] });
    return footprint;
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
    this.shelterLayers.forEach((layer) => layer.setStyle(this._shelterStyle(layer.feature.properties)));
    this.renderLegend();
  }

  focusShelter(id) {
    const layer = this.shelterLayers.get(id);
    if (!layer) return;
    this.overlays.shelters.addTo(this.map);
    const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    this.map.setView(at, Math.min(Math.max(this.map.getZoom(), 13), 15));
    layer.openTooltip();
  }

  renderLegend() {
    const c = this.colors;
    const sw = (color, cls = "") => `<i class="${cls}" style="${cls === "line" ? "border-top-color" : "background"}:${color}"></i>`;
    const row = (swatch, text) => `<div>${swatch}${escapeHtml(text)}</div>`;
    const parts = [];
    if (this.assessment) {
      const ramp = c.footprint;
      parts.push("<h4>灾害范围（分级）</h4>");
      this.assessment.footprint.pieces.features.forEach((f, i) => {
        parts.push(row(sw(ramp[Math.min(i, ramp.length - 1)]), classText(this.labels, f.properties.class)));
      });
      parts.push("<h4>避难场所（评估状态）</h4>");
      for (const [code, label] of Object.entries(this.labels.shelter_status)) {
        parts.push(row(sw(c.status[code], "dot"), label));
      }
      if (this.assessment.supply) {
        parts.push(row(`<i class="dot" style="background:${c.status.usable};border:3px solid ${c.unreachable}"></i>`, "物资无法送达"));
      }
      if (this.assessment.supply?.routes?.features?.length) parts.push(row(sw(c.route, "line"), "物资调运路线"));
    } else {
      parts.push("<h4>避难场所（类型）</h4>");
      for (const code of this.shelterKinds || []) {
        parts.push(row(sw(c.kinds[code] || "#35978f", "dot"), name(this.labels.shelter_kinds, code)));
      }
    }
    parts.push("<h4>隐患区（风险四色）</h4>");
    for (const [code, label] of Object.entries(this.labels.risks)) parts.push(row(sw(c.risks[code]), label));
    parts.push("<h4>区县常住人口</h4>");
    for (const k of this.populationClasses || []) {
      parts.push(row(sw(k.color), `${(k.from / 10000).toFixed(1)}–${(k.to / 10000).toFixed(1)} 万人`));
    }
    parts.push("<h4>其他</h4>");
    parts.push(row(sw(c.depot, "square"), "物资储备库"));
    parts.push(row(sw(c.road, "line"), "道路"));
    document.getElementById("legend").innerHTML = parts.join("");
  }
}
