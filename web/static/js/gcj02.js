// WGS84 <-> GCJ-02 (国测局坐标, used by AMap and Tencent tiles).
//
// GCJ-02 is WGS84 plus a deterministic, position-dependent offset of about 100-700 m
// inside China and nothing outside it. The forward formula (Krasovsky-ellipsoid constants
// a = 6378245, ee = 0.00669342162296594323 and two trigonometric series) is public and
// reproduced by many open implementations, e.g. eviltransform (MIT) and coordtransform
// (MIT); this is our own transcription of it. Reference value used in the tests:
// WGS84 (116.404, 39.915) -> GCJ-02 (116.41024449916938, 39.91640428150164).
// The inverse has no closed form; `gcj02ToWgs84` iterates the forward formula, which
// converges to well under a millimetre in a few steps.

const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lon, lat) {
  return !(lon > 73.66 && lon < 135.05 && lat > 3.86 && lat < 53.55);
}

function seriesLat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function seriesLon(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** WGS84 lon/lat -> GCJ-02 lon/lat (unchanged outside China). */
export function wgs84ToGcj02(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const rad = (lat / 180.0) * Math.PI;
  const s = Math.sin(rad);
  const magic = 1 - EE * s * s;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (seriesLat(lon - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (seriesLon(lon - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(rad) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** GCJ-02 lon/lat -> WGS84 lon/lat, by fixed-point iteration of the forward formula. */
export function gcj02ToWgs84(lon, lat) {
  let x = lon;
  let y = lat;
  for (let i = 0; i < 10; i += 1) {
    const [gx, gy] = wgs84ToGcj02(x, y);
    const dx = gx - lon;
    const dy = gy - lat;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
  }
  return [x, y];
}

/**
 * How our WGS84 data is drawn over the basemap's datum.
 * toDisplay([lon, lat]) -> L.LatLng on the map; fromDisplay(L.LatLng) -> [lon, lat] WGS84.
 */
export function makeDatum(name) {
  if (name === "GCJ-02") {
    return {
      name,
      toDisplay: ([lon, lat]) => {
        const [x, y] = wgs84ToGcj02(lon, lat);
        return L.latLng(y, x);
      },
      fromDisplay: (latlng) => gcj02ToWgs84(latlng.lng, latlng.lat),
    };
  }
  return {
    name: "WGS84",
    toDisplay: ([lon, lat]) => L.latLng(lat, lon),
    fromDisplay: (latlng) => [latlng.lng, latlng.lat],
  };
}
