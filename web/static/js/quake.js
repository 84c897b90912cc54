// An earthquake estimated from magnitude and epicentre: the numeral (Ⅵ …) of each ring,
// placed by the service (label_at: mid-ring on the long axis), and the epicentre as a star.
// Names and the colour come from /api/v1/web-config (web/labels.py).

import { escapeHtml } from "./text.js";

/** A layer group with the numerals and the epicentre, or null for other assessments. */
export function quakeMarks(assessment, labels, color) {
  const quake = assessment.earthquake;
  if (!quake) return null;
  const group = L.layerGroup();
  const halo = "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;";
  for (const degree of quake.degrees || []) {
    const [lon, lat] = degree.label_at;
    const html = `<div class="rg-quake-degree" style="color:${color};font-weight:bold;font-size:18px;${halo}">${escapeHtml(degree.label)}</div>`;
    L.marker([lat, lon], { icon: L.divIcon({ html, className: "", iconSize: [24, 24], iconAnchor: [12, 12] }) })
      .bindTooltip(`估算烈度 ${escapeHtml(degree.label)} 度`)
      .addTo(group);
  }
  const star = `<div class="rg-quake-epicentre" style="color:${color};font-size:26px;${halo}">★</div>`;
  L.marker([quake.lat, quake.lon], { icon: L.divIcon({ html: star, className: "", iconSize: [26, 26], iconAnchor: [13, 13] }) })
    .bindTooltip(`${escapeHtml(labels.epicentre)} M${escapeHtml(quake.magnitude)}（估算烈度圈中心）`)
    .addTo(group);
  return group;
}

/** The `earthquake` of the request when the form is open and filled, else null; throws on a gap. */
export function quakeRequest(doc = document) {
  if (!doc.getElementById("quake-box")?.open) return null;
  const value = (id) => doc.getElementById(id).value.trim();
  const given = ["quake-magnitude", "quake-lon", "quake-lat"].map(value);
  if (given.every((v) => v === "")) return null;
  const names = ["震级", "震中经度", "震中纬度"];
  const missing = names.filter((_, i) => given[i] === "" || !Number.isFinite(Number(given[i])));
  if (missing.length) throw new Error(`地震参数：请填写${missing.join("、")}。`);
  const [magnitude, lon, lat] = given.map(Number);
  const quake = { magnitude, lon, lat };
  if (value("quake-strike") !== "") quake.strike = Number(value("quake-strike"));
  return quake;
}
