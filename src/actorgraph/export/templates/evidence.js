// Shared by the explorer, the timeline and the story pages: evidence in the side panel, dates, names.
// Every piece of text goes in through textContent, never innerHTML, so labels and quotes stay text.
"use strict";

function agEl(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

// The last part of an IRI: the short name used in addresses (#node=osiris-luna-meza, #st=st-luna-...).
function agKey(iri) {
  const text = String(iri || "");
  const cut = Math.max(text.lastIndexOf("/"), text.lastIndexOf("#"));
  return cut >= 0 ? text.slice(cut + 1) : text;
}

const AG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"];

// "2021-07" -> "July 2021"; "2025-02-04" -> "4 February 2025"; "2022" -> "2022".
function agSpoken(value) {
  const parts = String(value || "").split("-");
  if (parts.length === 3) return Number(parts[2]) + " " + AG_MONTHS[Number(parts[1]) - 1] + " " + parts[0];
  if (parts.length === 2) return AG_MONTHS[Number(parts[1]) - 1] + " " + parts[0];
  return parts[0];
}

// "2021-07" is a month: say so, and say when a date was inferred rather than read.
function agDateText(value, precision, inferred) {
  if (!value) return "";
  let text = value + (precision ? " (" + precision + ")" : "");
  if (inferred) text += ", inferred";
  return text;
}

// Where a source's text page is, by the source's IRI: filled in by each page from its data.
const AG_SOURCE_PAGES = new Map();

// A link to the quoted sentence in the text page of the thing ``iri`` (a source document), or its label
// when it has no page.
function agThingLink(item, iri, label) {
  const page = AG_SOURCE_PAGES.get(iri);
  if (!page) return agEl("span", null, label || iri || "");
  const link = agEl("a", "source-link", label || iri);
  link.href = page + "#st=" + encodeURIComponent(agKey(item.statement));
  link.title = "Read the quoted sentence in its source";
  return link;
}

// The evidence fields, from the ontology through each page's data (base.html fills it): key, label and
// kind (text, thing, date), in order. The first is the quote, drawn as a block.
const AG_FIELDS = [];

function agEvidenceBlock(item) {
  const box = agEl("div", "evidence");
  const [first, ...rest] = AG_FIELDS;
  box.appendChild(agEl("blockquote", "quote", (first && item[first.key]) || "(no quote)"));
  const dl = agEl("dl");
  const add = (term, value) => {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(agEl("dt", null, term));
    const dd = agEl("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    dl.appendChild(dd);
  };
  const dates = rest.filter((field) => field.kind === "date");
  for (const field of rest) {
    const key = field.key;
    if (field.kind === "thing") {
      if (item[key] || item[key + "_label"]) add(field.label, agThingLink(item, item[key], item[key + "_label"]));
    } else if (field.kind === "date") {
      add(field.label, agDateText(item[key], item[key + "_precision"], item[key + "_inferred"]));
      if (field === dates[dates.length - 1]) {  // after the last date: undated, or the basis of an inferred one
        if (!dates.some((d) => item[d.key])) add(dates[0].label, "undated");
        add("date basis", dates.map((d) => item[d.key + "_basis"]).find((basis) => basis));
      }
    } else add(field.label, item[key]);
  }
  add("statement", agKey(item.statement));
  box.appendChild(dl);
  return box;
}

// An entity's identifiers in other datasets: each a link to its page there (https only, set as a
// property, never as markup), and where it was found.
function agIdentifiers(ids) {
  const list = agEl("ul", "identifiers");
  for (const item of ids) {
    const li = agEl("li", null, item.scheme + " ");
    const link = agEl("a", null, item.id);
    if (/^https:\/\//.test(item.link || "")) {
      link.href = item.link;
      link.rel = "noopener noreferrer external";
      link.target = "_blank";
    }
    li.appendChild(link);
    if (item.found_in) li.appendChild(agEl("span", "muted", " (found in " + item.found_in + ")"));
    list.appendChild(li);
  }
  return list;
}

// sections: [{heading, items, action}] where action, if given, makes the heading a button.
function agShowPanel(title, subtitle, sections, panel) {
  const target = panel || document.getElementById("evidence-panel");
  target.replaceChildren();
  const heading = agEl("h2", "panel-title", title);
  heading.tabIndex = -1;
  target.appendChild(heading);
  if (subtitle) target.appendChild(agEl("p", "subtitle", subtitle));
  for (const section of sections) {
    if (section.heading) {
      const h3 = agEl("h3");
      if (section.action) {
        const button = agEl("button", "link-button", section.heading);
        button.type = "button";
        button.addEventListener("click", section.action);
        h3.appendChild(button);
      } else {
        h3.textContent = section.heading;
      }
      target.appendChild(h3);
    }
    if (!section.items.length) target.appendChild(agEl("p", "muted", "No statement carries this relationship."));
    for (const item of section.items) target.appendChild(agEvidenceBlock(item));
  }
  return heading;
}

// Partial dates as [first day, last day] in ISO text, so they compare as strings.
function agSpan(text) {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec((text || "").trim());
  if (!m) return null;
  const y = m[1];
  if (m[2] && (Number(m[2]) < 1 || Number(m[2]) > 12)) return null;
  const last = m[2] ? new Date(Date.UTC(Number(y), Number(m[2]), 0)).getUTCDate() : 31;
  if (m[3] && (Number(m[3]) < 1 || Number(m[3]) > last)) return null;
  if (m[3]) return [text.trim(), text.trim()];
  if (m[2]) {
    return [y + "-" + m[2] + "-01", y + "-" + m[2] + "-" + String(last).padStart(2, "0")];
  }
  return [y + "-01-01", y + "-12-31"];
}

// The same rule as actorgraph.network.holds_on: kept unless it certainly does not hold on the day.
// A statement's own dates are read once and kept on it.
function agHoldsOn(item, day) {
  if (!item._spans) item._spans = [agSpan(item.start_time), agSpan(item.end_time), agSpan(item.point_in_time)];
  const [start, end, point] = item._spans;
  if (start && start[0] > day[1]) return false;
  if (end && end[1] < day[0]) return false;
  if (point && point[0] > day[1]) return false;
  return true;
}

function agDated(item) {
  return Boolean(item.point_in_time || item.start_time || item.end_time);
}

function agFold(text) {
  return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

// A label as it appears in an address: "not agreed" -> "not-agreed".
function agSlug(text) {
  return agFold(text).replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

// The page's address parameters: the query string and the part after #, the latter winning.
function agReadAddress() {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of new URLSearchParams(location.hash.replace(/^#/, ""))) params.set(key, value);
  return params;
}

// Write the state into the address, so the view can be sent to someone: filters in the query string,
// the selection after #. Where a browser refuses to change the query of a file, all of it goes after #.
function agWriteAddress(query, hash) {
  const q = new URLSearchParams(query).toString(), h = new URLSearchParams(hash).toString();
  const url = location.pathname + (q ? "?" + q : "") + (h ? "#" + h : "");
  if (url === location.pathname + location.search + location.hash) return;
  try {
    history.replaceState(null, "", url);
  } catch (err) {
    const all = new URLSearchParams({...query, ...hash}).toString();
    try { history.replaceState(null, "", location.pathname + location.search + "#" + all); } catch (again) { /* leave it */ }
  }
}

// Text as its words, folded and separated by single spaces, with a space in front: a search matches
// where a word starts ("red" finds the alias "Red", not "offered"; "ms-13" finds "MS-13").
function agWords(text) {
  return " " + agFold(text).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

// Search: how well a name matches what was typed (lower is better; null: no match): the whole name,
// the start of the name, the start of one of its words.
function agMatchRank(names, wanted, known) {
  const query = agWords(wanted).trim();
  if (!query) return null;
  let best = null;
  for (const [k, name] of names.entries()) {
    const words = known ? known[k] : agWords(name);  // ``known``: the names' agWords, computed once
    let rank = null;
    if (words === " " + query) rank = 0;
    else if (words.startsWith(" " + query)) rank = 1;
    else if (words.includes(" " + query)) rank = 2;
    if (rank !== null && (best === null || rank < best)) best = rank;
  }
  return best;
}

// PNG text chunks (title, caption...) inserted after the image header, so the caption travels with
// the file; CRC-32 as the PNG format defines it.
const AG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function agCrc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = AG_CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function agPngWithText(buffer, texts) {
  const png = new Uint8Array(buffer);
  const chunks = [];
  for (const [keyword, value] of texts) {
    // tEXt holds Latin-1; iTXt would hold UTF-8, so it is used for every caption line.
    const encoder = new TextEncoder();
    const body = [...encoder.encode(keyword), 0, 0, 0, 0, 0, ...encoder.encode(value)];
    const type = encoder.encode("iTXt");
    const data = new Uint8Array(4 + 4 + body.length + 4);
    const view = new DataView(data.buffer);
    view.setUint32(0, body.length);
    data.set(type, 4);
    data.set(body, 8);
    view.setUint32(8 + body.length, agCrc32(data.subarray(4, 8 + body.length)));
    chunks.push(data);
  }
  const headerEnd = 8 + 25;  // signature, then the IHDR chunk (4 + 4 + 13 + 4 bytes)
  const total = png.length + chunks.reduce((sum, c) => sum + c.length, 0);
  const out = new Uint8Array(total);
  out.set(png.subarray(0, headerEnd), 0);
  let at = headerEnd;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  out.set(png.subarray(headerEnd), at);
  return out;
}

function agDownload(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = agEl("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function agNow() {
  const d = new Date(), pad = (v) => String(v).padStart(2, "0");
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" +
    pad(d.getMinutes());
}

// The phone layout's sheet: folded to its handle, or open over the lower part of the screen.
function agSheet(open) {
  const aside = document.querySelector("aside");
  if (!aside) return;
  aside.dataset.sheet = open ? "open" : "peek";
  const toggle = document.getElementById("sheet-toggle");
  if (toggle) {
    toggle.setAttribute("aria-expanded", String(Boolean(open)));
    toggle.textContent = open ? "Fold the panel" : "Open the panel";
  }
}

// How many pixels of the bottom of the screen the open sheet covers (0 on a wide screen).
function agCovered() {
  const aside = document.querySelector("aside");
  if (!aside || aside.dataset.sheet !== "open" || !window.matchMedia("(max-width: 700px)").matches) return 0;
  return aside.getBoundingClientRect().height;
}

function agSheetSetup() {
  const toggle = document.getElementById("sheet-toggle");
  if (!toggle) return;
  agSheet(false);
  toggle.addEventListener("click", () => agSheet(document.querySelector("aside").dataset.sheet !== "open"));
}
