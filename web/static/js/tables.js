// Result tables as an analyst works them: sort by a column, filter shelters by state, and
// shares read as percentages (web/shares.py is the rule; this is its browser twin).

/** Sort a table's rows by the clicked header; a second click turns the order round. */
export function makeSortable(table) {
  const headers = [...table.querySelectorAll("thead th")];
  headers.forEach((th, column) => {
    if (!th.dataset.type) return;
    th.classList.add("sort");
    th.tabIndex = 0;
    const sort = () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const key = (tr) => tr.cells[column]?.dataset.sort ?? tr.cells[column]?.textContent ?? "";
      const compare = th.dataset.type === "number"
        ? (x, y) => Number(key(x)) - Number(key(y))
        : (x, y) => key(x).localeCompare(key(y), "zh-CN");
      const rows = [...body.rows].sort((x, y) => (ascending ? compare(x, y) : compare(y, x)));
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sort();
      }
    });
  });
}

/** Show the rows whose data-groups hold ``group`` ("all" shows every row). */
export function filterRows(table, group) {
  for (const tr of table.tBodies[0].rows) {
    tr.hidden = group !== "all" && !(tr.dataset.groups || "").split(" ").includes(group);
  }
}

const MAX_DECIMALS = 4;

function points(fraction, decimals) {
  const exact = fraction * 100;
  let d = decimals;
  let shown = Number(exact.toFixed(d));
  while (shown === 0 && exact !== 0 && d < MAX_DECIMALS) {
    d += 1; // never say a gap of "0" that is not nought
    shown = Number(exact.toFixed(d));
  }
  if (shown === 0 && exact !== 0) return `<${(10 ** -d).toFixed(d)}`;
  const isExact = Math.abs(shown - exact) < 1e-9;
  return isExact ? String(shown) : shown.toFixed(d);
}

const decimalsOf = (fraction) => (Math.abs(fraction) >= 0.01 ? 1 : 2);

/** A share as a percentage: 0.195 → "19.5%", 0.25 → "25%". */
export function percent(fraction) {
  return `${points(fraction, decimalsOf(fraction))}%`;
}

/** A gap between shares in percentage points, as precise as the value it is read with. */
export function pointGap(gap, value) {
  return `${points(gap, decimalsOf(value))} 个百分点`;
}
