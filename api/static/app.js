// The causegraph web view: plain JS, no build step. Reads the REST API with the token kept in sessionStorage
// (the demo passes it as #token=... in the URL). Everything from the API is set as text, never as HTML.
"use strict";

const API = "/api/v1";
const SVGNS = "http://www.w3.org/2000/svg";
const SEV_COLOR = { critical: "#e5484d", error: "#f76b15", high: "#f76b15", warning: "#ffc53d", medium: "#ffc53d" };
const LAYER = { Service: 0, Ingress: 0, Deployment: 1, StatefulSet: 1, DaemonSet: 1, Job: 1, CronJob: 1,
                ReplicaSet: 2, Pod: 3, ConfigMap: 3, Secret: 3, PersistentVolumeClaim: 3, Node: 4 };

function token() { return sessionStorage.getItem("causegraph.token") || ""; }

// #correlation=<id> (the link in causegraph's Alertmanager alerts) opens that incident; read before the token is taken.
const WANTED = decodeURIComponent((location.hash.match(/correlation=([^&]+)/) || [])[1] || "");

(function takeTokenFromUrl() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("causegraph.token", decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
})();

async function api(path) {
  const res = await fetch(API + path, { headers: { Authorization: "Bearer " + token() } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function status(msg, isError) {
  const s = document.getElementById("status");
  s.textContent = msg;
  s.className = isError ? "error" : "muted";
}

const hhmmss = (ms) => new Date(ms).toISOString().slice(11, 19);

async function loadCorrelations() {
  const state = document.getElementById("state-filter").value;
  const since = Date.now() - 30 * 86400000;
  const q = new URLSearchParams({ since: String(since), limit: "100" });
  if (state) q.set("state", state);
  const list = document.getElementById("correlations");
  try {
    const page = await api("/correlations?" + q);
    list.replaceChildren();
    let wanted = null;
    for (const c of page.items) {
      const li = el("li", { "data-id": c.id });
      li.append(el("span", { class: "badge sev-" + c.severity }, c.severity), el("strong", {}, c.type.replace(/_/g, " ")));
      li.append(el("div", {}, c.summary));
      li.append(el("div", { class: "muted" }, c.state + " · " + c.last_seen + " · confidence " + c.confidence.toFixed(2)));
      li.addEventListener("click", () => showIncident(c, li));
      list.append(li);
      if (c.id === WANTED) wanted = [c, li];
    }
    status(page.items.length ? "" : "No correlations in the last 30 days with this state.");
    if (wanted && !document.querySelector("#correlations li.selected")) showIncident(wanted[0], wanted[1]);
    if (page.items.length && !document.querySelector("#correlations li.selected")) showIncident(page.items[0], list.firstChild);
  } catch (err) {
    status(err.message, true);
  }
}

async function showIncident(c, li) {
  document.querySelectorAll("#correlations li").forEach((x) => x.classList.remove("selected"));
  li.classList.add("selected");
  const head = document.getElementById("incident-head");
  head.className = "";
  head.replaceChildren(
    el("div", { class: "summary" }, c.summary),
    el("div", {}, "Root cause: " + (c.root_cause.description || c.root_cause.reason) + " (" + c.root_cause.event_id + ")"),
    el("div", { class: "muted" }, "Impact: " + (c.impact.services || []).join(", ") + (c.impact.pods ? " · " + c.impact.pods + " pods" : "")),
    el("div", {}, c.remediation ? "Remediation: " + c.remediation : ""),
  );
  const [timeline, graph] = await Promise.all([
    api("/correlations/" + encodeURIComponent(c.id) + "/timeline"),
    api("/correlations/" + encodeURIComponent(c.id) + "/graph"),
  ]);
  drawTimeline(timeline.events, c.chain || []);
  drawGraph(graph, c.chain || []);
}

function drawTimeline(events, chain) {
  const box = document.getElementById("timeline");
  box.replaceChildren();
  if (!events.length) { box.append(el("p", { class: "muted" }, "No events stored.")); return; }
  const lanes = [...new Set(events.map((e) => e.resource.kind + " " + (e.resource.name || "?")))];
  const left = 230, right = 130, top = 20, laneH = 34, width = Math.max(700, box.clientWidth || 700);
  const height = top + lanes.length * laneH + 40;
  const t0 = Math.min(...events.map((e) => e.ts)), t1 = Math.max(...events.map((e) => e.ts));
  const span = Math.max(1000, t1 - t0);
  const x = (t) => left + ((t - t0) / span) * (width - left - right);
  const y = (e) => top + lanes.indexOf(e.resource.kind + " " + (e.resource.name || "?")) * laneH + laneH / 2;
  const root = svg("svg", { width, height, role: "img", "aria-label": "timeline" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#e5484d" }));
  defs.append(marker);
  root.append(defs);
  lanes.forEach((name, i) => {
    const ly = top + i * laneH + laneH / 2;
    root.append(svg("line", { class: "lane", x1: left, x2: width - right, y1: ly, y2: ly }));
    root.append(svg("text", { x: 6, y: ly + 4 }, name.length > 34 ? name.slice(0, 33) + "…" : name));
  });
  const axisY = top + lanes.length * laneH + 10;
  const axis = svg("g", { class: "axis" });
  axis.append(svg("line", { x1: left, x2: width - right, y1: axisY, y2: axisY }));
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    axis.append(svg("line", { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 5 }));
    axis.append(svg("text", { x: x(t) - 24, y: axisY + 18 }, hhmmss(t)));
  }
  root.append(axis);
  const byId = Object.fromEntries(events.map((e) => [e.id, e]));
  const ids = chain.map((c) => c.event_id).filter((id) => byId[id]);
  for (let i = 1; i < ids.length; i++) {
    const a = byId[ids[i - 1]], b = byId[ids[i]];
    const path = svg("path", { class: "chain", d: `M${x(a.ts)},${y(a)} C${x(a.ts) + 30},${y(a)} ${x(b.ts) - 30},${y(b)} ${x(b.ts) - 8},${y(b)}`, "marker-end": "url(#arrow)" });
    root.append(path);
  }
  for (const e of events) {
    const c = svg("circle", { class: "event" + (e.root ? " root" : ""), cx: x(e.ts), cy: y(e), r: e.root ? 9 : 6,
                              fill: SEV_COLOR[e.severity] || "#8a97a6", "data-event": e.id });
    c.append(svg("title", {}, `${hhmmss(e.ts)} ${e.reason}: ${e.message}`));
    root.append(c);
    root.append(svg("text", { x: x(e.ts) + 11, y: y(e) - 8 }, (e.root ? "ROOT " : "") + e.reason));
  }
  box.append(root);
}

function drawGraph(graph, chain) {
  const box = document.getElementById("graph");
  box.replaceChildren();
  const resources = graph.nodes.filter((n) => n.type === "resource");
  if (!resources.length) { box.append(el("p", { class: "muted" }, "No resources stored for this incident.")); return; }
  const events = graph.nodes.filter((n) => n.type === "event");
  const about = {};
  for (const e of graph.edges) if (e.type === "ABOUT") (about[e.target] = about[e.target] || []).push(e.source);
  const rootRes = new Set(graph.edges.filter((e) => e.type === "ABOUT" && events.find((n) => n.id === e.source && n.roles.includes("root"))).map((e) => e.target));
  const layers = {};
  for (const n of resources) (layers[LAYER[n.kind] ?? 5] = layers[LAYER[n.kind] ?? 5] || []).push(n);
  const order = Object.keys(layers).map(Number).sort((a, b) => a - b);
  const nodeW = 150, nodeH = 38, gapX = 24, gapY = 60;
  const width = Math.max(700, ...order.map((l) => layers[l].length * (nodeW + gapX) + gapX));
  const height = order.length * (nodeH + gapY) + 20;
  const pos = {};
  order.forEach((l, row) => {
    const items = layers[l].sort((a, b) => a.name.localeCompare(b.name));
    const offset = (width - items.length * (nodeW + gapX) + gapX) / 2;
    items.forEach((n, i) => { pos[n.id] = { x: offset + i * (nodeW + gapX), y: 10 + row * (nodeH + gapY) }; });
  });
  const root = svg("svg", { width, height, role: "img", "aria-label": "incident graph" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "garrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#4a5868" }));
  const cmarker = svg("marker", { id: "carrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" });
  cmarker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#e5484d" }));
  defs.append(marker, cmarker);
  root.append(defs);
  const center = (id) => ({ x: pos[id].x + nodeW / 2, y: pos[id].y + nodeH / 2 });
  for (const e of graph.edges) {
    if (!pos[e.source] || !pos[e.target]) continue;
    const a = center(e.source), b = center(e.target);
    const line = svg("line", { class: "edge", x1: a.x, y1: a.y, x2: b.x, y2: b.y, "marker-end": "url(#garrow)" });
    line.append(svg("title", {}, e.type));
    root.append(line);
    root.append(svg("text", { x: (a.x + b.x) / 2 + 4, y: (a.y + b.y) / 2, "font-size": "9", fill: "#8a97a6" }, e.type));
  }
  const resOf = {};
  for (const e of graph.edges) if (e.type === "ABOUT") resOf[e.source.replace(/^event:/, "")] = e.target;
  const ids = chain.map((c) => resOf[c.event_id]).filter(Boolean);
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] === ids[i - 1] || !pos[ids[i]] || !pos[ids[i - 1]]) continue;
    const a = center(ids[i - 1]), b = center(ids[i]);
    root.append(svg("path", { class: "chain", d: `M${a.x},${a.y} Q${(a.x + b.x) / 2 + 40},${(a.y + b.y) / 2} ${b.x},${b.y}`, "marker-end": "url(#carrow)" }));
  }
  for (const n of resources) {
    const cls = ["node", ...n.roles, rootRes.has(n.id) ? "root" : ""].join(" ");
    const g = svg("g", { class: cls, transform: `translate(${pos[n.id].x},${pos[n.id].y})`, "data-id": n.id });
    g.append(svg("rect", { width: nodeW, height: nodeH }));
    g.append(svg("text", { x: 6, y: 14, fill: "#8a97a6" }, n.kind + (about[n.id] ? ` · ${about[n.id].length} event(s)` : "")));
    g.append(svg("text", { x: 6, y: 29 }, n.name.length > 22 ? n.name.slice(0, 21) + "…" : n.name));
    g.append(svg("title", {}, n.key));
    root.append(g);
  }
  box.append(root);
}

async function fillNames() {
  const kind = document.getElementById("blast-kind").value;
  const list = document.getElementById("blast-names");
  try {
    const res = await api("/resources?" + new URLSearchParams({ kind, limit: "200" }));
    list.replaceChildren(...res.items.map((r) => el("option", { value: r.namespace ? r.namespace + "/" + r.name : r.name })));
  } catch (err) { list.replaceChildren(); }
}

function describe(item) {
  if (item === null || typeof item !== "object") return String(item);
  const name = [item.kind, item.namespace, item.name].filter(Boolean).join("/") || item.key || item.id || "";
  const extra = item.status || item.effect || item.impact || item.reason || "";
  return extra ? `${name} — ${extra}` : name || JSON.stringify(item);
}

async function blast(ev) {
  ev.preventDefault();
  const kind = document.getElementById("blast-kind").value;
  const value = document.getElementById("blast-name").value.trim();
  const out = document.getElementById("blast-result");
  out.replaceChildren(el("p", { class: "muted" }, "Asking the graph…"));
  let path;
  if (kind === "Node") path = "/impact/nodes/" + encodeURIComponent(value);
  else {
    const [ns, name] = value.includes("/") ? value.split("/", 2) : ["default", value];
    path = `/impact/${encodeURIComponent(kind)}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
  }
  try {
    const r = await api(path);
    const cols = el("div", { class: "cols" });
    for (const [key, val] of Object.entries(r)) {
      if (key === "target" || key === "summary" || key === "cypher") continue;
      const col = el("div", { class: "col", "data-key": key });
      const items = Array.isArray(val) ? val : (val && typeof val === "object" ? Object.entries(val).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.length : typeof v === "object" ? JSON.stringify(v) : v}`) : [val]);
      col.append(el("h4", {}, key.replace(/_/g, " ") + (Array.isArray(val) ? ` (${val.length})` : "")));
      const ul = el("ul");
      for (const it of items.slice(0, 50)) ul.append(el("li", {}, describe(it)));
      if (items.length > 50) ul.append(el("li", { class: "muted" }, `… ${items.length - 50} more`));
      col.append(ul);
      cols.append(col);
    }
    const summary = typeof r.summary === "string" ? r.summary : JSON.stringify(r.summary || "");
    out.replaceChildren(el("p", { class: "summary" }, summary), cols);
  } catch (err) {
    out.replaceChildren(el("p", { class: "error" }, err.message));
  }
}

document.getElementById("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("causegraph.token", document.getElementById("token").value.trim());
  loadCorrelations(); fillNames();
});
document.getElementById("state-filter").addEventListener("change", loadCorrelations);
document.getElementById("blast-kind").addEventListener("change", fillNames);
document.getElementById("blast-form").addEventListener("submit", blast);
loadCorrelations();
fillNames();
setInterval(loadCorrelations, 10000);
