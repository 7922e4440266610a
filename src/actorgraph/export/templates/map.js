// The map: draws a network on a canvas at the positions computed in Python, and never moves them.
// Filters show or hide, a selection or a search fades the rest; zoom and pan change only the view.
// The same drawing goes to the screen, to a PNG and (as SVG elements) to an SVG file.
// Every text is drawn with fillText or written into SVG through agXml(): nothing is parsed as markup.
"use strict";

const AG_FADED_NODE = 0.16;   // opacity of what a selection or a search leaves out
const AG_FADED_EDGE = 0.08;
const AG_PALE_EDGE = 0.38;    // an undated relationship in a dated view
const AG_MANY_EDGES = 1500;   // above this many lines on screen, they are drawn as one-pixel lines
const AG_MANY_NODES = 2000;  // above this many entities on screen, small faded ones are drawn as squares
const AG_BATCH = 300;         // shapes per path: one path of thousands is far slower to fill or stroke
const AG_LABEL_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

function agXml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

// Shapes as lists of points around (0, 0) for radius 1, or null for curves drawn otherwise.
function agPolygon(shape) {
  const star = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + i * Math.PI / 5, r = i % 2 ? 0.45 : 1.15;
    star.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  const hexagon = [];
  for (let i = 0; i < 6; i++) hexagon.push([1.08 * Math.cos(i * Math.PI / 3), 1.08 * Math.sin(i * Math.PI / 3)]);
  return {
    triangle: [[0, -1.25], [1.1, 0.8], [-1.1, 0.8]],
    triangleDown: [[0, 1.25], [1.1, -0.8], [-1.1, -0.8]],
    square: [[-0.9, -0.9], [0.9, -0.9], [0.9, 0.9], [-0.9, 0.9]],
    diamond: [[0, -1.25], [1.1, 0], [0, 1.25], [-1.1, 0]],
    star, hexagon,
  }[shape] || null;
}
const AG_POLYGONS = Object.fromEntries(["triangle", "triangleDown", "square", "diamond", "star", "hexagon"]
  .map((s) => [s, agPolygon(s)]));

class AgMap {
  constructor(canvas, data, handlers) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.data = data;
    this.nodes = data.nodes;
    this.edges = data.edges;
    this.on = handlers || {};
    this.types = new Map(data.types.map((t) => [t.iri, t]));
    this.typeIndex = new Map(data.types.map((t, i) => [t.iri, i]));
    this.lines = data.lines;
    const n = this.nodes.length, m = this.edges.length;
    this.nodeShown = new Uint8Array(n).fill(1);
    this.edgeShown = new Uint8Array(m).fill(1);
    this.edgeLine = new Array(m).fill("solid");
    this.edgePale = new Uint8Array(m);
    this.focus = null;          // {nodes: Set, edges: Set}: drawn strongly, the rest faded
    this.marked = new Set();    // nodes ringed (search matches)
    this.selected = null;       // {kind: "node" | "edge", id}
    this.hovered = null;
    const xs = this.nodes.map((d) => d.x), ys = this.nodes.map((d) => d.y);
    this.world = n ? {x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys)}
                   : {x0: -1, y0: -1, x1: 1, y1: 1};
    this.touching = this.nodes.map(() => []);
    for (const e of this.edges) {
      this.touching[e.from].push(e.id);
      if (e.to !== e.from) this.touching[e.to].push(e.id);
    }
    this.textWidths = new Map();
    this.labelWidths = new Map();
    this.sprites = new Map();
    this.pales = new Map();
    this.view = {scale: 1, x: 0, y: 0};
    this.whole = true;  // the view shows the whole graph, as fitted
    this.aspect = 1;  // vertical stretch of the view: above 1 on a tall, narrow screen (resize)
    this.baseScale = 1;
    this.width = 0;
    this.height = 0;
    this.drawnLabels = [];
    this.frames = 0;
    this.pending = false;
    this.drawWaiters = [];
    this.resize();
    this.fit(null);
    this.listen();
    if (typeof ResizeObserver !== "undefined") {
      // A view that still shows the whole graph is fitted again to the new size; any other keeps its
      // middle and its zoom.
      new ResizeObserver(() => {
        const whole = this.whole;
        if (this.resize()) { if (whole) this.fit(null); else this.redraw(); }
      }).observe(canvas.parentElement);
    }
  }

  // -- the view --------------------------------------------------------------------------------------

  resize() {
    const box = this.canvas.parentElement.getBoundingClientRect();
    const w = Math.max(1, Math.round(box.width)), h = Math.max(1, Math.round(box.height));
    if (w === this.width && h === this.height) return false;
    const centre = this.width ? this.toWorld(this.width / 2, this.height / 2) : null;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * ratio);
    this.canvas.height = Math.round(h * ratio);
    this.canvas.style.width = w + "px";
    this.canvas.style.height = h + "px";
    this.width = w;
    this.height = h;
    this.ratio = ratio;
    // A phone held upright has room below and above a square layout: stretch the view vertically (not
    // the shapes or the names) up to 1.8 times, so the entities spread over the whole screen.
    const bw = Math.max(this.world.x1 - this.world.x0, 1), bh = Math.max(this.world.y1 - this.world.y0, 1);
    this.aspect = h > w * 1.2 ? Math.min(Math.max((h / w) / (bh / bw) * 0.9, 1), 1.8) : 1;
    const fitted = this.fitScale(this.world);
    if (centre) {
      // Keep what was in the middle in the middle, at the same zoom relative to the whole graph.
      const relative = this.view.scale / this.baseScale;
      this.baseScale = fitted;
      this.view.scale = fitted * relative;
      this.view.x = w / 2 - centre[0] * this.view.scale;
      this.view.y = h / 2 - centre[1] * this.view.scale * this.aspect;
    } else {
      this.baseScale = fitted;
    }
    return true;
  }

  fitScale(box, covered) {
    const height = this.height - (covered || 0);
    const pad = Math.min(60, Math.max(24, Math.min(this.width, height) * 0.08));
    const bw = Math.max(box.x1 - box.x0, 1), bh = Math.max(box.y1 - box.y0, 1);
    return Math.min((this.width - 2 * pad) / bw, (height - 2 * pad - 20) / (bh * this.aspect));
  }

  toWorld(sx, sy) { return [(sx - this.view.x) / this.view.scale, (sy - this.view.y) / (this.view.scale * this.aspect)]; }
  toScreen(i) {
    const d = this.nodes[i];
    return [d.x * this.view.scale + this.view.x, d.y * this.view.scale * this.aspect + this.view.y];
  }

  // Fit the view to some nodes (all shown nodes when ``ids`` is null), never closer than a few times
  // the whole graph's scale, so one entity does not fill the screen; ``covered``: pixels at the bottom
  // hidden by something over the map (a phone's open sheet).
  fit(ids, covered) {
    let list = ids ? [...ids] : [];
    if (!ids) for (let i = 0; i < this.nodes.length; i++) if (this.nodeShown[i]) list.push(i);
    if (!list.length) list = this.nodes.map((d) => d.id);
    let box = {x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity};
    for (const i of list) {
      const d = this.nodes[i];
      box = {x0: Math.min(box.x0, d.x), y0: Math.min(box.y0, d.y), x1: Math.max(box.x1, d.x), y1: Math.max(box.y1, d.y)};
    }
    if (!isFinite(box.x0)) box = this.world;
    const scale = Math.min(this.fitScale(box, covered), this.baseScale * (ids ? 3 : 1.5));
    this.whole = !ids;
    this.view.scale = scale;
    this.view.x = this.width / 2 - (box.x0 + box.x1) / 2 * scale;
    this.view.y = (this.height - (covered || 0)) / 2 - 10 - (box.y0 + box.y1) / 2 * scale * this.aspect;
    this.redraw();
  }

  zoomBy(factor, sx, sy) {
    const x = sx === undefined ? this.width / 2 : sx, y = sy === undefined ? this.height / 2 : sy;
    const scale = Math.min(Math.max(this.view.scale * factor, this.baseScale * 0.25), this.baseScale * 60);
    const [wx, wy] = this.toWorld(x, y);
    this.view.scale = scale;
    this.view.x = x - wx * scale;
    this.view.y = y - wy * scale * this.aspect;
    this.whole = false;
    this.redraw();
  }

  panBy(dx, dy) {
    this.view.x += dx;
    this.view.y += dy;
    this.whole = false;
    this.redraw();
  }

  centreOn(i) {
    const [sx, sy] = this.toScreen(i);
    const margin = Math.min(this.width, this.height) * 0.15;
    if (sx < margin || sy < margin || sx > this.width - margin || sy > this.height - margin) {
      this.panBy(this.width / 2 - sx, this.height / 2 - sy);
    }
  }

  // -- sizes -----------------------------------------------------------------------------------------

  // Sizes are planned for the whole graph seen 1,000 pixels wide (layout.py); they grow or shrink
  // more slowly than the zoom, so a phone still shows every entity and a close view is not all discs.
  zoomFactor() {
    const planned = 1000 / Math.max(this.world.x1 - this.world.x0, this.world.y1 - this.world.y0, 1);
    return Math.min(Math.max(Math.sqrt(this.view.scale / planned), 0.45), 3.5);
  }

  // Sizes are computed in Python (layout.sizes): pixels at the whole-graph view, growing slowly as you zoom.
  radius(i) {
    return this.nodes[i].size * this.zoomFactor();
  }

  // Label sizes in screen pixels, whatever the zoom: the main hubs largest, every label at least 12 px
  // (11 px on a phone-sized map, where room is shortest).
  labelSize(i) {
    const rank = this.nodes[i].rank, n = this.nodes.length;
    const large = Math.max(Math.min(6, Math.ceil(n / 10)), Math.floor(n * 0.01));
    const medium = Math.max(large, Math.min(20, Math.ceil(n / 4)), Math.floor(n * 0.05));
    const small = this.width < 600;
    if (rank < large) return small ? 13 : 15;
    if (rank < medium) return small ? 12 : 13;
    return small ? 11 : 12;
  }

  // -- drawing ----------------------------------------------------------------------------------------

  redraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  // A promise resolved after the next frame is drawn (for tests and the benchmark).
  drawn() {
    return new Promise((resolve) => { this.drawWaiters.push(resolve); this.redraw(); });
  }

  draw() {
    const ctx = this.ctx;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    const frame = this.frame(this.width, this.height, this.view, ctx);
    this.paint(ctx, frame, this.width, this.height, this.ratio);
    this.drawnLabels = frame.labels.map((l) => ({id: l.id, size: l.size, x: l.x, y: l.y, w: l.w, h: l.h,
                                                 text: l.lines.join(" ")}));
    this.frames += 1;
    if (this.firstFrame === undefined) this.firstFrame = performance.now();  // read by benchmarks/html_scale.py
    const waiters = this.drawWaiters;
    this.drawWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.on.drawn) this.on.drawn();
  }

  // 0 faded, 1 normal, 2 in focus. A focus may name a stronger part of itself ({strong: {nodes, edges}}):
  // then the rest of the focus is drawn normally.
  nodeState(i) {
    if (!this.focus) return 1;
    if (!this.focus.nodes.has(i)) return 0;
    return !this.focus.strong || this.focus.strong.nodes.has(i) ? 2 : 1;
  }

  edgeState(id) {
    if (!this.focus) return 1;
    if (!this.focus.edges.has(id)) return 0;
    return !this.focus.strong || this.focus.strong.edges.has(id) ? 2 : 1;
  }

  // What to draw, in screen coordinates: edges, nodes and labels, in the view ``view`` of a w x h box.
  // Where the lines run depends only on the view, so it is kept from one frame to the next (a filter
  // or a selection changes which lines are drawn and how, not where); with thousands of lines on
  // screen, the ones a selection or search leaves out are not drawn, nor laid out.
  frame(w, h, view, ctx) {
    const s = view.scale, sv = view.scale * this.aspect, ox = view.x, oy = view.y;
    const n = this.nodes.length;
    const sx = new Float64Array(n), sy = new Float64Array(n), r = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sx[i] = this.nodes[i].x * s + ox;
      sy[i] = this.nodes[i].y * sv + oy;
      r[i] = this.radius(i);
    }
    const key = [s, sv, ox, oy, w, h, this.zoomFactor()].join(",");
    if (!this.shapes || this.shapes.key !== key) this.shapes = {key, list: new Array(this.edges.length)};
    const shapes = this.shapes.list;
    const margin = 40;
    const inside = (x, y, pad) => x > -pad && y > -pad && x < w + pad && y < h + pad;
    const visible = [];
    for (const e of this.edges) {
      if (!this.edgeShown[e.id] || !this.nodeShown[e.from] || !this.nodeShown[e.to]) continue;
      const a = e.from, b = e.to;
      if (!inside(sx[a], sy[a], margin) && !inside(sx[b], sy[b], margin)) {
        const x0 = Math.min(sx[a], sx[b]), x1 = Math.max(sx[a], sx[b]);
        const y0 = Math.min(sy[a], sy[b]), y1 = Math.max(sy[a], sy[b]);
        if (x1 < 0 || y1 < 0 || x0 > w || y0 > h) continue;
      }
      visible.push(e);
    }
    const many = visible.length > AG_MANY_EDGES;
    const edges = [];
    for (const e of visible) {
      const state = this.edgeState(e.id);
      if (many && state === 0) continue;
      const shape = shapes[e.id] || (shapes[e.id] = this.edgeShape(e, sx, sy, r));
      const line = this.lines[this.edgeLine[e.id]] || this.lines.solid;
      // Faded and paler lines are drawn in the colour they would have over white, opaque: the browser
      // strokes an opaque line several times faster than a translucent one.
      const alpha = state === 0 ? AG_FADED_EDGE : (this.edgePale[e.id] ? AG_PALE_EDGE : 1);
      edges.push({id: e.id, colour: alpha < 1 ? this.paleColour(e.colour, alpha) : e.colour, line,
                  lineName: this.edgeLine[e.id], state, alpha: 1,
                  width: line.width + (state === 2 ? 1.2 : 0), pts: shape.pts, mid: shape.mid, loop: shape.loop,
                  length: shape.length, arrow: shape.arrow && (!many || shape.length > 40) ? shape.arrow : null});
    }
    const nodes = [];
    for (let i = 0; i < n; i++) {
      if (!this.nodeShown[i] || !inside(sx[i], sy[i], r[i] + 2)) continue;
      nodes.push({id: i, x: sx[i], y: sy[i], r: r[i], state: this.nodeState(i)});
    }
    const labels = this.placeLabels(nodes, edges, w, h, ctx, many);
    return {edges, nodes, labels: labels.nodes, edgeLabels: labels.edges, many};
  }

  paleColour(colour, alpha) {
    const key = colour + alpha;
    let pale = this.pales.get(key);
    if (!pale) this.pales.set(key, (pale = agPale(colour, alpha)));
    return pale;
  }

  // Where one relationship's line runs on screen: its points, its middle, its length, its arrowhead.
  edgeShape(e, sx, sy, r) {
    const a = e.from, b = e.to;
    const geo = {};
    if (a === b) {
      const rr = r[a] * 0.9 + 6;
      geo.loop = [sx[a], sy[a] - r[a] - rr * 0.6, rr];
      geo.mid = [sx[a], sy[a] - r[a] - rr * 1.6];
      return geo;
    }
    let x1 = sx[a], y1 = sy[a], x2 = sx[b], y2 = sy[b];
    const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1;
    geo.length = len;
    // The bend's side is taken from the lower to the higher index, whichever way the edge points.
    const sign = a < b ? 1 : -1;
    const nx = -dy / len * sign, ny = dx / len * sign;
    let cx = null, cy = null;
    if (e.bend) {
      const off = e.bend * Math.min(len * 0.22, 46);
      cx = (x1 + x2) / 2 + nx * off;
      cy = (y1 + y2) / 2 + ny * off;
    }
    // Start and end at the nodes' rims, so arrowheads touch the shape they point at.
    const ax = cx === null ? x2 : cx, ay = cy === null ? y2 : cy, bx = cx === null ? x1 : cx, by = cy === null ? y1 : cy;
    const da = Math.hypot(ax - x1, ay - y1) || 1, db = Math.hypot(bx - x2, by - y2) || 1;
    const ra = r[a] + 1, rb = r[b] + 2;
    x1 += (ax - x1) / da * ra;
    y1 += (ay - y1) / da * ra;
    x2 += (bx - x2) / db * rb;
    y2 += (by - y2) / db * rb;
    geo.pts = cx === null ? [x1, y1, x2, y2] : [x1, y1, cx, cy, x2, y2];
    geo.mid = cx === null ? [(x1 + x2) / 2, (y1 + y2) / 2]
                          : [0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2];
    if (len > r[a] + r[b] + 10) {
      // The arrowhead, along the last stretch of the line.
      const fx = cx === null ? x1 : cx, fy = cy === null ? y1 : cy;
      const d = Math.hypot(x2 - fx, y2 - fy) || 1, ux = (x2 - fx) / d, uy = (y2 - fy) / d;
      const size = 7.5;
      geo.arrow = [x2, y2, x2 - ux * size - uy * size * 0.5, y2 - uy * size + ux * size * 0.5,
                   x2 - ux * size + uy * size * 0.5, y2 - uy * size - ux * size * 0.5];
    }
    return geo;
  }

  // Where a relationship's line passes its middle, in canvas pixels (for tests and tooltips).
  edgeMidpoint(id) {
    const e = this.edges[id];
    const sx = [], sy = [], r = [];
    for (const i of [e.from, e.to]) {
      [sx[i], sy[i]] = this.toScreen(i);
      r[i] = this.radius(i);
    }
    return this.edgeShape(e, sx, sy, r).mid;
  }

  // The width of a node's name at a size, measured once.
  labelWidth(ctx, id, lines, size, weight) {
    const key = id * 32 + size;
    let width = this.labelWidths.get(key);
    if (width === undefined) {
      width = 0;
      for (const text of lines) width = Math.max(width, this.textWidth(ctx, text, size, weight));
      this.labelWidths.set(key, width);
    }
    return width;
  }

  textWidth(ctx, text, size, weight) {
    const key = size + "|" + weight + "|" + text;
    let width = this.textWidths.get(key);
    if (width === undefined) {
      ctx.font = weight + " " + size + "px " + AG_LABEL_FONT;
      width = ctx.measureText(text).width;
      this.textWidths.set(key, width);
    }
    return width;
  }

  // Which labels fit: the selection's, the hovered entity's, those in focus and the search matches
  // first, then by importance; a label that would overlap one already placed is left out. Zooming in
  // spreads the entities, so more labels fit.
  placeLabels(nodes, edges, w, h, ctx, many) {
    const cell = 48, columns = Math.ceil(w / cell) + 2, grid = new Map();
    const boxes = [];
    const free = (x0, y0, x1, y1) => {
      for (let gx = Math.floor(x0 / cell); gx <= Math.floor(x1 / cell); gx++) {
        for (let gy = Math.floor(y0 / cell); gy <= Math.floor(y1 / cell); gy++) {
          const list = grid.get(gy * columns + gx);
          if (!list) continue;
          for (const k of list) {
            const o = boxes[k];
            if (x0 < o[2] && x1 > o[0] && y0 < o[3] && y1 > o[1]) return false;
          }
        }
      }
      return true;
    };
    const take = (x0, y0, x1, y1) => {
      const k = boxes.length;
      boxes.push([x0, y0, x1, y1]);
      for (let gx = Math.floor(x0 / cell); gx <= Math.floor(x1 / cell); gx++) {
        for (let gy = Math.floor(y0 / cell); gy <= Math.floor(y1 / cell); gy++) {
          const key = gy * columns + gx;
          let list = grid.get(key);
          if (!list) grid.set(key, (list = []));
          list.push(k);
        }
      }
    };
    const selected = this.selected && this.selected.kind === "node" ? this.selected.id : -1;
    const hovered = this.hovered && this.hovered.kind === "node" ? this.hovered.id : -1;
    const priority = (d) => {
      const id = d.id;
      if (id === selected) return -4e6;
      if (id === hovered) return -3e6;
      if (this.marked.has(id)) return -2e6 + this.nodes[id].rank;
      if (d.state === 2) return -1e6 + this.nodes[id].rank;
      return this.nodes[id].rank;
    };
    const order = [];
    for (const d of nodes) {
      if (d.state === 0) continue;
      d.priority = priority(d);
      if (d.priority < 0 || d.r >= 2.5) order.push(d);
    }
    order.sort((p, q) => p.priority - q.priority);
    const placed = [];
    const limit = 250;  // names on screen at most: more would be unreadable, and text is slow to draw
    let tries = 0;
    for (const d of order) {
      // Enough names, or enough tries: past a few thousand, few more would find a free place.
      if (placed.length >= limit || tries > 2500) break;
      tries += 1;
      // Matches and neighbours come first but, like the rest, only where they fit; only the selected and
      // the hovered entity's name is drawn whatever it covers.
      const must = d.priority <= -3e6;
      const size = this.labelSize(d.id), weight = size >= 15 ? "600" : "400";
      const lines = this.nodes[d.id].lines.slice(0, 3);
      if (this.nodes[d.id].lines.length > 3) lines[2] = lines[2] + "…";
      const width = this.labelWidth(ctx, d.id, lines, size, weight);
      const lh = Math.round(size * 1.2), height = lh * lines.length;
      // Below the entity, else above it, else to its right or left: the first place that is free.
      // A name stays whole inside the map: one that would cross its edge slides along it. The main
      // hubs' names may also stand a little further off, where the nearest places are taken.
      let chosen = null, far = false;
      const hub = size === (this.width < 600 ? 13 : 15);
      for (const [k, [px, py]] of agLabelPlaces(d.x, d.y, d.r, width, height, hub ? 4 : 0).entries()) {
        const x0 = Math.min(Math.max(px, 3), w - width - 3);
        const box = [x0 - 2, py, x0 + width + 2, py + height + 1];
        if (box[1] < 0 || box[3] > h || Math.abs(x0 - px) > width / 2 + d.r) continue;
        if (free(...box)) { chosen = box; far = k >= 8; break; }
      }
      if (!chosen && must) {
        const [x0, y0] = agLabelPlaces(d.x, d.y, d.r, width, height)[0];
        chosen = [x0 - 2, y0, x0 + width + 2, y0 + height + 1];
      }
      if (!chosen) continue;
      take(...chosen);
      placed.push({id: d.id, x: (chosen[0] + chosen[2]) / 2, y: chosen[1] + 1, lines, size, weight, lh, w: width, h: height,
                   leader: far ? [d.x, d.y, Math.min(Math.max(d.x, chosen[0]), chosen[2]), Math.min(Math.max(d.y, chosen[1]), chosen[3])] : null});
    }
    // Relationship labels where they fit: first those of the selection, then of the longer lines.
    const edgeLabels = [];
    const size = 11;
    // With thousands of lines on screen, only the names of the relationships in focus.
    const candidates = edges.filter((g) => g.state !== 0 && g.mid && (g.state === 2 || (!many && (g.length || 0) > 90)))
      .sort((p, q) => (q.state - p.state) || ((q.length || 0) - (p.length || 0)) || (p.id - q.id));
    for (const g of candidates.slice(0, 600)) {
      const text = this.edges[g.id].label;
      const width = this.textWidth(ctx, text, size, "400");
      if (g.state !== 2 && (g.length || 0) < width + 50) continue;
      const x0 = g.mid[0] - width / 2 - 2, y0 = g.mid[1] - 8, x1 = g.mid[0] + width / 2 + 2, y1 = g.mid[1] + 7;
      if (x1 < 0 || x0 > w || y1 < 0 || y0 > h) continue;
      if (!free(x0, y0, x1, y1)) continue;
      take(x0, y0, x1, y1);
      edgeLabels.push({id: g.id, x: g.mid[0], y: g.mid[1], text, size});
    }
    return {nodes: placed, edges: edgeLabels};
  }

  // Draw a frame on ``ctx`` (already scaled by ``ratio`` device pixels per CSS pixel).
  paint(ctx, frame, w, h, ratio) {
    const colours = this.data.colours;
    ctx.save();
    ctx.fillStyle = colours.background;
    ctx.fillRect(0, 0, w, h);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    // Edges, faded first and in focus last, in batches of one colour and line style. With thousands
    // on screen they are drawn as one-pixel lines in paths of a few hundred (the browser draws those
    // several times faster: benchmarks/html_scale.py), with arrowheads on the longer ones only.
    const many = frame.many;
    for (const state of [0, 1, 2]) {
      const groups = new Map();
      for (const g of frame.edges) {
        if (g.state !== state) continue;
        const key = g.colour + "|" + g.lineName + "|" + g.alpha + "|" + g.width;
        let list = groups.get(key);
        if (!list) groups.set(key, (list = []));
        list.push(g);
      }
      for (const list of groups.values()) {
        const first = list[0];
        const hair = many && state !== 2 && first.line.width < 2.5;
        ctx.globalAlpha = first.alpha;
        ctx.strokeStyle = first.colour;
        ctx.fillStyle = first.colour;
        ctx.lineWidth = hair ? 1 : first.width;
        ctx.lineCap = hair ? "butt" : "round";
        ctx.setLineDash(first.line.dash.map((v) => (hair ? (v || 1.5) : (v ? v * (1 + (first.width - 1.4) * 0.25) : 0.001))));
        for (let k = 0; k < list.length; k += AG_BATCH) {
          ctx.beginPath();
          for (const g of list.slice(k, k + AG_BATCH)) {
            if (hair && g.arrow) {
              // An open arrowhead, stroked with the line: thousands of filled ones would cost more than the lines.
              ctx.moveTo(g.arrow[2], g.arrow[3]);
              ctx.lineTo(g.arrow[0], g.arrow[1]);
              ctx.lineTo(g.arrow[4], g.arrow[5]);
            }
            if (g.loop) {
              ctx.moveTo(g.loop[0] + g.loop[2], g.loop[1]);
              ctx.arc(g.loop[0], g.loop[1], g.loop[2], 0, 2 * Math.PI);
            } else if (g.pts.length === 4) {
              ctx.moveTo(g.pts[0], g.pts[1]);
              ctx.lineTo(g.pts[2], g.pts[3]);
            } else {
              ctx.moveTo(g.pts[0], g.pts[1]);
              ctx.quadraticCurveTo(g.pts[2], g.pts[3], g.pts[4], g.pts[5]);
            }
          }
          ctx.stroke();
        }
        ctx.setLineDash([]);
        const arrows = hair ? [] : list.filter((g) => g.arrow);
        for (let k = 0; k < arrows.length; k += AG_BATCH) {
          ctx.beginPath();
          for (const g of arrows.slice(k, k + AG_BATCH)) {
            ctx.moveTo(g.arrow[0], g.arrow[1]);
            ctx.lineTo(g.arrow[2], g.arrow[3]);
            ctx.lineTo(g.arrow[4], g.arrow[5]);
            ctx.closePath();
          }
          ctx.fill();
        }
        if (first.line.mark === "cross") {
          ctx.lineWidth = hair ? 1 : 2;
          ctx.beginPath();
          for (const g of list) {
            const [mx, my] = g.mid;
            ctx.moveTo(mx - 5, my - 5); ctx.lineTo(mx + 5, my + 5);
            ctx.moveTo(mx + 5, my - 5); ctx.lineTo(mx - 5, my + 5);
          }
          ctx.stroke();
        }
      }
    }
    ctx.lineCap = "round";
    ctx.globalAlpha = 1;
    // Nodes: each drawn once per type, size and pixel ratio into a small image, then stamped (filling
    // thousands of small shapes one by one costs far more than copying their images).
    // A faded entity is stamped from an image in paler colours rather than drawn translucent: the
    // browser copies an opaque image several times faster than it blends a translucent one.
    // With thousands on screen, a small faded entity is a pale square: filling a rectangle is cheaper still.
    const squares = frame.nodes.length > AG_MANY_NODES;
    for (const state of [0, 1, 2]) {
      for (const d of frame.nodes) {
        if (d.state !== state) continue;
        if (squares && state === 0 && d.r < 4) {
          ctx.fillStyle = this.paleColour(this.types.get(this.nodes[d.id].type).colour, 0.3);
          const side = Math.max(2, Math.round(d.r * 1.6));
          ctx.fillRect(Math.round(d.x - side / 2), Math.round(d.y - side / 2), side, side);
          continue;
        }
        const sprite = this.sprite(this.nodes[d.id].type, d.r, d.id === this.data.center ? 3 : 1.3, ratio || 1,
                                   state === 0);
        // Whole pixels: copying an image to a fractional place makes the browser resample it (3x slower).
        ctx.drawImage(sprite.image, Math.round(d.x - sprite.half), Math.round(d.y - sprite.half), sprite.size, sprite.size);
      }
    }
    ctx.globalAlpha = 1;
    // Rings: search matches, then the hovered and the selected entity.
    const ring = (i, colour, width, gap) => {
      const [x, y] = this.toScreen(i);
      if (x < -50 || y < -50 || x > w + 50 || y > h + 50) return;
      ctx.beginPath();
      ctx.arc(x, y, this.radius(i) + gap, 0, 2 * Math.PI);
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
    };
    for (const i of this.marked) if (this.nodeShown[i]) ring(i, "#b35900", 2.5, 4);
    if (this.hovered && this.hovered.kind === "node") ring(this.hovered.id, "#1a1a1a", 1.5, 3);
    if (this.selected && this.selected.kind === "node") ring(this.selected.id, "#1a1a1a", 3, 4);
    // A name set further off is tied to its entity by a thin line.
    ctx.strokeStyle = colours.muted;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const l of frame.labels) {
      if (!l.leader) continue;
      ctx.moveTo(l.leader[0], l.leader[1]);
      ctx.lineTo(l.leader[2], l.leader[3]);
    }
    ctx.stroke();
    // Labels: dark text on a white halo.
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    for (const l of frame.labels) {
      ctx.font = l.weight + " " + l.size + "px " + AG_LABEL_FONT;
      ctx.fillStyle = colours.text;
      l.lines.forEach((text, k) => {
        ctx.strokeText(text, l.x, l.y + k * l.lh);
        ctx.fillText(text, l.x, l.y + k * l.lh);
      });
    }
    ctx.textBaseline = "middle";
    for (const l of frame.edgeLabels) {
      ctx.font = "400 " + l.size + "px " + AG_LABEL_FONT;
      ctx.fillStyle = colours.muted;
      ctx.strokeText(l.text, l.x, l.y);
      ctx.fillText(l.text, l.x, l.y);
    }
    ctx.restore();
  }

  // An entity's shape, filled and outlined, as an image: radii are rounded to a quarter pixel.
  sprite(typeIri, r, lineWidth, ratio, faded) {
    // Radii to the half pixel: a fitted view makes a new set of sizes, and each new image costs a little.
    const radius = Math.round(r * 2) / 2;
    const key = (((this.typeIndex.get(typeIri) * 4096 + radius * 4) * 8 + lineWidth) * 8 + ratio) * 2 + (faded ? 1 : 0);
    let sprite = this.sprites.get(key);
    if (!sprite) {
      const type = this.types.get(typeIri);
      const colour = (c) => (faded ? agPale(c, AG_FADED_NODE) : c);
      const half = Math.ceil(radius * 1.5 + lineWidth + 1);
      const image = document.createElement("canvas");
      image.width = image.height = Math.ceil(2 * half * ratio);
      const c = image.getContext("2d");
      c.scale(ratio, ratio);
      this.shapePath(c, type.shape, half, half, radius);
      c.fillStyle = colour(type.colour);
      c.fill();
      c.lineWidth = lineWidth;
      c.strokeStyle = colour(type.border);
      c.stroke();
      sprite = {image, half, size: 2 * half};
      this.sprites.set(key, sprite);
    }
    return sprite;
  }

  // A shape's outline as a closed sub-path; a new path unless ``append``.
  shapePath(ctx, shape, x, y, r, append) {
    if (!append) ctx.beginPath();
    const polygon = AG_POLYGONS[shape];
    if (polygon) {
      polygon.forEach(([px, py], k) => (k ? ctx.lineTo(x + px * r, y + py * r) : ctx.moveTo(x + px * r, y + py * r)));
      ctx.closePath();
    } else if (shape === "box") {
      const bw = r * 1.5, bh = r * 0.95, c = Math.min(4, r * 0.4);
      ctx.moveTo(x - bw + c, y - bh);
      ctx.arcTo(x + bw, y - bh, x + bw, y + bh, c);
      ctx.arcTo(x + bw, y + bh, x - bw, y + bh, c);
      ctx.arcTo(x - bw, y + bh, x - bw, y - bh, c);
      ctx.arcTo(x - bw, y - bh, x + bw, y - bh, c);
      ctx.closePath();
    } else if (shape === "ellipse") {
      ctx.moveTo(x + r * 1.45, y);
      ctx.ellipse(x, y, r * 1.45, r * 0.9, 0, 0, 2 * Math.PI);
    } else {
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  // The same outline as SVG.
  shapeSVG(shape, x, y, r, attrs) {
    const f = (v) => v.toFixed(1);
    const polygon = AG_POLYGONS[shape];
    if (polygon) return '<polygon points="' + polygon.map(([px, py]) => f(x + px * r) + "," + f(y + py * r)).join(" ") + '"' + attrs + "/>";
    if (shape === "box") {
      return '<rect x="' + f(x - r * 1.5) + '" y="' + f(y - r * 0.95) + '" width="' + f(r * 3) + '" height="' +
        f(r * 1.9) + '" rx="' + f(Math.min(4, r * 0.4)) + '"' + attrs + "/>";
    }
    if (shape === "ellipse") return '<ellipse cx="' + f(x) + '" cy="' + f(y) + '" rx="' + f(r * 1.45) + '" ry="' + f(r * 0.9) + '"' + attrs + "/>";
    return '<circle cx="' + f(x) + '" cy="' + f(y) + '" r="' + f(r) + '"' + attrs + "/>";
  }

  // -- finding what is under the pointer ------------------------------------------------------------

  hit(px, py) {
    let best = null, bestD = Infinity;
    for (let i = 0; i < this.nodes.length; i++) {
      if (!this.nodeShown[i]) continue;
      const [x, y] = this.toScreen(i);
      const d = Math.hypot(px - x, py - y), r = Math.max(this.radius(i), 6) + 3;
      if (d <= r && d - r < bestD) { best = {kind: "node", id: i}; bestD = d - r; }
    }
    if (best) return best;
    for (const e of this.edges) {
      if (!this.edgeShown[e.id] || !this.nodeShown[e.from] || !this.nodeShown[e.to]) continue;
      const [x1, y1] = this.toScreen(e.from), [x2, y2] = this.toScreen(e.to);
      const pad = 6;
      if (px < Math.min(x1, x2) - 60 || px > Math.max(x1, x2) + 60 || py < Math.min(y1, y2) - 60 || py > Math.max(y1, y2) + 60) continue;
      let d;
      if (e.from === e.to) {
        const rr = this.radius(e.from) * 0.9 + 6;
        d = Math.abs(Math.hypot(px - x1, py - (y1 - this.radius(e.from) - rr * 0.6)) - rr);
      } else if (e.bend) {
        const len = Math.hypot(x2 - x1, y2 - y1) || 1, sign = e.from < e.to ? 1 : -1;
        const off = e.bend * Math.min(len * 0.22, 46);
        const cx = (x1 + x2) / 2 - (y2 - y1) / len * sign * off, cy = (y1 + y2) / 2 + (x2 - x1) / len * sign * off;
        d = Infinity;
        let qx = x1, qy = y1;
        for (let k = 1; k <= 12; k++) {
          const t = k / 12, u = 1 - t;
          const rx = u * u * x1 + 2 * u * t * cx + t * t * x2, ry = u * u * y1 + 2 * u * t * cy + t * t * y2;
          d = Math.min(d, agSegmentDistance(px, py, qx, qy, rx, ry));
          qx = rx; qy = ry;
        }
      } else {
        d = agSegmentDistance(px, py, x1, y1, x2, y2);
      }
      if (d <= pad && d < bestD) { best = {kind: "edge", id: e.id}; bestD = d; }
    }
    return best;
  }

  // -- pointer, wheel, touch and keys ---------------------------------------------------------------

  listen() {
    const c = this.canvas;
    const pointers = new Map();
    let drag = null, pinch = null;
    const local = (ev) => {
      const box = c.getBoundingClientRect();
      return [ev.clientX - box.left, ev.clientY - box.top];
    };
    c.addEventListener("pointerdown", (ev) => {
      c.setPointerCapture(ev.pointerId);
      pointers.set(ev.pointerId, local(ev));
      if (pointers.size === 1) drag = {start: local(ev), last: local(ev), moved: false};
      if (pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        pinch = {distance: Math.hypot(p[0] - q[0], p[1] - q[1]), centre: [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]};
        drag = null;
      }
    });
    c.addEventListener("pointermove", (ev) => {
      const here = local(ev);
      if (pointers.has(ev.pointerId)) pointers.set(ev.pointerId, here);
      if (pinch && pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        const distance = Math.hypot(p[0] - q[0], p[1] - q[1]);
        const centre = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
        this.panBy(centre[0] - pinch.centre[0], centre[1] - pinch.centre[1]);
        this.zoomBy(distance / (pinch.distance || 1), centre[0], centre[1]);
        pinch = {distance, centre};
        return;
      }
      if (drag) {
        if (!drag.moved && Math.hypot(here[0] - drag.start[0], here[1] - drag.start[1]) > 4) drag.moved = true;
        if (drag.moved) {
          this.panBy(here[0] - drag.last[0], here[1] - drag.last[1]);
          drag.last = here;
          c.classList.add("dragging");
        }
        return;
      }
      if (ev.pointerType === "mouse") this.hover(this.hit(here[0], here[1]), here);
    });
    const end = (ev) => {
      pointers.delete(ev.pointerId);
      if (pinch && pointers.size < 2) { pinch = null; drag = null; return; }
      if (drag && !drag.moved && ev.type === "pointerup") {
        const here = local(ev);
        const found = this.hit(here[0], here[1]);
        if (this.on.click) this.on.click(found);
      }
      drag = null;
      c.classList.remove("dragging");
    };
    c.addEventListener("pointerup", end);
    // A tap is handled by the pointer events above; the click a browser makes of it afterwards would land
    // on whatever the tap opened there (the phone's sheet, over the map), so it is not made.
    c.addEventListener("touchend", (ev) => ev.preventDefault(), {passive: false});
    c.addEventListener("pointercancel", end);
    c.addEventListener("pointerleave", (ev) => { if (ev.pointerType === "mouse" && !drag) this.hover(null); });
    c.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const [x, y] = local(ev);
      this.zoomBy(Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)), x, y);
    }, {passive: false});
    c.addEventListener("dblclick", (ev) => {
      const [x, y] = local(ev);
      this.zoomBy(1.8, x, y);
    });
    c.addEventListener("keydown", (ev) => {
      const step = 60;
      const keys = {
        "+": () => this.zoomBy(1.4), "=": () => this.zoomBy(1.4), "-": () => this.zoomBy(1 / 1.4),
        "_": () => this.zoomBy(1 / 1.4), "ArrowLeft": () => this.panBy(step, 0), "ArrowRight": () => this.panBy(-step, 0),
        "ArrowUp": () => this.panBy(0, step), "ArrowDown": () => this.panBy(0, -step), "0": () => this.fit(null),
        "Home": () => this.fit(null),
        "Enter": () => this.on.enter && this.on.enter(),
        "Escape": () => this.on.escape && this.on.escape(),
      };
      if (keys[ev.key] && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        keys[ev.key]();
      }
    });
  }

  hover(found, at) {
    const same = (p, q) => (p === q) || (p && q && p.kind === q.kind && p.id === q.id);
    if (!same(found, this.hovered)) {
      this.hovered = found;
      this.canvas.classList.toggle("pointing", Boolean(found));
      this.redraw();
    }
    if (this.on.hover) this.on.hover(found, at);
  }

  // -- exports ----------------------------------------------------------------------------------------

  // The current view drawn on a new canvas, ``scale`` times sharper, with a caption band below it.
  toCanvas(caption, scale) {
    const w = this.width, h = this.height, k = scale || 2;
    const lineHeight = 18, captionHeight = caption.length * lineHeight + 24;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(w * k);
    canvas.height = Math.round((h + captionHeight) * k);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(k, 0, 0, k, 0, 0);
    this.paint(ctx, this.frame(w, h, this.view, ctx), w, h, k);
    ctx.fillStyle = this.data.colours.background;
    ctx.fillRect(0, h, w, captionHeight);
    ctx.fillStyle = "#d0d0d0";
    ctx.fillRect(0, h, w, 1);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    caption.forEach((text, i) => {
      ctx.font = (i ? "400 13px " : "600 15px ") + AG_LABEL_FONT;
      ctx.fillStyle = i ? this.data.colours.muted : this.data.colours.text;
      ctx.fillText(text, 12, h + 12 + i * lineHeight, w - 24);
    });
    return canvas;
  }

  // The current view as an SVG document, with the caption below it.
  toSVG(caption) {
    const w = this.width, h = this.height;
    const frame = this.frame(w, h, this.view, this.ctx);
    const lineHeight = 18, captionHeight = caption.length * lineHeight + 24;
    const f = (v) => v.toFixed(1);
    const out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + (h + captionHeight) +
             '" viewBox="0 0 ' + w + " " + (h + captionHeight) + '" font-family="' + agXml(AG_LABEL_FONT) + '">');
    out.push("<title>" + agXml(caption[0] || "") + "</title>");
    out.push("<desc>" + agXml(caption.slice(1).join("\n")) + "</desc>");
    out.push('<rect width="100%" height="100%" fill="' + this.data.colours.background + '"/>');
    out.push('<g fill="none" stroke-linecap="round" stroke-linejoin="round">');
    for (const state of [0, 1, 2]) {
      for (const g of frame.edges) {
        if (g.state !== state) continue;
        const dash = g.line.dash.length ? ' stroke-dasharray="' + g.line.dash.map((v) => (v || 0.001)).join(" ") + '"' : "";
        const common = ' stroke="' + g.colour + '" stroke-width="' + g.width + '"' + dash +
          (g.alpha < 1 ? ' stroke-opacity="' + g.alpha + '"' : "");
        if (g.loop) out.push('<circle cx="' + f(g.loop[0]) + '" cy="' + f(g.loop[1]) + '" r="' + f(g.loop[2]) + '"' + common + "/>");
        else if (g.pts.length === 4) out.push('<path d="M' + g.pts.slice(0, 2).map(f) + "L" + g.pts.slice(2).map(f) + '"' + common + "/>");
        else out.push('<path d="M' + g.pts.slice(0, 2).map(f) + "Q" + g.pts.slice(2, 4).map(f) + " " + g.pts.slice(4).map(f) + '"' + common + "/>");
        if (g.arrow) {
          out.push('<polygon points="' + [0, 2, 4].map((k) => f(g.arrow[k]) + "," + f(g.arrow[k + 1])).join(" ") +
                   '" fill="' + g.colour + '" stroke="none"' + (g.alpha < 1 ? ' fill-opacity="' + g.alpha + '"' : "") + "/>");
        }
        if (g.line.mark === "cross") {
          const [mx, my] = g.mid;
          out.push('<path d="M' + f(mx - 5) + "," + f(my - 5) + "L" + f(mx + 5) + "," + f(my + 5) + "M" + f(mx + 5) + "," +
                   f(my - 5) + "L" + f(mx - 5) + "," + f(my + 5) + '" stroke="' + g.colour + '" stroke-width="2"/>');
        }
      }
    }
    out.push("</g>");
    for (const state of [0, 1, 2]) {
      for (const d of frame.nodes) {
        if (d.state !== state) continue;
        const type = this.types.get(this.nodes[d.id].type);
        out.push(this.shapeSVG(type.shape, d.x, d.y, d.r, ' fill="' + type.colour + '" stroke="' + type.border +
          '" stroke-width="1.3"' + (state === 0 ? ' opacity="' + AG_FADED_NODE + '"' : "")));
      }
    }
    for (const l of frame.labels) {
      if (l.leader) out.push('<path d="M' + l.leader.slice(0, 2).map(f) + "L" + l.leader.slice(2).map(f) + '" stroke="' +
                             this.data.colours.muted + '" stroke-width="1"/>');
    }
    out.push('<g text-anchor="middle" stroke="#ffffff" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke">');
    for (const l of frame.labels) {
      l.lines.forEach((text, k) => {
        out.push('<text x="' + f(l.x) + '" y="' + f(l.y + k * l.lh + l.size * 0.85) + '" font-size="' + l.size +
                 '" font-weight="' + l.weight + '" fill="' + this.data.colours.text + '">' + agXml(text) + "</text>");
      });
    }
    for (const l of frame.edgeLabels) {
      out.push('<text x="' + f(l.x) + '" y="' + f(l.y + 4) + '" font-size="' + l.size + '" fill="' +
               this.data.colours.muted + '">' + agXml(l.text) + "</text>");
    }
    out.push("</g>");
    out.push('<line x1="0" y1="' + h + '" x2="' + w + '" y2="' + h + '" stroke="#d0d0d0"/>');
    caption.forEach((text, i) => {
      out.push('<text x="12" y="' + (h + 26 + i * lineHeight) + '" font-size="' + (i ? 13 : 15) + '" font-weight="' +
               (i ? 400 : 600) + '" fill="' + (i ? this.data.colours.muted : this.data.colours.text) + '">' + agXml(text) + "</text>");
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
  }
}

// Where a name may go, best first: the top-left corner of its box below, above, right of, left of and
// then diagonally from an entity at (x, y) of radius r. The static figure (svg.py) tries the same.
function agLabelPlaces(x, y, r, width, height, further) {
  const d = r * 0.7 + 3;
  const places = [[x - width / 2, y + r + 2], [x - width / 2, y - r - 4 - height], [x + r + 5, y - height / 2],
                  [x - r - 5 - width, y - height / 2], [x + d, y + d], [x - d - width, y + d], [x + d, y - d - height],
                  [x - d - width, y - d - height]];
  for (let k = 1; k <= (further || 0); k++) {
    const step = k * 14;
    places.push([x - width / 2, y + r + 2 + step], [x - width / 2, y - r - 4 - height - step],
                [x + r + 5 + step, y - height / 2], [x - r - 5 - width - step, y - height / 2]);
  }
  return places;
}

// A #rrggbb colour as it looks at opacity ``alpha`` over white.
function agPale(colour, alpha) {
  const v = parseInt(colour.slice(1), 16);
  const mix = (c) => Math.round(255 - (255 - c) * alpha);
  return "rgb(" + mix(v >> 16) + "," + mix((v >> 8) & 255) + "," + mix(v & 255) + ")";
}

function agSegmentDistance(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1, dy = y2 - y1, l2 = dx * dx + dy * dy;
  const t = l2 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / l2)) : 0;
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}
