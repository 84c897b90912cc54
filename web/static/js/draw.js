// A small polygon-drawing tool on Leaflet: click to add vertices; double-click, click the
// first vertex, press Enter or call finish() to close; undo() drops the last vertex;
// clear() removes everything; Esc cancels. The finished ring is handed to onChange as
// display-datum L.LatLng objects (the caller converts them to WGS84).

const SNAP_PX = 10; // a click this close to the first vertex closes the ring
export class PolygonDrawer {
  // colors: the footprint ramp of the label table, darkest first (outline, then fill).
  constructor(map, { onChange, onState, colors }) {
    this.map = map;
    this.style = { color: colors[0], weight: 2, dashArray: null };
    this.fill = colors[1];
    this.onChange = onChange;
    this.onState = onState || (() => {});
    this.vertices = [];
    this.active = false;
    this.layer = L.layerGroup().addTo(map);
    this.polygon = null;
    this.cursor = null;
    this._click = (e) => this.addVertex(e.latlng);
    this._dblclick = (e) => {
      L.DomEvent.stop(e);
      this.finish();
    };
    this._move = (e) => {
      this.cursor = e.latlng;
      this._redraw();
    };
    this._key = (e) => {
      if (e.key === "Escape") this.cancel();
      else if (e.key === "Enter") this.finish();
    };
  }

  start() {
    this.clear({ silent: true });
    this.active = true;
    this.map.doubleClickZoom.disable();
    this.map.getContainer().classList.add("drawing");
    this.map.on("click", this._click);
    this.map.on("dblclick", this._dblclick);
    this.map.on("mousemove", this._move);
    document.addEventListener("keydown", this._key);
    this.onState(this.state());
  }

  _stop() {
    this.active = false;
    this.cursor = null;
    this.map.off("click", this._click);
    this.map.off("dblclick", this._dblclick);
    this.map.off("mousemove", this._move);
    document.removeEventListener("keydown", this._key);
    this.map.getContainer().classList.remove("drawing");
    // Leaflet's double-click zoom returns once the second click of a closing
    // double-click has gone by.
    setTimeout(() => this.map.doubleClickZoom.enable(), 400);
  }

  addVertex(latlng) {
    if (!this.active) return;
    const last = this.vertices[this.vertices.length - 1];
    if (last && this._near(last, latlng)) return; // the second click of a double-click
    if (this.vertices.length >= 3 && this._near(this.vertices[0], latlng)) {
      this.finish();
      return;
    }
    this.vertices.push(latlng);
    this._redraw();
    this.onState(this.state());
  }

  _near(a, b) {
    return this.map.latLngToContainerPoint(a).distanceTo(this.map.latLngToContainerPoint(b)) < SNAP_PX;
  }

  undo() {
    if (this.active) {
      this.vertices.pop();
      this._redraw();
    } else if (this.polygon) {
      // Reopen a finished polygon without its last vertex.
      const ring = this.polygon.getLatLngs()[0].slice(0, -1);
      this.polygon = null;
      this.start();
      this.vertices = ring;
      this._redraw();
      this.onChange(null);
    }
    this.onState(this.state());
  }

  finish() {
    if (!this.active) return;
    if (this.vertices.length < 3) {
      this.onState({ ...this.state(), message: "至少需要 3 个顶点才能构成灾害范围。" });
      return;
    }
    this._stop();
    this.polygon = L.polygon(this.vertices, { ...this.style, fillColor: this.fill, fillOpacity: 0.25 });
    this.vertices = [];
    this._redraw();
    this.onChange(this.polygon.getLatLngs()[0].slice());
    this.onState(this.state());
  }

  cancel() {
    if (this.active) this._stop();
    this.vertices = [];
    this._redraw();
    this.onState(this.state());
  }

  clear({ silent = false } = {}) {
    if (this.active) this._stop();
    this.vertices = [];
    const had = this.polygon !== null;
    this.polygon = null;
    this._redraw();
    if (had && !silent) this.onChange(null);
    this.onState(this.state());
  }

  state() {
    return {
      active: this.active,
      vertices: this.vertices.length,
      finished: this.polygon !== null,
    };
  }

  _redraw() {
    this.layer.clearLayers();
    if (this.polygon) this.layer.addLayer(this.polygon);
    if (!this.active || this.vertices.length === 0) return;
    const path = this.cursor ? [...this.vertices, this.cursor] : this.vertices;
    if (path.length >= 3) {
      this.layer.addLayer(L.polygon(path, { ...this.style, weight: 0, fillColor: this.fill, fillOpacity: 0.15, interactive: false }));
    }
    this.layer.addLayer(L.polyline(this.vertices, { ...this.style, interactive: false }));
    if (this.cursor) {
      this.layer.addLayer(L.polyline([this.vertices[this.vertices.length - 1], this.cursor],
        { ...this.style, dashArray: "4 4", interactive: false }));
    }
    this.vertices.forEach((v, i) => {
      this.layer.addLayer(L.circleMarker(v, {
        radius: i === 0 ? 6 : 4, color: this.style.color, weight: 2, fillColor: "#fff", fillOpacity: 1,
        className: "rg-vertex", interactive: false,
      }));
    });
  }
}
