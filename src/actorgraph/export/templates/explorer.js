// The explorer page: search, filters, the date slider, the evidence panel, the address, downloads.
// It never moves an entity: it tells the map what to show, hide or fade (map.js).

// DATA, the page's graph, is read by base.html.
const NODES = DATA.nodes, EDGES = DATA.edges;
const STATUS_ORDER = new Map(DATA.statuses.map((s, i) => [s.label, i]));
const STATUS_LINE = new Map(DATA.statuses.map((s) => [s.label, s.line]));
const NODE_BY_KEY = new Map(NODES.map((n) => [n.key, n.id]));
const TYPE_BY_NAME = new Map();
for (const t of DATA.types) {
  TYPE_BY_NAME.set(agSlug(t.key), t.iri);
  TYPE_BY_NAME.set(agSlug(t.label), t.iri);
}
const NAMES = NODES.map((n) => [n.name, ...n.aliases]);
const NAME_WORDS = NAMES.map((names) => names.map(agWords));

// Each statement's dates, parsed once.
for (const edge of EDGES) {
  for (const item of edge.ev) {
    item._dated = agDated(item);
  }
}

const state = {
  q: "",
  asOf: "",
  day: null,
  hiddenTypes: new Set(),
  hiddenStatuses: new Set(),
  hiddenSources: new Set(),
  undated: true,
  selected: null,   // {kind: "node" | "edge", id}: pinned by a click
  preview: null,    // what the pointer is over, while nothing is pinned
};
let hits = [];       // node ids matching the search, best first
let qualifying = EDGES.map((e) => e.ev);

const canvas = document.getElementById("network-canvas");
const map = new AgMap(canvas, DATA, {
  click: (found) => select(found, true),
  hover: (found, at) => hover(found, at),
  enter: () => openSelection(),
  escape: () => select(null, false),
});

// -- filters --------------------------------------------------------------------------------------

function edgeFiltersOn() {
  return Boolean(state.day) || state.hiddenStatuses.size > 0 || state.hiddenSources.size > 0 || !state.undated;
}

function applyFilters() {
  const day = state.day;
  let undatedShown = 0;
  for (const edge of EDGES) {
    const a = NODES[edge.from], b = NODES[edge.to];
    const typeOk = !state.hiddenTypes.has(a.type) && !state.hiddenTypes.has(b.type);
    const kept = edge.ev.filter((item) => !state.hiddenStatuses.has(item.status_label) &&
      !state.hiddenSources.has(item.source) && (!day || agHoldsOn(item, day)));
    qualifying[edge.id] = kept;
    const dated = kept.some((item) => item._dated);
    const shown = typeOk && (edge.ev.length === 0 ? !edgeFiltersOn() : kept.length > 0) && (state.undated || dated);
    map.edgeShown[edge.id] = shown ? 1 : 0;
    map.edgePale[edge.id] = shown && day && !dated ? 1 : 0;
    if (shown && !dated) undatedShown += 1;
    let least = null;
    for (const item of kept) {
      if (least === null || (STATUS_ORDER.get(item.status_label) ?? 99) > (STATUS_ORDER.get(least) ?? 99)) least = item.status_label;
    }
    map.edgeLine[edge.id] = STATUS_LINE.get(least) || "solid";
  }
  const filtering = edgeFiltersOn();
  for (const node of NODES) {
    let shown = !state.hiddenTypes.has(node.type);
    if (shown && filtering) shown = map.touching[node.id].some((id) => map.edgeShown[id]);
    map.nodeShown[node.id] = shown ? 1 : 0;
  }
  document.getElementById("undated-count").textContent = "(" + undatedShown + " shown)";
}

function shownEdgesOf(id) {
  return map.touching[id].filter((e) => map.edgeShown[e] && map.nodeShown[EDGES[e].from] && map.nodeShown[EDGES[e].to]);
}

// What is drawn strongly: the pinned selection, else what the pointer is over, else the search matches
// and their neighbours; everything else fades. null: nothing fades.
function applyFocus() {
  const target = state.selected || state.preview;
  map.selected = state.selected;
  if (target && target.kind === "node" && map.nodeShown[target.id]) {
    const edges = new Set(shownEdgesOf(target.id));
    const nodes = new Set([target.id]);
    for (const e of edges) { nodes.add(EDGES[e].from); nodes.add(EDGES[e].to); }
    map.focus = {nodes, edges};
  } else if (target && target.kind === "edge" && map.edgeShown[target.id]) {
    const e = EDGES[target.id];
    map.focus = {nodes: new Set([e.from, e.to]), edges: new Set([e.id])};
  } else if (state.q && hits.length) {
    const nodes = new Set(), edges = new Set();
    for (const id of hits) {
      if (!map.nodeShown[id]) continue;
      nodes.add(id);
      for (const e of shownEdgesOf(id)) { edges.add(e); nodes.add(EDGES[e].from); nodes.add(EDGES[e].to); }
    }
    map.focus = {nodes, edges};
  } else if (state.q) {
    map.focus = {nodes: new Set(), edges: new Set()};
  } else {
    map.focus = null;
  }
  map.marked = new Set(state.q ? hits.filter((id) => map.nodeShown[id]) : []);
}

function refresh() {
  applyFilters();
  if (state.selected && !isShown(state.selected)) state.selected = null;
  applyFocus();
  summary();
  writeAddress();
  map.redraw();
}

function isShown(item) {
  return item.kind === "node" ? Boolean(map.nodeShown[item.id]) : Boolean(map.edgeShown[item.id] &&
    map.nodeShown[EDGES[item.id].from] && map.nodeShown[EDGES[item.id].to]);
}

function counts() {
  let nodes = 0, edges = 0;
  for (let i = 0; i < NODES.length; i++) nodes += map.nodeShown[i];
  for (const e of EDGES) edges += map.edgeShown[e.id] && map.nodeShown[e.from] && map.nodeShown[e.to] ? 1 : 0;
  return {nodes, edges};
}

function summary() {
  const c = counts();
  let text = c.nodes + " of " + NODES.length + " entities, " + c.edges + " of " + EDGES.length + " relationships shown";
  if (state.day) text += "; as of " + agSpoken(state.asOf);
  if (state.q) text += "; " + hits.length + " match" + (hits.length === 1 ? "" : "es") + " for “" + state.q + "”";
  document.getElementById("summary").textContent = text;
  canvas.setAttribute("aria-label", "Network map of " + c.nodes + " entities and " + c.edges + " relationships" +
    (state.day ? " as of " + agSpoken(state.asOf) : ""));
}

// -- the key and the filters ------------------------------------------------------------------------

function lineSample(lineName, colour) {
  const line = DATA.lines[lineName] || DATA.lines.solid;
  const sample = agEl("canvas", "line-sample");
  sample.width = 44;
  sample.height = 12;
  sample.setAttribute("aria-hidden", "true");
  const ctx = sample.getContext("2d");
  ctx.strokeStyle = colour || DATA.colours.text;
  ctx.lineWidth = line.width;
  ctx.lineCap = "round";
  ctx.setLineDash(line.dash.map((v) => v || 0.001));
  ctx.beginPath();
  ctx.moveTo(3, 6);
  ctx.lineTo(41, 6);
  ctx.stroke();
  if (line.mark === "cross") {
    ctx.setLineDash([]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(18, 1); ctx.lineTo(26, 11); ctx.moveTo(26, 1); ctx.lineTo(18, 11);
    ctx.stroke();
  }
  return sample;
}

function shapeSample(type) {
  const sample = agEl("canvas", "shape-sample");
  sample.width = 22;
  sample.height = 18;
  sample.setAttribute("aria-hidden", "true");
  const ctx = sample.getContext("2d");
  map.shapePath(ctx, type.shape, 11, 9, 6);
  ctx.fillStyle = type.colour;
  ctx.fill();
  ctx.strokeStyle = type.border;
  ctx.lineWidth = 1.3;
  ctx.stroke();
  return sample;
}

function checkbox(list, data, checked, onChange, parts, title) {
  const item = agEl("li");
  const label = agEl("label");
  const box = agEl("input");
  box.type = "checkbox";
  box.checked = checked;
  for (const [key, value] of Object.entries(data)) box.dataset[key] = value;
  box.addEventListener("change", () => onChange(box.checked));
  label.append(box, ...parts);
  if (title) label.title = title;
  item.appendChild(label);
  list.appendChild(item);
  return box;
}

function buildFilters() {
  const statusCount = new Map(), sourceCount = new Map(), typeCount = new Map();
  for (const edge of EDGES) {
    for (const label of new Set(edge.ev.map((i) => i.status_label))) statusCount.set(label, (statusCount.get(label) || 0) + 1);
    for (const iri of new Set(edge.ev.map((i) => i.source))) sourceCount.set(iri, (sourceCount.get(iri) || 0) + 1);
  }
  for (const node of NODES) typeCount.set(node.type, (typeCount.get(node.type) || 0) + 1);
  const statusList = document.querySelector("#status-filter ul");
  for (const status of DATA.statuses) {
    const count = statusCount.get(status.label) || 0;
    if (!count) continue;  // the key shows what the map can draw
    checkbox(statusList, {status: agSlug(status.label)}, !state.hiddenStatuses.has(status.label), (on) => {
      if (on) state.hiddenStatuses.delete(status.label); else state.hiddenStatuses.add(status.label);
      refresh();
    }, [lineSample(status.line), agEl("span", null, status.label + " (" + count + ")")], status.definition);
  }
  const typeList = document.getElementById("legend");
  for (const type of DATA.types) {
    checkbox(typeList, {type: type.iri}, !state.hiddenTypes.has(type.iri), (on) => {
      if (on) state.hiddenTypes.delete(type.iri); else state.hiddenTypes.add(type.iri);
      refresh();
    }, [shapeSample(type), agEl("span", null, type.label + " (" + typeCount.get(type.iri) + ")")]);
  }
  const sourceList = document.querySelector("#source-filter ul");
  for (const source of DATA.sources) {
    const count = sourceCount.get(source.iri) || 0;
    const link = agEl("a", "small", "read");
    link.href = source.page;
    link.title = "The text of this source";
    checkbox(sourceList, {source: source.key}, !state.hiddenSources.has(source.iri), (on) => {
      if (on) state.hiddenSources.delete(source.iri); else state.hiddenSources.add(source.iri);
      refresh();
    }, [agEl("span", null, source.label + " (" + count + " relationships) "), link]);
  }
  document.getElementById("undated").addEventListener("change", (ev) => {
    state.undated = ev.target.checked;
    refresh();
  });
}

function syncFilterBoxes() {
  for (const box of document.querySelectorAll("#status-filter input[data-status]")) {
    const status = DATA.statuses.find((s) => agSlug(s.label) === box.dataset.status);
    box.checked = !state.hiddenStatuses.has(status.label);
  }
  for (const box of document.querySelectorAll("#legend input")) box.checked = !state.hiddenTypes.has(box.dataset.type);
  for (const box of document.querySelectorAll("#source-filter input")) {
    const source = DATA.sources.find((s) => s.key === box.dataset.source);
    box.checked = !state.hiddenSources.has(source.iri);
  }
  document.getElementById("undated").checked = state.undated;
}

// -- dates -------------------------------------------------------------------------------------------

// The slider runs over the months between the first and the last date of any statement; its last
// position is "all dates".
const MONTHS = (() => {
  let first = null, last = null;
  for (const edge of EDGES) {
    for (const item of edge.ev) {
      for (const field of ["point_in_time", "start_time", "end_time"]) {
        const span = agSpan(item[field]);
        if (!span) continue;
        if (first === null || span[0] < first) first = span[0];
        if (last === null || span[1] > last) last = span[1];
      }
    }
  }
  const months = [];
  if (first === null) return months;
  let y = Number(first.slice(0, 4)), m = Number(first.slice(5, 7));
  const ly = Number(last.slice(0, 4)), lm = Number(last.slice(5, 7));
  while (y < ly || (y === ly && m <= lm)) {
    months.push(y + "-" + String(m).padStart(2, "0"));
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return months;
})();
const slider = document.getElementById("date-slider");
slider.max = String(MONTHS.length);
slider.value = String(MONTHS.length);
if (!MONTHS.length) slider.disabled = true;

function setDate(text, from) {
  const value = (text || "").trim();
  const span = value ? agSpan(value) : null;
  document.getElementById("as-of-error").textContent = value && !span ? "Use YYYY, YYYY-MM or YYYY-MM-DD" : "";
  if (value && !span) return;
  state.asOf = span ? value : "";
  state.day = span;
  if (from !== "text") document.getElementById("as-of").value = state.asOf;
  if (from !== "slider") {
    const month = state.asOf.slice(0, 7);
    let position = MONTHS.length;
    if (state.asOf) {
      position = MONTHS.findIndex((m) => m >= month);
      if (position < 0) position = MONTHS.length - 1;
      if (state.asOf.length === 4) position = Math.max(0, MONTHS.findIndex((m) => m > state.asOf + "-12") - 1);
      if (position < 0) position = MONTHS.length - 1;
    }
    slider.value = String(position);
  }
  document.getElementById("date-shown").textContent = state.asOf ? agSpoken(state.asOf) : "all dates";
  slider.setAttribute("aria-valuetext", state.asOf ? "as of " + agSpoken(state.asOf) : "all dates");
  refresh();
}

slider.addEventListener("input", () => {
  const position = Number(slider.value);
  setDate(position >= MONTHS.length ? "" : MONTHS[position], "slider");
});
document.getElementById("as-of").addEventListener("input", (ev) => setDate(ev.target.value, "text"));

// -- search ------------------------------------------------------------------------------------------

function search(text) {
  state.q = text.trim();
  hits = [];
  if (state.q) {
    const ranked = [];
    for (let i = 0; i < NODES.length; i++) {
      const rank = agMatchRank(NAMES[i], state.q, NAME_WORDS[i]);
      if (rank !== null) ranked.push([rank, -NODES[i].degree, NODES[i].name, i]);
    }
    ranked.sort((p, q) => p[0] - q[0] || p[1] - q[1] || (p[2] < q[2] ? -1 : p[2] > q[2] ? 1 : 0));
    hits = ranked.map((r) => r[3]);
  }
  showResults();
  applyFocus();
  summary();
  writeAddress();
  // Bring the matches into view, with their neighbours when there are few enough to see them all.
  const visible = hits.filter((id) => map.nodeShown[id]);
  const around = map.focus ? [...map.focus.nodes] : visible;
  if (visible.length) map.fit(around.length <= 200 ? around : visible.slice(0, 200)); else map.redraw();
}

function showResults() {
  const list = document.getElementById("search-results");
  list.replaceChildren();
  if (!state.q) { list.hidden = true; return; }
  const shown = hits.slice(0, 12);
  for (const id of shown) {
    const node = NODES[id];
    const item = agEl("li");
    const button = agEl("button", "result");
    button.type = "button";
    button.dataset.node = node.key;
    const alias = agMatchRank([node.name], state.q) === null ? node.aliases.find((a) => agMatchRank([a], state.q) !== null) : null;
    button.append(agEl("span", "result-name", node.name),
                  agEl("span", "result-type", DATA.types.find((t) => t.iri === node.type).label +
                       (alias ? " · also " + alias : "") + (map.nodeShown[id] ? "" : " · filtered out")));
    button.addEventListener("click", () => pick(id, true));
    button.addEventListener("keydown", (ev) => resultKeys(ev, button));
    item.appendChild(button);
    list.appendChild(item);
  }
  if (!shown.length) list.appendChild(agEl("li", "muted", "No entity matches."));
  else if (hits.length > shown.length) list.appendChild(agEl("li", "muted small", (hits.length - shown.length) + " more on the map"));
  list.hidden = false;
}

function resultKeys(ev, button) {
  const buttons = [...document.querySelectorAll("#search-results button")];
  const at = buttons.indexOf(button);
  if (ev.key === "ArrowDown" && at < buttons.length - 1) { ev.preventDefault(); buttons[at + 1].focus(); }
  if (ev.key === "ArrowUp") { ev.preventDefault(); (at > 0 ? buttons[at - 1] : document.getElementById("search")).focus(); }
  if (ev.key === "Escape") { ev.preventDefault(); document.getElementById("search").focus(); }
}

// Pick an entity from the search: pin it, show it, and bring it into view.
function pick(id, focusPanel) {
  document.getElementById("search-results").hidden = true;  // picked: the list would hide the map
  if (!map.nodeShown[id]) {
    // A match hidden by a filter: show everything again rather than pin something invisible.
    state.hiddenTypes.clear(); state.hiddenStatuses.clear(); state.hiddenSources.clear(); state.undated = true;
    setDate("", null);
    syncFilterBoxes();
  }
  select({kind: "node", id}, false);
  map.fit([id, ...[...map.focus.nodes].slice(0, 60)], agCovered());
  if (focusPanel) openSelection();
}

const searchBox = document.getElementById("search");
searchBox.addEventListener("input", () => search(searchBox.value));
searchBox.addEventListener("focus", () => { if (state.q) showResults(); });
searchBox.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter") {
    ev.preventDefault();
    if (hits.length) pick(hits[0], false);
  } else if (ev.key === "ArrowDown") {
    const first = document.querySelector("#search-results button");
    if (first) { ev.preventDefault(); first.focus(); }
  } else if (ev.key === "Escape") {
    searchBox.value = "";
    search("");
  }
});

// -- selection and evidence --------------------------------------------------------------------------

function edgeTitle(edge) {
  return NODES[edge.from].name + " — " + edge.relationship + " → " + NODES[edge.to].name;
}

// An entity's relationships, the first 40 at once (a hub of thousands would take long to lay out).
const PANEL_FIRST = 40;
function showNode(id, all) {
  const node = NODES[id];
  const type = DATA.types.find((t) => t.iri === node.type);
  const edges = shownEdgesOf(id);
  const hidden = map.touching[id].length - edges.length;
  const subtitle = type.label + (node.aliases.length ? "; also called " + node.aliases.join(", ") : "") + ". " +
    edges.length + " relationship" + (edges.length === 1 ? "" : "s") + " shown" +
    (hidden ? ", " + hidden + " hidden by the filters" : "") + ".";
  const sections = edges.map((e) => ({heading: edgeTitle(EDGES[e]), items: qualifying[e],
                                      action: () => select({kind: "edge", id: e}, true)}));
  const shown = all ? sections : sections.slice(0, PANEL_FIRST);
  const heading = agShowPanel(node.name, subtitle, shown);
  if (node.ids && node.ids.length) {
    // Its identifiers in other datasets, under the subtitle.
    const panel = document.getElementById("evidence-panel");
    (panel.querySelector(".subtitle") || heading).after(agIdentifiers(node.ids));
  }
  if (shown.length < sections.length) {
    const more = agEl("button", "link-button", "Show the other " + (sections.length - shown.length) + " relationships");
    more.type = "button";
    more.addEventListener("click", () => showNode(id, true));
    document.getElementById("evidence-panel").appendChild(more);
  }
  return heading;
}

function showEdge(id) {
  const edge = EDGES[id];
  const items = qualifying[id];
  const left = edge.ev.length - items.length;
  const status = map.edgeLine[id];
  let subtitle = items.length + " statement" + (items.length === 1 ? "" : "s") +
    (left ? " (" + left + " more hidden by the filters)" : "");
  const drawn = DATA.statuses.find((s) => s.line === status);
  if (drawn) subtitle += "; drawn as " + drawn.label;
  if (!items.some((i) => i._dated)) subtitle += "; undated";
  const heading = agShowPanel(edgeTitle(edge), subtitle, [{heading: null, items}]);
  const back = agEl("p", "small");
  for (const end of [edge.from, edge.to]) {
    const button = agEl("button", "link-button", NODES[end].name);
    button.type = "button";
    button.addEventListener("click", () => select({kind: "node", id: end}, true));
    back.append(button, " ");
  }
  heading.after(back);
  return heading;
}

function showNothing() {
  const panel = document.getElementById("evidence-panel");
  panel.replaceChildren(agEl("h2", "panel-title", "Evidence"),
    agEl("p", "muted", "Click or tap an entity or a relationship to pin its evidence here: the quote, its source, " +
      "who asserts it, its dates and its status. Hovering shows it until you pin something."));
  panel.firstChild.tabIndex = -1;
}

function showInPanel(item) {
  if (!item) return showNothing();
  return item.kind === "node" ? showNode(item.id) : showEdge(item.id);
}

function select(found, fromPointer) {
  state.selected = found;
  state.preview = null;
  showInPanel(found);
  applyFocus();
  writeAddress();
  map.redraw();
  if (found && window.matchMedia("(max-width: 700px)").matches) agSheet(true);
}

// Hovering previews evidence only while nothing is pinned; a pinned selection stays in the panel.
function hover(found, at) {
  const tip = document.getElementById("tooltip");
  if (found && at) {
    tip.textContent = found.kind === "node" ? NODES[found.id].name :
      edgeTitle(EDGES[found.id]) + " (" + (DATA.statuses.find((s) => s.line === map.edgeLine[found.id]) || {label: "no status"}).label + ")";
    tip.hidden = false;
    const box = document.getElementById("network").getBoundingClientRect();
    tip.style.left = Math.min(at[0] + 14, box.width - tip.offsetWidth - 4) + "px";
    tip.style.top = Math.min(at[1] + 14, box.height - tip.offsetHeight - 4) + "px";
  } else {
    tip.hidden = true;
  }
  if (state.selected) return;
  const same = (p, q) => (p === q) || (p && q && p.kind === q.kind && p.id === q.id);
  if (same(found, state.preview)) return;
  state.preview = found;
  showInPanel(found);
  applyFocus();
  map.redraw();
}

function openSelection() {
  if (!state.selected) return;
  agSheet(true);
  document.querySelector("#evidence-panel .panel-title").focus();
}

// -- the address -------------------------------------------------------------------------------------

function addressState() {
  const query = {};
  if (state.q) query.q = state.q;
  if (state.asOf) query.asof = state.asOf;
  if (state.hiddenTypes.size) query.types = DATA.types.filter((t) => !state.hiddenTypes.has(t.iri)).map((t) => t.key).join(",");
  if (state.hiddenStatuses.size) {
    query.status = DATA.statuses.filter((s) => !state.hiddenStatuses.has(s.label)).map((s) => agSlug(s.label)).join(",");
  }
  if (state.hiddenSources.size) query.sources = DATA.sources.filter((s) => !state.hiddenSources.has(s.iri)).map((s) => s.key).join(",");
  if (!state.undated) query.undated = "0";
  const hash = {};
  if (state.selected && state.selected.kind === "node") hash.node = NODES[state.selected.id].key;
  if (state.selected && state.selected.kind === "edge") {
    const e = EDGES[state.selected.id];
    hash.edge = NODES[e.from].key + "/" + e.key + "/" + NODES[e.to].key;
  }
  return [query, hash];
}

let ready = false;
function writeAddress() {
  if (!ready) return;
  const [query, hash] = addressState();
  agWriteAddress(query, hash);
}

function readAddress() {
  const params = agReadAddress();
  const list = (key) => (params.get(key) || "").split(",").map((v) => agSlug(v)).filter(Boolean);
  const problems = [];
  if (params.has("types")) {
    const wanted = new Set(list("types").map((name) => TYPE_BY_NAME.get(name)).filter(Boolean));
    for (const t of DATA.types) if (!wanted.has(t.iri)) state.hiddenTypes.add(t.iri);
  }
  if (params.has("status")) {
    const wanted = new Set(list("status"));
    for (const s of DATA.statuses) if (!wanted.has(agSlug(s.label))) state.hiddenStatuses.add(s.label);
  }
  if (params.has("sources")) {
    const wanted = new Set(list("sources"));
    for (const s of DATA.sources) if (!wanted.has(agSlug(s.key))) state.hiddenSources.add(s.iri);
  }
  if (params.get("undated") === "0") state.undated = false;
  syncFilterBoxes();
  if (params.get("asof")) {
    setDate(params.get("asof"), null);
    if (!state.day) problems.push("asof");
  } else {
    refresh();
  }
  if (params.get("q")) {
    searchBox.value = params.get("q");
    search(params.get("q"));
  }
  const nodeKey = params.get("node");
  if (nodeKey && NODE_BY_KEY.has(nodeKey)) {
    const id = NODE_BY_KEY.get(nodeKey);
    if (map.nodeShown[id]) {
      select({kind: "node", id}, false);
      map.fit([id, ...map.focus.nodes], agCovered());
    }
  }
  const edgeKey = params.get("edge");
  if (edgeKey) {
    const [from, key, to] = edgeKey.split("/");
    const edge = EDGES.find((e) => NODES[e.from].key === from && e.key === key && NODES[e.to].key === to);
    if (edge && map.edgeShown[edge.id]) {
      select({kind: "edge", id: edge.id}, false);
      map.fit([edge.from, edge.to], agCovered());
    }
  }
}

// -- downloads and printing --------------------------------------------------------------------------

function caption() {
  const c = counts();
  const lines = [DATA.title];
  const filters = [];
  filters.push(state.asOf ? "As of " + agSpoken(state.asOf) + (state.undated ? " (undated relationships shown paler)" :
    " (undated relationships hidden)") : "All dates" + (state.undated ? "" : ", undated relationships hidden"));
  if (state.hiddenStatuses.size) {
    filters.push("statuses: " + DATA.statuses.filter((s) => !state.hiddenStatuses.has(s.label)).map((s) => s.label).join(", "));
  }
  if (state.hiddenTypes.size) {
    filters.push("types: " + DATA.types.filter((t) => !state.hiddenTypes.has(t.iri)).map((t) => t.label).join(", "));
  }
  if (state.q) filters.push("search: “" + state.q + "”");
  lines.push(filters.join("; ") + ". " + c.nodes + " of " + NODES.length + " entities, " + c.edges + " of " +
             EDGES.length + " relationships.");
  const used = new Set();
  for (const e of EDGES) {
    if (!map.edgeShown[e.id]) continue;
    for (const item of qualifying[e.id]) used.add(item.source_label || item.source);
  }
  lines.push("Sources: " + ([...used].sort().join("; ") || "none shown") + ".");
  lines.push("Made " + agNow() + " with actorgraph; every relationship carries its quote, source, status and dates.");
  return lines;
}

function fileName(ext) {
  const base = agSlug(DATA.title).slice(0, 60) || "actorgraph";
  return base + (state.asOf ? "-as-of-" + state.asOf : "") + "." + ext;
}

document.getElementById("download-png").addEventListener("click", () => {
  const lines = caption();
  map.toCanvas(lines, 2).toBlob(async (blob) => {
    const bytes = agPngWithText(await blob.arrayBuffer(), [["Title", lines[0]], ["Description", lines.slice(1).join("\n")],
                                                           ["Software", "actorgraph"]]);
    agDownload(new Blob([bytes], {type: "image/png"}), fileName("png"));
  }, "image/png");
});
document.getElementById("download-svg").addEventListener("click", () => {
  agDownload(new Blob([map.toSVG(caption())], {type: "image/svg+xml"}), fileName("svg"));
});

function preparePrint() {
  const lines = caption();
  const box = document.getElementById("print-caption");
  box.replaceChildren(...lines.map((text, i) => agEl(i ? "p" : "h2", null, text)));
  // The map as a sharp image for the paper (a canvas would print at screen resolution).
  const figure = document.getElementById("print-figure") || agEl("img");
  figure.id = "print-figure";
  figure.src = map.toCanvas([], 2).toDataURL("image/png");
  figure.alt = lines[0];
  document.getElementById("print-figure-box").replaceChildren(figure);
}
window.addEventListener("beforeprint", preparePrint);
document.getElementById("print").addEventListener("click", () => { preparePrint(); window.print(); });

// -- the rest of the controls -----------------------------------------------------------------------

document.getElementById("reset").addEventListener("click", () => {
  state.hiddenTypes.clear();
  state.hiddenStatuses.clear();
  state.hiddenSources.clear();
  state.undated = true;
  searchBox.value = "";
  state.q = "";
  hits = [];
  showResults();
  syncFilterBoxes();
  state.selected = null;
  state.preview = null;
  showNothing();
  setDate("", null);
  map.fit(null);
});
document.getElementById("zoom-in").addEventListener("click", () => map.zoomBy(1.4));
document.getElementById("zoom-out").addEventListener("click", () => map.zoomBy(1 / 1.4));
document.getElementById("zoom-fit").addEventListener("click", () => map.fit(null));
const narrow = window.matchMedia("(max-width: 700px)");
document.getElementById("filters").open = !narrow.matches;
agSheetSetup();

// Tests and people in the console can read the page's state here.
window.actorgraph = {data: DATA, map, state, ready: false, hits: () => hits, counts,
                     node: (key) => NODE_BY_KEY.get(key), select, caption};
buildFilters();
readAddress();
ready = true;
writeAddress();
summary();
map.drawn().then(() => {
  window.actorgraph.ready = true;
  document.body.dataset.ready = "true";
});
