// Calls to the reliefgis API. Every failure becomes an ApiError whose message is a
// Chinese sentence built from the problem+json answer (RFC 9457); no stack trace and
// no raw response body ever reaches the page.

const BASE = "api/v1/";
const KEY_STORAGE = "reliefgis.apiKey";

// When the service has API keys (RELIEF_API_KEYS) every call carries the analyst's key.
// It is kept for this browser tab only (sessionStorage), never in the page or a URL.
let apiKey = sessionStorage.getItem(KEY_STORAGE) || "";

export function setApiKey(key) {
  apiKey = key.trim();
  if (apiKey) sessionStorage.setItem(KEY_STORAGE, apiKey);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export function hasApiKey() {
  return Boolean(apiKey);
}

function authHeaders() {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

const FIELD_NAMES = {
  footprint: "灾害范围",
  hazard: "灾种",
  plan: "预案",
  figures: "报告灾情数据",
  title: "灾害名称",
  bbox: "范围",
  name: "图层名",
  crs: "坐标系",
  file: "上传的文件",
  layer: "GeoPackage 图层",
  hazard_raster: "灾害栅格",
};

// Known server messages, put into Chinese. The server's own words follow in brackets.
const KNOWN = [
  [/needs an API key/i, () => "此服务需要 API 密钥，请在页面顶部输入密钥。"],
  [/API key is not valid/i, () => "API 密钥无效，请检查后重新输入。"],
  [/lies outside (.+)$/i, (m) => `灾害范围位于${m[1]}辖区之外，请在辖区内绘制或上传灾害范围。`],
  [/has no features|at least one/i, () => "灾害范围中没有任何要素，请绘制或上传至少一个多边形。"],
  [/at least 3 distinct positions|encloses no area/i, () => "灾害范围的多边形至少需要 3 个不同的顶点，且须围成面积。"],
  [/is a (Multi)?(Point|LineString); a footprint is an area/i,
    () => "灾害范围须为面（Polygon 或 MultiPolygon）；点和线请先按影响范围缓冲成面。"],
  [/unknown (GeoJSON|geometry) type|expected a GeoJSON object|not valid GeoJSON/i,
    () => "灾害范围不是有效的 GeoJSON 面要素。"],
  [/is not a CRS pyproj can read/i, () => "灾害范围的坐标系无法识别，请注明 EPSG 代码（如 EPSG:4547）。"],
  [/outside lon\/lat range|crs '/i, () => "灾害范围的坐标须为经纬度，或在文件中注明其坐标系。"],
  [/value (\S+) is outside every (\w+) class; bounds \(min < v <= max\): (.+)$/i,
    (m) => `数值 ${m[1]} 不在该灾种任何分级之内，分级界限为：${m[3]}。`],
  [/the raster has no CRS/i, () => "栅格文件没有坐标系，请在保存时指定坐标系（如 EPSG:4547）。"],
  [/above the plausible (\w+) maximum/i, () => "栅格数值过大：水深须以米为单位（疑为厘米）。"],
  [/class '(.+)' is not a (\w+) class; allowed: (.+)$/i,
    (m) => `灾害分级“${m[1]}”不适用于该灾种，可用的分级为：${m[3]}。`],
  [/plan .*does not exist|no plan/i, () => "所选预案不存在，请重新选择预案。"],
  [/assessment .* does not exist/i, () => "该评估不存在，可能已被删除或编号有误。"],
  [/greater than or equal to 0|non-negative/i, () => "报告数据不能为负数。"],
  [/less than or equal to 1/i, () => "比例须在 0% 至 100% 之间。"],
];

const STATUS_LEAD = {
  400: "提交的数据有误",
  401: "需要登录凭据（API 密钥）",
  403: "当前账号无权执行此操作",
  404: "未找到所请求的对象",
  413: "上传的文件过大",
  422: "提交的数据无法使用",
  429: "请求过于频繁，请稍后再试",
};

export class ApiError extends Error {
  constructor(message, { status = 0, problem = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

/** A Chinese sentence for a problem+json answer. */
export function problemMessage(status, problem) {
  const detail = problem && typeof problem.detail === "string" ? problem.detail : "";
  for (const [pattern, sentence] of KNOWN) {
    const m = detail.match(pattern);
    if (m) return `${sentence(m)}（服务说明：${detail}）`;
  }
  const lead = STATUS_LEAD[status] || (status >= 500 ? "服务内部出错，请稍后重试或联系系统管理员" : "请求未能完成");
  const field = problem && (problem.field || (problem.errors && problem.errors[0] && problem.errors[0].field));
  const fieldName = field ? FIELD_NAMES[String(field).split(".")[0]] || field : "";
  const where = fieldName ? `（涉及：${fieldName}）` : "";
  return detail ? `${lead}${where}。服务说明：${detail}` : `${lead}${where}。`;
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(BASE + path, { ...options, headers: { ...authHeaders(), ...(options.headers || {}) } });
  } catch (err) {
    if (err?.name === "AbortError") throw err; // a request the page cancelled itself
    throw new ApiError("无法连接到 reliefgis 服务，请确认服务正在运行后重试。");
  }
  if (response.ok) return response;
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  throw new ApiError(problemMessage(response.status, problem), { status: response.status, problem });
}

export async function getJson(path, options = {}) {
  return (await request(path, options)).json();
}

/** A binary answer (a map tile) as a Blob; ``options.signal`` may cancel it. */
export async function getBlob(path, options = {}) {
  return (await request(path, options)).blob();
}

export async function postJson(path, body) {
  const response = await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** Upload a footprint file or hazard raster (multipart); the answer's JSON and status. */
export async function postFile(path, file, fields = {}) {
  const form = new FormData();
  form.append("file", file, file.name);
  for (const [name, value] of Object.entries(fields)) if (value) form.append(name, value);
  const response = await request(path, { method: "POST", headers: { Accept: "application/json" }, body: form });
  return { status: response.status, body: await response.json() };
}

/** Whether a link's address is one of this API's (relative to the app, as links are). */
export function isApiUrl(url) {
  return Boolean(url) && url.startsWith(BASE);
}

/** Fetch a result file with the API key; returns { blob, filename }. */
export async function fetchFile(url) {
  const path = url.startsWith(BASE) ? url.slice(BASE.length) : url;
  const response = await request(path);
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename="?([^";]+)"?/);
  return { blob: await response.blob(), filename: match ? match[1] : "" };
}

/** Links to what an assessment can be turned into. */
export function assessmentUrls(id) {
  const base = `${BASE}assessments/${encodeURIComponent(id)}`;
  return {
    json: base,
    html: `${base}/map.html`,
    pdfA3: `${base}/map.pdf?paper=A3`,
    pdfA4: `${base}/map.pdf?paper=A4`,
    gpkg: `${base}/export.gpkg`,
    export: (suffix) => `${base}/export.${suffix}`,
  };
}
