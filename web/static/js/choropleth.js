// Graduated classes a reader can tell apart: round class limits (1 万, 2.5 万, 5 万 …)
// and one colour of the label table's ramp each. Display classes only: nothing is computed
// from them.

function niceStep(x) {
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}

/** Classes { color, from, to } (from < value ≤ to) covering (0, max(values)]. */
export function graduated(values, ramp) {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  if (max <= 0) return [];
  const step = niceStep(max / ramp.length);
  const n = Math.max(1, Math.min(ramp.length, Math.ceil(max / step)));
  const shade = (i) => ramp[n === 1 ? ramp.length - 1 : Math.round((i * (ramp.length - 1)) / (n - 1))];
  return Array.from({ length: n }, (_, i) => ({ color: shade(i), from: i * step, to: (i + 1) * step }));
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
