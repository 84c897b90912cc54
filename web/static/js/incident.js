// The incident panel: the timeline of an incident's reports, the recommendations graded on
// them and the decisions on the response, with the level in force and the gap between what
// the figures call for and what has been decided. Shows, never computes: every word of
// the gap comes from the service (web/labels.py GAPS), the level names from web-config.

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
    <p>当前响应：<b id="incident-in-force">${escapeHtml(levelName(config, incident.level_in_force))}</b>
       ；灾情建议：<b id="incident-recommended">${escapeHtml(rec && rec.label ? rec.label : "未达到启动条件")}</b></p>
    ${gap}
    ${counties ? `<h3>县（区）响应</h3><ul id="incident-counties">${counties}</ul>` : ""}
    <h3>时间线</h3>
    <ol id="incident-timeline" class="timeline">${timeline}</ol>`;
  box.hidden = false;
}
