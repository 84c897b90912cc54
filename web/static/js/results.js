// The results panel: response-level banner with the plan's clauses, totals, the county
// and shelter tables, supply (routes, unreachable shelters, shortfalls) and the links to
// the printed map, the incident map, the GeoPackage and the JSON. Shows, never computes.

import { assessmentUrls } from "./api.js";
import { escapeHtml as esc, fmt, itemText, name, reasonText, zoneText } from "./layers.js";
import { filterRows, makeSortable, percent, pointGap } from "./tables.js";

const STATUS_ORDER = { in_footprint: 0, hazard_conflict: 1, usable: 2 };

function banner(response, labels, config) {
  // Colours and the text that reads on them come from the label table (web/labels.py).
  const colors = labels.colors;
  const reached = response.level !== null && response.level !== undefined;
  const color = reached ? response.color : colors.no_level;
  const ink = reached ? colors.level_text[response.level] || colors.no_level_text : colors.no_level_text;
  const text = reached ? `${response.label}响应` : labels.no_level;
  const kinds = Object.fromEntries((config.indicators || []).map((f) => [f.id, f.kind]));
  const criteria = response.criteria.map((c) => {
    const share = kinds[c.indicator] === "share";
    const value = share ? percent(c.value) : fmt(c.value);
    const src = c.source === "reported" ? "报告值" : "估算值";
    const level = c.level
      ? `<span class="reached">→ ${esc(c.label)}</span>（${esc(c.clause)}：${esc(c.condition)}）`
      : `→ 未达到启动条件${c.note ? `（${esc(c.note)}）` : ""}`;
    const gap = c.next ? (share ? pointGap(c.next.gap, c.value) : fmt(c.next.gap)) : "";
    const next = c.next ? `；距${esc(c.next.label)}还差 ${esc(gap)}（${esc(c.next.clause)}）` : "";
    return `<li data-indicator="${esc(c.indicator)}">${esc(c.name)} <b>${esc(value)}</b> <span class="src">（${src}）</span> ${level}${next}</li>`;
  });
  const decision = response.decision
    ? `<details><summary>启动程序与响应措施（${esc(response.decision.procedure_clause)}、${esc(response.decision.measures_clause)}）</summary>
        <p class="hint">${esc(response.decision.decided_by)}。${esc(response.decision.lead)}。</p>
        <ol class="notes">${response.decision.measures.map((m) => `<li>${esc(m.clause)} ${esc(m.text)}（${esc(m.units.join("、"))}）</li>`).join("")}</ol>
      </details>`
    : "";
  return `
    <div class="banner" id="level-banner" data-level="${reached ? response.level : ""}"
         style="background:${esc(color)};color:${esc(ink)}">
      <div class="level" id="level-text">${esc(text)}</div>
      <div class="plan">${esc(response.plan_name)}（${esc(response.plan)}）</div>
    </div>
    <ul class="criteria" id="criteria">${criteria.join("")}</ul>
    ${decision}`;
}

function totals(a) {
  const p = a.population;
  const placement = a.placement;
  return `
    <div class="totals">
      <div><b id="affected">${fmt(p.affected)}</b><span>受灾人口（估算）</span></div>
      <div><b id="displaced">${fmt(p.displaced)}</b><span>需转移安置（估算）</span></div>
      <div><b>${fmt(placement.placed)}</b><span>已安排避难场所</span></div>
      <div><b class="${placement.unplaced > 0 ? "shortfall" : ""}">${fmt(placement.unplaced)}</b><span>无处安置</span></div>
    </div>
    <p class="caution">${esc(p.notice)}</p>`;
}

function countyTable(a) {
  const rows = a.population.by_county;
  const body = rows.map((r) => `
    <tr class="${r.unplaced > 0 ? "bad" : ""}"><td>${esc(r.name)}</td><td class="num">${fmt(r.affected)}</td>
      <td class="num">${fmt(r.displaced)}</td><td class="num">${fmt(r.unplaced)}</td></tr>`).join("");
  return `
    <h3>各区县受灾与转移安置人数</h3>
    <table class="data" id="county-table">
      <thead><tr><th>区县</th><th class="num">受灾人口</th><th class="num">需转移安置</th><th class="num">无处安置</th></tr></thead>
      <tbody>${body || '<tr><td colspan="4">灾害范围内无人口。</td></tr>'}</tbody>
      <tfoot><tr><td>合计</td><td class="num">${fmt(a.population.affected)}</td><td class="num">${fmt(a.population.displaced)}</td>
        <td class="num">${fmt(a.placement.unplaced)}</td></tr></tfoot>
    </table>`;
}

function shelterTable(a, labels, config) {
  const unreachable = new Set(a.supply?.unreachable || []);
  const colors = labels.colors.status;
  const shelters = [...a.shelters].sort((x, y) =>
    (STATUS_ORDER[x.status] - STATUS_ORDER[y.status]) || (unreachable.has(y.id) - unreachable.has(x.id)) || (y.assigned - x.assigned));
  const body = shelters.map((s) => {
    const cut = unreachable.has(s.id);
    const cls = s.status !== "usable" ? "warn" : cut ? "bad" : "";
    const conflicts = s.conflicts.map((c) =>
      `${esc(zoneText(labels, c.zone_id))} ${esc(name(labels.zone_kinds, c.kind))}（${esc(name(labels.risks, c.risk))}，${fmt(c.distance_m)} 米）`).join("；");
    const tag = `<span class="tag" style="background:${colors[s.status] || labels.colors.other}">${esc(name(labels.shelter_status, s.status))}</span>`;
    const supply = cut ? '<div class="shortfall">物资无法送达</div>' : "";
    const groups = [s.status === "usable" ? "usable" : "refused", s.assigned > 0 ? "used" : ""].join(" ");
    return `
      <tr class="clickable ${cls}" data-shelter="${esc(s.id)}" data-groups="${groups}">
        <td data-sort="${esc(s.name)}">${esc(s.name)}<div class="conflict">${esc(name(labels.shelter_kinds, s.kind))}</div></td>
        <td data-sort="${STATUS_ORDER[s.status] ?? 9}">${tag}${conflicts ? `<div class="conflict">${conflicts}</div>` : ""}${supply}</td>
        <td class="num" data-sort="${s.assigned}">${fmt(s.assigned)}</td>
        <td class="num" data-sort="${s.capacity}">${fmt(s.capacity)}</td>
      </tr>`;
  }).join("");
  const count = (g) => shelters.filter((s) => (g === "usable" ? s.status === "usable" : g === "refused" ? s.status !== "usable" : s.assigned > 0)).length;
  const filters = [["all", "全部", shelters.length], ["used", "已安置", count("used")], ["usable", "可用", count("usable")], ["refused", "不可用", count("refused")]]
    .map(([key, text, n], i) => `<button type="button" data-filter="${key}" class="${i === 0 ? "active" : ""}">${text}（${n}）</button>`).join("");
  return `
    <h3>避难场所（${a.shelters.length} 处；点击一行在地图上定位，点击表头排序）</h3>
    <div class="row filters" id="shelter-filter" role="group" aria-label="筛选避难场所">${filters}</div>
    <table class="data sortable" id="shelter-table">
      <thead><tr><th data-type="text">名称</th><th data-type="number">状态 / 冲突</th><th class="num" data-type="number">安置（人）</th><th class="num" data-type="number">容量（人）</th></tr></thead>
      <tbody>${body}</tbody>
    </table>`;
}

function supplySection(a, labels, config) {
  const s = a.supply;
  if (!s) {
    return `<h3>物资调运</h3><p class="hint" id="supply-none">本次评估未计算物资调运（需道路网络分析）。</p>`;
  }
  const routes = s.routes?.features || [];
  const shortfall = Object.entries(s.shortfall || {}).filter(([, v]) => v > 0);
  const shortRows = shortfall.map(([k, v]) =>
    `<tr class="bad"><td>${esc(name(config.items, k))}</td><td class="num shortfall">${fmt(v)}</td></tr>`).join("");
  const details = s.unreachable_detail || (s.unreachable || []).map((id) => ({ shelter_id: id, reason: "" }));
  const shelterName = (id) => a.shelters.find((x) => x.id === id)?.name || id;
  const cutRows = details.map((d) =>
    `<tr class="bad"><td>${esc(shelterName(d.shelter_id))}（${esc(d.shelter_id)}）</td><td>${esc(reasonText(labels, d.reason) || "道路中断")}</td></tr>`).join("");
  const sentTotal = (d) => Object.values(d.sent || {}).reduce((x, y) => x + y, 0);
  const depots = [...(s.depots || [])].sort((x, y) => sentTotal(y) - sentTotal(x));
  const depotRows = depots.map((d) => {
    const sent = Object.entries(d.sent || {}).filter(([, v]) => v > 0)
      .map(([k, v]) => esc(itemText(config, k, v))).join("、");
    const status = d.status === "sending" && !sent ? "未调出" : name(labels.depot_status, d.status);
    const why = d.reason ? `<div class="conflict">${esc(reasonText(labels, d.reason))}</div>` : "";
    const cls = d.status !== "sending" ? "warn" : "";
    return `<tr class="${cls}"><td>${esc(d.name || d.id)}</td><td class="nowrap">${esc(status)}${why}</td><td>${sent || "—"}</td></tr>`;
  }).join("");
  const depotName = (id) => s.depots?.find((d) => d.id === id)?.name || id;
  const routeRows = routes.map((f) => {
    const p = f.properties;
    const km = p.distance_m / 1000;
    const min = p.duration_s / 60;
    const items = Object.entries(p.items || {}).filter(([, v]) => v > 0).map(([k, v]) => esc(itemText(config, k, v))).join("、");
    return `<tr><td data-sort="${esc(depotName(p.depot_id))}">${esc(depotName(p.depot_id))}</td>
      <td data-sort="${esc(shelterName(p.shelter_id))}">${esc(shelterName(p.shelter_id))}</td>
      <td class="num" data-sort="${p.distance_m}">${km.toFixed(1)}</td>
      <td class="num" data-sort="${p.duration_s}">${Math.round(min)}</td><td>${items || "—"}</td></tr>`;
  }).join("");
  const routeTable = routeRows ? `<h3>调运路线（点击表头排序）</h3><table class="data sortable" id="route-table">
      <thead><tr><th data-type="text">储备库</th><th data-type="text">避难场所</th><th class="num" data-type="number">路程（公里）</th>
        <th class="num" data-type="number">用时（分钟）</th><th>物资</th></tr></thead><tbody>${routeRows}</tbody></table>` : "";
  const facts = [`调运路线 ${routes.length} 条`, `物资无法送达的避难场所 ${(s.unreachable || []).length} 处`];
  if (s.closed_roads !== undefined) facts.push(`因灾中断道路 ${fmt(s.closed_roads)} 段`);
  if (s.days !== undefined) facts.push(`按 ${fmt(s.days)} 天需求计`);
  return `
    <h3>物资调运</h3>
    <p class="hint" id="supply-facts">${esc(facts.join("；"))}。</p>
    ${shortRows ? `<table class="data" id="shortfall-table"><thead><tr><th>物资缺口</th><th class="num">数量</th></tr></thead><tbody>${shortRows}</tbody></table>`
      : '<p class="hint">各类物资均可满足需求。</p>'}
    ${cutRows ? `<h3>物资无法送达的避难场所</h3><table class="data" id="unreachable-table"><thead><tr><th>避难场所</th><th>原因</th></tr></thead><tbody>${cutRows}</tbody></table>` : ""}
    ${routeTable}
    ${depotRows ? `<h3>储备库调出</h3><table class="data" id="depot-table"><thead><tr><th>储备库</th><th>状态</th><th>调出物资</th></tr></thead><tbody>${depotRows}</tbody></table>` : ""}`;
}

function links(a, labels) {
  const u = assessmentUrls(a.id);
  const exports = Object.entries(labels.export_links || {}).filter(([suffix]) => suffix !== "gpkg")
    .map(([suffix, text]) => `<a id="link-${suffix.replace(".", "-")}" href="${u.export(suffix)}" download>导出 ${esc(text)}</a>`).join("");
  return `
    <h3>成果</h3>
    <div class="links" id="links">
      <a id="link-pdf" href="${u.pdfA3}" target="_blank" rel="noopener">打印态势图（PDF，A3）</a>
      <a id="link-pdf-a4" href="${u.pdfA4}" target="_blank" rel="noopener">打印态势图（PDF，A4）</a>
      <a id="link-html" href="${u.html}" target="_blank" rel="noopener">交互式灾情图（HTML，可离线打开）</a>
      <a id="link-gpkg" href="${u.gpkg}" download>导出 ${esc(labels.export_links?.gpkg || "GeoPackage")}</a>
      ${exports}
      <a id="link-json" href="${u.json}" target="_blank" rel="noopener">评估结果（JSON）</a>
    </div>`;
}

/** Fill the results section with ``a`` (the assessment JSON). */
export function renderResults(element, a, config, { onShelter }) {
  const labels = config.labels;
  const hazard = name(labels.hazards, a.hazard);
  const when = `${new Date(a.created).toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" })}（北京时间）`;
  const reached = a.response.level !== null && a.response.level !== undefined;
  const chip = reached ? `${a.response.label}响应` : labels.no_level;
  const chipColor = reached ? a.response.color : labels.colors.no_level;
  const chipInk = reached ? labels.colors.level_text[a.response.level] || labels.colors.no_level_text : labels.colors.no_level_text;
  element.innerHTML = `
    <div class="result-head" id="result-head">
      <h2 id="result-title">评估结果：${esc(a.title || `${hazard}灾害`)}</h2>
      <span class="chip" style="background:${esc(chipColor)};color:${esc(chipInk)}">${esc(chip)}</span>
    </div>
    <p class="hint">评估编号 ${esc(a.id)} · ${esc(when)}</p>
    ${banner(a.response, labels, config)}
    ${totals(a)}
    ${countyTable(a)}
    ${shelterTable(a, labels, config)}
    ${supplySection(a, labels, config)}
    ${links(a, labels)}
    <h3>说明</h3>
    <ul class="notes">${a.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`;
  element.hidden = false;
  element.querySelectorAll("table.sortable").forEach(makeSortable);
  const filter = element.querySelector("#shelter-filter");
  filter?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-filter]");
    if (!button) return;
    filter.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b === button));
    filterRows(element.querySelector("#shelter-table"), button.dataset.filter);
  });
  element.querySelectorAll("tr[data-shelter]").forEach((tr) => {
    tr.addEventListener("click", () => onShelter(tr.dataset.shelter));
  });
}
