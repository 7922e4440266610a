// The query page. Every piece of data reaches the page through textContent, never innerHTML.
"use strict";

const endpoint = new URL("/sparql", window.location.href).toString();

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function termText(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  if (term.type === "bnode") return "_:" + term.value;
  if (term.type === "triple") return "<< " + termText(term.value.subject) + " " +
    termText(term.value.predicate) + " " + termText(term.value.object) + " >>";
  return term.value;
}

function showTable(doc, target) {
  if (typeof doc.boolean === "boolean") {
    target.appendChild(el("p", "ASK: " + (doc.boolean ? "yes" : "no")));
    return 1;
  }
  const vars = doc.head.vars || [];
  const rows = doc.results.bindings || [];
  const table = el("table");
  const head = el("tr");
  vars.forEach((v) => head.appendChild(el("th", v)));
  table.appendChild(head);
  rows.forEach((row) => {
    const tr = el("tr");
    vars.forEach((v) => tr.appendChild(el("td", termText(row[v]))));
    table.appendChild(tr);
  });
  target.appendChild(table);
  return rows.length;
}

async function run(event) {
  if (event) event.preventDefault();
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  const format = document.getElementById("format").value;
  const accept = format === "table"
    ? "application/sparql-results+json, text/turtle;q=0.9"
    : format + ", text/turtle;q=0.5, application/sparql-results+json;q=0.5";
  result.replaceChildren();
  status.className = "";
  status.textContent = "running…";
  const started = performance.now();
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: document.getElementById("query").value }),
    });
    const text = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.className = "error";
      status.textContent = "HTTP " + response.status + ": " + text.trim();
      return;
    }
    const type = (response.headers.get("Content-Type") || "").split(";")[0];
    if (format === "table" && type === "application/sparql-results+json") {
      const count = showTable(JSON.parse(text), result);
      status.textContent = count + " result(s) in " + seconds + " s";
    } else {
      result.appendChild(el("pre", text));
      status.textContent = type + " in " + seconds + " s";
    }
  } catch (err) {
    status.className = "error";
    status.textContent = "request failed: " + err;
  }
}

function loadExamples() {
  const data = JSON.parse(document.getElementById("examples").textContent || "[]");
  const list = document.getElementById("example-list");
  data.forEach((example) => {
    const item = el("li");
    const button = el("button", example.title || example.name);
    button.type = "button";
    button.addEventListener("click", () => {
      document.getElementById("query").value = example.text;
      document.getElementById("format").value = "table";
    });
    item.appendChild(button);
    let note = example.description || "";
    if (example.params.length) note += " Needs: " + example.params.map((p) => "?" + p).join(", ") + ".";
    item.appendChild(el("div", note, "description"));
    list.appendChild(item);
  });
}

document.getElementById("endpoint").textContent = endpoint;
document.getElementById("query-form").addEventListener("submit", run);
loadExamples();
