// The incident panel: the timeline of an incident's reports, the recommendations graded on
// them and the decisions on the response, with the level in force and the gap between what
// the figures call for and what has been decided. An incident opened on a forecast shows
// its stage (预警阶段), the shelters to open, the stock to pre-position and the plan's
// warning measures as a checklist; the record stays after the response started. Shows,
// never computes: every word of the gap comes from the service (web/labels.py GAPS), the
// level names from web-config.

import { escapeHtml } from "./layers.js";

const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

function when(iso) {
  return TIME.format(new Date(iso));
}

function levelName(config, level) {
  return level ? config.labels.levels[String(level)] : "未启动";
}

// One row per report (with the recommendation its verdict gave) and per decision,
// in time order; ties keep reports before the decision taken on them.
function events(incident, config) {
  const verdicts = new Map(incident.verdicts.map((v) => [v.report_id, v]));
  const names = {
    ...((config.labels && config.labels.aid_figures) || {}),
    ...Object.fromEntries((config.indicators || []).map((f) => [f.id, f.label])),
  };
  const rows = incident.reports.map((report) => {
    const verdict = verdicts.get(report.id);
    const rec = verdict && verdict.recommendation;
    const perCounty = Object.entries(report.by_county || {}).map(
      ([code, values]) =>
        `${code}：${Object.entries(values).map(([n, v]) => `${names[n] || n} ${v}`).join("，")}`,
    );
    const figures = [
      ...Object.entries(report.figures).map(([name, value]) => `${names[name] || name} ${value}`),
      ...perCounty,
    ].join("，");
    const advice = rec
      ? `建议：${rec.label || "未达到启动条件"}${rec.gap_text ? `（${rec.gap_text}）` : ""}`
      : "";
    const flag = verdict && verdict.flag ? `<span class="flag">${escapeHtml(verdict.flag)}</span>` : "";
    return {
      time: report.time,
      order: 0,
      kind: "report",
      html: `<b>${escapeHtml(report.label)}</b> ${escapeHtml(figures)} ${flag}<div class="advice">${escapeHtml(advice)}</div>`,
    };
  });
  for (const s of incident.stages || []) {
    rows.push({
      time: s.time,
      order: 0,
      kind: "stage",
      html: `<b>${s.stage === "warning" ? "预警：预报影响范围" : "灾害发生：实际影响范围"}</b>（${escapeHtml(s.label)}）`,
    });
  }
  const checklist = incident.warning && incident.warning.checklist;
  for (const item of checklist ? checklist.items : []) {
    for (const r of item.records) {
      rows.push({
        time: r.time,
        order: 1,
        kind: "measure",
        html: `<b>预警措施完成</b> ${escapeHtml(r.done_by)}<div class="clause">${escapeHtml(r.clause)} ${escapeHtml(item.text)}</div>`,
      });
    }
  }
  for (const d of incident.decisions) {
    const level = d.level ? config.labels.levels[String(d.level)] : "";
    rows.push({
      time: d.time,
      order: 1,
      kind: "decision",
      html: `<b>决定${escapeHtml(d.action_label)}${escapeHtml(level)}响应</b> ${escapeHtml(d.decided_by)}<div class="clause">${escapeHtml(d.clause)}</div>`,
    });
  }
  return rows.sort((a, b) => a.time.localeCompare(b.time) || a.order - b.order);
}

function shelterRows(shelters) {
  return shelters.items
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.name)}</td><td>${s.capacity}</td><td>${s.persons}</td></tr>`,
    )
    .join("");
}

function stockRows(stock) {
  const names = stock.names || {};
  return stock.items
    .map((r) => {
      const items = Object.entries(r.items)
        .map(([item, q]) => `${names[item] || item} ${q}`)
        .join("、");
      return `<tr><td>${escapeHtml(r.depot_name)}</td><td>${escapeHtml(r.shelter_name)}</td><td>${escapeHtml(items)}</td></tr>`;
    })
    .join("");
}

function checklistItems(checklist) {
  return checklist.items
    .map((i) => {
      const done = i.records.length ? i.records[i.records.length - 1] : null;
      const by = done ? `（${escapeHtml(done.done_by)} ${when(done.time)} 完成）` : "";
      return `<li class="${i.done ? "done" : "todo"}" data-measure="${escapeHtml(i.id)}">${i.done ? "☑" : "☐"} <span class="clause">${escapeHtml(i.clause)}</span> ${escapeHtml(i.text)}<div class="units">责任单位：${escapeHtml(i.units.join("；"))}${by}</div></li>`;
    })
    .join("");
}

// The warning record: what the forecast exposes (估算) and what to do ahead of it.
function warningSection(warning) {
  if (!warning) return "";
  const exposure = warning.exposure;
  const shelters = warning.shelters;
  const stock = warning.stock;
  const checklist = warning.checklist;
  return `
    <h3>预警研判（${escapeHtml(exposure.label)}）</h3>
    <p id="warning-exposure">预计受灾 ${exposure.affected} 人，需转移安置 ${exposure.displaced} 人（${escapeHtml(exposure.label)}）</p>
    <h4>需开放的避难场所</h4>
    <table id="warning-shelters"><thead><tr><th>避难场所</th><th>容量（人）</th><th>安置（人，${escapeHtml(shelters.label)}）</th></tr></thead>
      <tbody>${shelterRows(shelters)}</tbody></table>
    <p>可安置 ${shelters.placed} 人，无处安置 ${shelters.unplaced} 人</p>
    ${
      stock
        ? `<h4>预置物资（${stock.days} 天，${escapeHtml(stock.label)}）</h4>
    <table id="warning-stock"><thead><tr><th>储备库</th><th>避难场所</th><th>物资</th></tr></thead>
      <tbody>${stockRows(stock)}</tbody></table>`
        : ""
    }
    ${
      checklist
        ? `<h4>${escapeHtml(checklist.title)}措施（${escapeHtml(checklist.clause)}，${escapeHtml(checklist.lead)}）</h4>
    <ul id="warning-checklist" class="checklist">${checklistItems(checklist)}</ul>`
        : ""
    }`;
}

export function renderIncident(box, incident, config) {
  const rec = incident.recommendation;
  const gap = rec && rec.gap_text ? `<p id="incident-gap" class="gap">${escapeHtml(rec.gap_text)}</p>` : "";
  const counties = incident.county_responses
    .map((c) => `<li>${escapeHtml(c.county)} ${escapeHtml(c.label)}（${when(c.time)}）</li>`)
    .join("");
  const timeline = events(incident, config)
    .map((e) => `<li class="${e.kind}"><time>${when(e.time)}</time> ${e.html}</li>`)
    .join("");
  box.innerHTML = `
    <h2>灾情与响应：${escapeHtml(incident.title || incident.id)}</h2>
    <p>阶段：<b id="incident-stage" class="stage-${escapeHtml(incident.stage)}">${escapeHtml(incident.stage_label)}</b></p>
    <p>当前响应：<b id="incident-in-force">${escapeHtml(levelName(config, incident.level_in_force))}</b>
       ；灾情建议：<b id="incident-recommended">${escapeHtml(rec && rec.label ? rec.label : "未达到启动条件")}</b></p>
    ${gap}
    ${warningSection(incident.warning)}
    ${counties ? `<h3>县（区）响应</h3><ul id="incident-counties">${counties}</ul>` : ""}
    <h3>时间线</h3>
    <ol id="incident-timeline" class="timeline">${timeline}</ol>`;
  box.hidden = false;
}

// The incident list: each incident's stage, the level in force by decision and, apart,
// what the latest figures recommend (with the gap when they differ).
export function renderIncidentList(box, list, config) {
  box.querySelector("ul").innerHTML = list
    .map((i) => {
      const advice = i.recommended_label ? `建议：${escapeHtml(i.recommended_label)}` : "";
      const gap = i.gap_text ? `<span class="flag">${escapeHtml(i.gap_text)}</span>` : "";
      return `<li><a href="#incident=${escapeHtml(i.id)}" data-incident="${escapeHtml(i.id)}">${escapeHtml(i.title || i.id)}</a>
        <span class="stage-${escapeHtml(i.stage)}">${escapeHtml(i.stage_label)}</span>
        当前响应：<b class="in-force">${escapeHtml(levelName(config, i.level_in_force))}</b>
        <span class="advice">${advice}</span> ${gap}</li>`;
    })
    .join("");
  box.hidden = list.length === 0;
}
