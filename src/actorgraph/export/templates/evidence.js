// Shared by the network and timeline pages: draws evidence into the side panel.
// Every piece of text goes in through textContent, never innerHTML, so labels and quotes stay text.
"use strict";

function agEl(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

// "2021-07" is a month: say so, and say when a date was inferred rather than read.
function agDateText(value, precision, inferred) {
  if (!value) return "";
  let text = value + (precision ? " (" + precision + ")" : "");
  if (inferred) text += ", inferred";
  return text;
}

function agEvidenceBlock(item) {
  const box = agEl("div", "evidence");
  box.appendChild(agEl("blockquote", "quote", item.quote || "(no quote)"));
  const dl = agEl("dl");
  const add = (term, value) => {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(agEl("dt", null, term));
    dl.appendChild(agEl("dd", null, value));
  };
  add("status", item.status_label);
  add("asserted by", item.asserted_by_label);
  add("source", item.source_label);
  add("date", agDateText(item.point_in_time, item.point_in_time_precision, item.point_in_time_inferred));
  add("from", agDateText(item.start_time, item.start_time_precision, item.start_time_inferred));
  add("until", agDateText(item.end_time, item.end_time_precision, item.end_time_inferred));
  add("date basis", item.point_in_time_basis || item.start_time_basis || item.end_time_basis);
  add("role", item.role);
  add("reason", item.reason);
  add("event", item.event_label);
  add("statement", item.statement);
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

function agShowPanel(title, subtitle, sections) {
  const panel = document.getElementById("evidence-panel");
  panel.replaceChildren();
  panel.appendChild(agEl("h2", null, title));
  if (subtitle) panel.appendChild(agEl("p", "subtitle", subtitle));
  for (const section of sections) {
    if (section.heading) panel.appendChild(agEl("h3", null, section.heading));
    if (!section.items.length) panel.appendChild(agEl("p", "muted", "No statement carries this relationship."));
    for (const item of section.items) panel.appendChild(agEvidenceBlock(item));
  }
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
function agHoldsOn(item, day) {
  const start = agSpan(item.start_time), end = agSpan(item.end_time), point = agSpan(item.point_in_time);
  if (start && start[0] > day[1]) return false;
  if (end && end[1] < day[0]) return false;
  if (point && point[0] > day[1]) return false;
  return true;
}

function agFold(text) {
  return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}
