// The browser app: the analyst gives a footprint (drawn or uploaded), a hazard, a plan
// and any reported figures; the service assesses; the page shows what came back.

import { quakeRequest } from "./quake.js";
import { ApiError, fetchFile, getJson, hasApiKey, isApiUrl, postFile, postJson, setApiKey } from "./api.js";
import { PolygonDrawer } from "./draw.js";
import { makeDatum } from "./gcj02.js";
import { MapView, classText, escapeHtml } from "./layers.js";
import { renderIncident, renderIncidentList } from "./incident.js";
import { renderResults } from "./results.js";

const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  view: null,
  drawer: null,
  footprint: null, // { source: "drawn" | "file", geojson, label }
  preview: null, // the footprint as drawn on the map before assessment
  busy: false,
  checking: null, // the file check under way, if any
};

function askForKey(err) {
  $("auth").hidden = false;
  $("auth-message").textContent = hasApiKey() ? err.message : "";
  $("api-key").focus();
}

function isAuthError(err) {
  return err instanceof ApiError && err.status === 401;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function setBusy(busy, text = "正在评估受灾人口、避难场所与响应级别……") {
  state.busy = busy;
  $("progress").hidden = !busy;
  $("progress-text").textContent = text;
  $("run").disabled = busy;
  document.body.setAttribute("aria-busy", busy ? "true" : "false");
}

/** Take the shown result away: it no longer answers what the form holds. */
function clearResult() {
  const results = $("results");
  if (results.hidden && !state.view?.assessment) return;
  results.hidden = true;
  results.innerHTML = "";
  state.view?.clearAssessment();
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
}

function setFootprint(footprint) {
  if (footprint !== state.footprint) clearResult();
  state.footprint = footprint;
  const status = $("footprint-status");
  status.textContent = footprint ? `当前灾害范围：${footprint.label}` : "尚未指定灾害范围。";
  status.classList.toggle("ok", Boolean(footprint));
}

function showPreview(geojson) {
  if (state.preview) state.view.map.removeLayer(state.preview);
  state.preview = null;
  if (!geojson) return;
  state.preview = state.view.geo(geojson, {
    style: { ...state.view.styles.footprint, dashArray: "5 4", fillColor: state.view.colors.footprint[1], fillOpacity: 0.2 },
    interactive: false,
  }).addTo(state.view.map);
  const bounds = state.preview.getBounds();
  if (bounds.isValid()) state.view.map.fitBounds(bounds, { padding: [40, 40] });
}

// ---- form -------------------------------------------------------------------------

function fillHazards() {
  const select = $("hazard");
  select.innerHTML = state.config.hazards
    .map((h) => `<option value="${escapeHtml(h.id)}">${escapeHtml(h.label)}</option>`)
    .join("");
  select.value = "flood";
  select.addEventListener("change", () => {
    fillClasses();
    clearResult();
    if (state.footprint?.source === "file") checkFile(state.footprint.file, state.footprint.geojson);
  });
  fillClasses();
}

function fillClasses() {
  const hazard = state.config.hazards.find((h) => h.id === $("hazard").value);
  const select = $("footprint-class");
  const pct = (r) => `${Math.round(r * 1000) / 10}%`;
  const labels = state.config.labels;
  select.innerHTML = [`<option value="">不指定（按默认分级：${escapeHtml(classText(labels, hazard.default_class))}）</option>`]
    .concat(hazard.classes.map((c) =>
      `<option value="${escapeHtml(c.name)}">${escapeHtml(classText(labels, c.name))}（转移比例 ${pct(c.rate)}）</option>`))
    .join("");
}

async function fillPlans() {
  const plans = await getJson("plans");
  const select = $("plan");
  // A pack no plan profile covers has no default plan: the user picks one.
  const none = state.config.default_plan ? [] : ['<option value="">请选择预案</option>'];
  select.innerHTML = none.concat(plans
    .map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)}（${escapeHtml(p.issued)}）</option>`))
    .join("");
  select.value = state.config.default_plan ?? "";
  select.addEventListener("change", clearResult);
}

function fillFigures() {
  const box = $("figures");
  box.innerHTML = state.config.indicators.map((f) => `
    <label for="fig-${f.id}">${escapeHtml(f.label)}${f.kind === "share" ? "（%）" : ""}</label>
    <input id="fig-${f.id}" data-figure="${f.id}" data-kind="${f.kind}" type="number" min="0"
           ${f.kind === "share" ? 'max="100" step="any"' : 'step="1"'} inputmode="decimal">`).join("");
}

function readFigures() {
  const figures = {};
  for (const input of document.querySelectorAll("[data-figure]")) {
    if (input.value.trim() === "") continue;
    const value = Number(input.value);
    const label = input.previousElementSibling.textContent;
    if (!Number.isFinite(value) || value < 0) throw new ApiError(`报告数据“${label}”须为不小于 0 的数字。`);
    if (input.dataset.kind === "share") {
      if (value > 100) throw new ApiError(`报告数据“${label}”须在 0% 至 100% 之间。`);
      figures[input.dataset.figure] = value / 100; // the API takes shares as 0–1
    } else {
      if (!Number.isInteger(value)) throw new ApiError(`报告数据“${label}”须为整数。`);
      figures[input.dataset.figure] = value;
    }
  }
  return figures;
}

// ---- footprint: drawing and upload ------------------------------------------------

function drawnGeoJson(latlngs) {
  const ring = latlngs.map((ll) => state.view.datum.fromDisplay(ll).map((v) => Math.round(v * 1e6) / 1e6));
  ring.push(ring[0]);
  const cls = $("footprint-class").value;
  return {
    type: "Feature",
    properties: cls ? { class: cls } : {},
    geometry: { type: "Polygon", coordinates: [ring] },
  };
}

function setupDrawing() {
  const drawer = new PolygonDrawer(state.view.map, {
    colors: state.config.labels.colors.footprint,
    onChange: (latlngs) => {
      if (!latlngs) {
        if (state.footprint?.source === "drawn") setFootprint(null);
        return;
      }
      showPreview(null);
      $("footprint-file").value = "";
      $("file-name").textContent = "未选择文件";
      setFootprint({ source: "drawn", latlngs, label: `绘制的多边形（${latlngs.length} 个顶点）` });
    },
    onState: (s) => {
      $("draw-start").classList.toggle("active", s.active);
      $("draw-finish").disabled = !s.active || s.vertices < 3;
      $("draw-undo").disabled = !(s.active ? s.vertices > 0 : s.finished);
      $("draw-clear").disabled = !(s.active || s.finished);
      $("draw-hint").hidden = !s.active;
      if (s.active) $("footprint-status").textContent = s.message || `正在绘制：已添加 ${s.vertices} 个顶点。`;
    },
  });
  $("draw-start").addEventListener("click", () => {
    showError("");
    showPreview(null);
    state.checking = null;
    clearResult();
    drawer.start();
  });
  $("draw-finish").addEventListener("click", () => drawer.finish());
  $("draw-undo").addEventListener("click", () => drawer.undo());
  $("draw-clear").addEventListener("click", () => {
    drawer.clear();
    setFootprint(null);
  });
  state.drawer = drawer;
}

function classSummary(check) {
  const labels = state.config.labels;
  return Object.entries(check.classes).map(([c, n]) => `${classText(labels, c)} ${n}`).join("、");
}

// A file is announced only once the service has read it as an assessment would; a later
// choice (another file, a drawing) wins over a check still under way.
async function checkFile(fileName, geojson, note = "") {
  const token = Symbol(fileName);
  state.checking = token;
  setFootprint(null);
  $("footprint-status").textContent = `正在检查文件“${fileName}”……`;
  let check;
  try {
    check = await postJson("footprint-check", { footprint: geojson, hazard: $("hazard").value, plan: $("plan").value || null });
  } catch (err) {
    if (state.checking !== token) return;
    state.checking = null;
    if (isAuthError(err)) askForKey(err);
    setFootprint(null);
    showError(`文件“${fileName}”未能通过检查：${err instanceof ApiError ? err.message : "页面出现意外错误。"}`);
    return;
  }
  if (state.checking !== token) return;
  state.checking = null;
  state.drawer.clear({ silent: true });
  setFootprint({ source: "file", file: fileName, geojson, label: `文件 ${fileName}（${check.features} 个要素；${classSummary(check)}${note ? `；${note}` : ""}）` });
  try {
    showPreview(geojson);
  } catch {
    showPreview(null);
  }
}

// Files the browser reads itself (GeoJSON) and files the server reads (POST /footprints).
const SERVER_READ = /\.(zip|kml|kmz|gpkg|tif|tiff)$/i;

async function readOnServer(file, layer) {
  const { status, body } = await postFile("footprints", file, { layer });
  if (status === 201) {
    return { source: "raster", raster: body.hazard_raster,
             label: `栅格 ${file.name}（${body.width}×${body.height} 个像元，按分级界限分类）` };
  }
  return { source: "file", geojson: body, note: "已转换为经纬度" }; // announced once checked
}

async function uploadToServer(file) {
  let layer = "";
  for (;;) {
    try {
      return await readOnServer(file, layer);
    } catch (err) {
      if (err instanceof ApiError && err.problem?.field === "layer" && !layer) {
        layer = (window.prompt(`${err.problem.detail}\n请输入要读取的图层名：`) || "").trim();
        if (layer) continue;
      }
      throw err;
    }
  }
}

async function readInBrowser(file) {
  let geojson;
  try {
    geojson = JSON.parse(await file.text());
  } catch {
    throw new ApiError(`文件“${file.name}”不是有效的 GeoJSON（无法按 JSON 读取），请检查文件内容。`);
  }
  if (!geojson || typeof geojson !== "object" || !geojson.type) {
    throw new ApiError(`文件“${file.name}”不是 GeoJSON：缺少 type 字段。`);
  }
  return { source: "file", geojson }; // announced once checked (checkFile)
}

function setupUpload() {
  $("footprint-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    $("file-name").textContent = file ? file.name : "未选择文件";
    if (!file) return;
    showError("");
    state.checking = null;
    setFootprint(null);
    showPreview(null);
    let footprint;
    try {
      footprint = SERVER_READ.test(file.name) ? await uploadToServer(file) : await readInBrowser(file);
    } catch (err) {
      if (isAuthError(err)) askForKey(err);
      showError(err instanceof ApiError ? err.message : `文件“${file.name}”无法读取。`);
      return;
    }
    if (footprint.source === "raster") {
      // A depth or intensity raster: the service classes its cells when assessing it.
      state.drawer.clear({ silent: true });
      setFootprint(footprint);
      return;
    }
    await checkFile(file.name, footprint.geojson, footprint.note);
  });
}

// ---- running an assessment --------------------------------------------------------

function showAssessment(assessment) {
  showPreview(null);
  state.drawer.clear({ silent: true });
  state.view.showAssessment(assessment);
  renderResults($("results"), assessment, state.config, {
    onShelter: (id) => state.view.focusShelter(id),
  });
  history.replaceState(null, "", `#a=${encodeURIComponent(assessment.id)}`);
  $("results").scrollIntoView({ behavior: "smooth", block: "start" });
}

async function run() {
  if (state.busy) return;
  showError("");
  clearResult(); // a verdict on screen is always the answer to the last run, never an older one
  if (state.checking) {
    showError("文件仍在检查中，请稍候。");
    return;
  }
  if (state.drawer.active) state.drawer.finish();
  let earthquake;
  try {
    earthquake = quakeRequest();
  } catch (err) {
    showError(err.message);
    return;
  }
  if (state.checking && !earthquake) {
    showError("文件正在检查，请稍候再开始评估。");
    return;
  }
  if (!state.footprint && !earthquake) {
    showError("请先在地图上绘制灾害范围，或上传灾害范围文件。");
    return;
  }
  let figures;
  try {
    figures = readFigures();
  } catch (err) {
    showError(err.message);
    return;
  }
  const body = { plan: $("plan").value || null, figures };
  if (earthquake) body.earthquake = earthquake;
  else {
    body.hazard = $("hazard").value;
    if (state.footprint.source === "raster") body.hazard_raster = state.footprint.raster;
    else body.footprint = state.footprint.source === "drawn" ? drawnGeoJson(state.footprint.latlngs) : state.footprint.geojson;
  }
  const title = $("title").value.trim();
  if (title) body.title = title;
  setBusy(true);
  try {
    showAssessment(await postJson("assessments", body));
  } catch (err) {
    if (isAuthError(err)) askForKey(err);
    showError(err instanceof ApiError ? err.message : "评估未能完成：页面出现意外错误，请刷新后重试。");
  } finally {
    setBusy(false);
  }
}

// With an API key, links into the API (results, and 预案 and 图层 in the header) are
// fetched with it and handed over as files: a plain link cannot carry the Authorization
// header. Other links (the API documentation) open as they are.
async function openResult(event) {
  const link = event.target.closest("a[href]");
  if (!link || !hasApiKey() || !isApiUrl(link.getAttribute("href"))) return;
  event.preventDefault();
  showError("");
  try {
    const { blob, filename } = await fetchFile(link.getAttribute("href"));
    const url = URL.createObjectURL(blob);
    if (link.hasAttribute("download")) {
      const a = document.createElement("a");
      a.href = url;
      a.download = filename || "reliefgis";
      document.body.append(a);
      a.click();
      a.remove();
    } else {
      window.open(url, "_blank", "noopener");
    }
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    if (isAuthError(err)) askForKey(err);
    showError(err instanceof ApiError ? err.message : "无法打开该文件。");
  }
}

async function openIncident(id) {
  setBusy(true, "正在读取灾情与响应……");
  try {
    renderIncident($("incident"), await getJson(`incidents/${id}`), state.config);
  } catch (err) {
    showError(err instanceof ApiError ? err.message : "无法读取该灾情。");
  } finally {
    setBusy(false);
  }
}

async function listIncidents() {
  try {
    renderIncidentList($("incidents-box"), await getJson("incidents?limit=20"), state.config);
  } catch {
    $("incidents-box").hidden = true; // the list is a convenience: the map works without it
  }
}

async function reopen() {
  const incident = location.hash.match(/^#incident=([0-9A-Za-z_-]+)$/);
  if (incident) return openIncident(incident[1]);
  const match = location.hash.match(/^#a=([0-9A-Za-z_-]+)$/);
  if (!match) return;
  setBusy(true, "正在读取评估结果……");
  try {
    showAssessment(await getJson(`assessments/${match[1]}`));
  } catch (err) {
    showError(err instanceof ApiError ? err.message : "无法读取该评估。");
  } finally {
    setBusy(false);
  }
}

async function start() {
  setBusy(true, "正在读取图层……");
  try {
    state.config = await getJson("web-config");
    const { config } = state;
    $("jurisdiction").textContent = config.jurisdiction;
    if (config.notice) {
      $("notice").textContent = config.notice;
      $("notice").hidden = false;
    }
    state.view = state.view || new MapView($("map"), config, makeDatum(config.tiles.datum));
    window.reliefgis = state; // for the browser tests and for curious analysts
    state.view.fitPack();
    fillHazards();
    fillFigures();
    setupDrawing();
    setupUpload();
    await Promise.all([fillPlans(), state.view.loadPackLayers()]);
    $("run").addEventListener("click", run);
    $("results").addEventListener("click", openResult);
    document.querySelector("header nav").addEventListener("click", openResult);
    $("incident-list").addEventListener("click", (event) => {
      const link = event.target.closest("a[data-incident]");
      if (link) openIncident(link.dataset.incident);
    });
    await listIncidents();
    document.body.dataset.ready = "true";
  } catch (err) {
    if (isAuthError(err)) askForKey(err);
    showError(err instanceof ApiError ? err.message : "页面初始化失败，请刷新后重试。");
    return;
  } finally {
    setBusy(false);
  }
  await reopen();
}

$("auth").addEventListener("submit", (event) => {
  event.preventDefault();
  setApiKey($("api-key").value);
  $("api-key").value = "";
  $("auth").hidden = true;
  showError("");
  if (document.body.dataset.ready !== "true") start();
});

start();
