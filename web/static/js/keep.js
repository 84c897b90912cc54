// Features drawn by view and kept across pans. A view's answer holds whole features
// simplified for its zoom (the same id at the same zoom is the same shape), so a pan keeps
// what is drawn, builds only the features it has not drawn yet, and drops those of another
// zoom or lying far outside the view. Each kept feature may bring layers of its own (a
// county's name label) that come and go with it.

/** The feature's id in a view answer: its row, else its code or id property. */
export function featureId(f) {
  return f.id ?? f.properties?.code ?? f.properties?.id ?? null;
}

function boundsOf(layer) {
  if (layer.getBounds) return layer.getBounds();
  const at = layer.getLatLng();
  return L.latLngBounds(at, at);
}

export class KeptFeatures {
  /**
   * @param group   the layer group the features are drawn in
   * @param build   (FeatureCollection) => L.GeoJSON of the features not drawn yet
   * @param extras  (layer) => [[group, layer], …] drawn with the feature (optional)
   * @param dropped (layer) => note a feature no longer drawn (optional)
   */
  constructor(group, { build, extras = () => [], dropped = () => {} }) {
    Object.assign(this, { group, build, extras, dropped });
    this.drawn = new Map(); // "zoom/id" → [feature layer, [[group, layer], …]]
  }

  /**
   * Draw an answer at ``zoom``: keep what is drawn, add what is new, drop what is of
   * another zoom or outside ``near`` (LatLngBounds: the view widened). Returns the layers
   * built now. Features without an id are all drawn anew.
   */
  update(data, zoom, near) {
    const ids = data.features.map(featureId);
    if (ids.some((id) => id === null)) {
      this.clear();
    }
    const keyOf = (id) => `${zoom}/${id}`;
    const wanted = new Set(ids.map(keyOf));
    for (const [key, [layer]] of this.drawn) {
      if (wanted.has(key)) continue;
      if (key.startsWith(`${zoom}/`) && near.intersects(boundsOf(layer))) continue;
      this._drop(key);
    }
    const fresh = data.features.filter((f, i) => ids[i] === null || !this.drawn.has(keyOf(ids[i])));
    if (!fresh.length) return [];
    const built = this.build({ type: "FeatureCollection", features: fresh }).getLayers();
    built.forEach((layer) => {
      const extras = this.extras(layer);
      const id = featureId(layer.feature);
      if (id !== null) this.drawn.set(keyOf(id), [layer, extras]);
      this.group.addLayer(layer);
      for (const [group, extra] of extras) group.addLayer(extra);
    });
    return built;
  }

  /** The feature layers drawn now. */
  layers() {
    return [...this.drawn.values()].map(([layer]) => layer);
  }

  _drop(key) {
    const [layer, extras] = this.drawn.get(key);
    this.group.removeLayer(layer);
    for (const [group, extra] of extras) group.removeLayer(extra);
    this.drawn.delete(key);
    this.dropped(layer);
  }

  clear() {
    for (const key of [...this.drawn.keys()]) this._drop(key);
    this.group.clearLayers();
  }
}
