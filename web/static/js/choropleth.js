// Graduated classes a reader can tell apart: round class limits (1 万, 2.5 万, 5 万 …)
// and one colour of the label table's ramp each. Display classes only: nothing is computed
// from them.

function niceStep(x) {
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}

/**
 * Classes { color, from, to } (from < value ≤ to) with round limits: from nought
 * (``fromZero``, e.g. affected persons, where none is a class of its own) or from a round
 * number below the smallest value (e.g. population, where every county has some).
 */
export function graduated(values, ramp, { fromZero = true } = {}) {
  const finite = values.filter(Number.isFinite);
  const max = Math.max(0, ...finite);
  if (max <= 0) return [];
  const min = fromZero ? 0 : Math.min(...finite);
  let step = niceStep(Math.max(max - min, max * 0.01) / ramp.length);
  let low = fromZero ? 0 : Math.floor(min / step) * step;
  while (Math.ceil((max - low) / step) > ramp.length) {
    step = niceStep(step * 1.01);
    low = fromZero ? 0 : Math.floor(min / step) * step;
  }
  if (!fromZero && low === min) low -= step; // the smallest value falls in the first class
  const n = Math.max(1, Math.min(ramp.length, Math.ceil((max - low) / step)));
  const shade = (i) => ramp[n === 1 ? ramp.length - 1 : Math.round((i * (ramp.length - 1)) / (n - 1))];
  return Array.from({ length: n }, (_, i) => ({ color: shade(i), from: low + i * step, to: low + (i + 1) * step }));
}

/** The colour of ``value`` among ``classes``; null for nought (or no class). */
export function colorOf(classes, value) {
  if (!(value > 0) || !classes.length) return null;
  return (classes.find((k) => value <= k.to) || classes[classes.length - 1]).color;
}

/** A person count as a class limit reads: 25,000 → "2.5 万", 800 → "800". */
export function limitText(n) {
  if (n >= 10000) return `${Number((n / 10000).toFixed(2))} 万`;
  return n.toLocaleString("zh-CN");
}
