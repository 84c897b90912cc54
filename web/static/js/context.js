// The pack's optional context layers on screen: rivers (water) and towns (places), with
// names that never print over one another. After every move or zoom the names are laid
// out again: county names first, then rivers, then towns by rank; a name whose box would
// overlap one already shown is hidden until there is room for it.

import { escapeHtml } from "./text.js";

function overlaps(a, b) {
  return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
}

/** Show each label unless it overlaps one shown before it (``labels`` in priority order). */
export function declutter(fixed, labels, frame) {
  // All boxes read first, then all visibilities set: hiding moves no box, and reading
  // between writes would lay the page out again for every label.
  const taken = fixed.map((el) => el.getBoundingClientRect());
  const boxes = labels.map((el) => el.getBoundingClientRect());
  const shown = boxes.map((box) => {
    const inside = box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
    if (!inside || taken.some((other) => overlaps(box, other))) return false;
    taken.push(box);
    return true;
  });
  labels.forEach((el, i) => {
    el.style.visibility = shown[i] ? "visible" : "hidden";
  });
}

function label(view, latlng, text, className, rank) {
  return L.marker(latlng, {
    interactive: false,
    keyboard: false,
    rgRank: rank,
    icon: L.divIcon({ className: "", html: `<div class="${className}">${escapeHtml(text)}</div>`, iconSize: null }),
  });
}

function midpoint(layer) {
  let latlngs = layer.getLatLngs();
  while (Array.isArray(latlngs[0])) latlngs = latlngs.reduce((a, b) => (b.length > a.length ? b : a));
  return latlngs[Math.floor(latlngs.length / 2)];
}

/** Add the water and places overlays to ``view`` (a MapView) when the pack has them. */
export function addContext(view, { water, places }) {
  const styles = view.styles;
  const names = view.overlayNames;
  const labels = [];
  if (water?.features?.length) {
    const group = L.layerGroup();
    view.geo(water, {
      style: () => ({ ...styles.water, fillColor: styles.water.color }),
      interactive: false,
    }).eachLayer((layer) => {
      layer.addTo(group);
      const marker = label(view, midpoint(layer), layer.feature.properties.name, "rg-water-label", 0).addTo(group);
      labels.push(marker);
    }, view);
    view.addOverlay("water", names.water, group);
  }
  if (places?.features?.length) {
    const group = L.layerGroup();
    const sorted = [...places.features].sort((a, b) => a.properties.rank - b.properties.rank);
    view.geo({ type: "FeatureCollection", features: sorted }, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { ...styles.places, radius: Math.max(2, 5 - f.properties.rank) }),
      interactive: false,
    }).eachLayer((layer) => {
      layer.addTo(group);
      const p = layer.feature.properties;
      labels.push(label(view, layer.getLatLng(), p.name, `rg-place-label rank-${p.rank}`, p.rank).addTo(group));
    });
    view.addOverlay("places", names.places, group);
  }
  const layout = () => {
    const shown = labels.filter((m) => view.map.hasLayer(m) && m.getElement());
    const fixed = [...view.map.getContainer().querySelectorAll(".rg-county")];
    declutter(fixed, shown.map((m) => m.getElement().firstElementChild), view.map.getContainer().getBoundingClientRect());
  };
  view.map.on("zoomend moveend overlayadd overlayremove", layout);
  layout();
  return layout;
}
