// The booth page: one tap (or one key) records an entry; the page redraws from
// /api/board, which reads the laptop's SQLite log, so what it shows is what is saved.
"use strict";
const DATA = JSON.parse(document.getElementById("openday-data").textContent);
const T = DATA.text;
const L = DATA.labels;
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
let lastEntry = null; // {event_id, text, at}
let undoTimer = null;
let board = null;

// Every API call says the page's language, so refusals come back in the words on screen.
function api(path) { return `${path}${path.includes("?") ? "&" : "?"}lang=${DATA.lang}`; }
function label(catalogue, key) { return (L[catalogue] && L[catalogue][key]) || key; }
function fieldName(name) { return T["field." + name] || name; }
function clock(iso) { return iso ? new Date(iso).toLocaleTimeString(DATA.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : ""; }
function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return T.ago_s.replace("{n}", s);
  if (s < 3600) return T.ago_m.replace("{n}", Math.floor(s / 60));
  return T.ago_h.replace("{n}", Math.floor(s / 3600));
}

function describe(e, seqOf) {
  const p = e.payload || {};
  switch (e.type) {
    case "material.distributed": return `${label("materials", p.material)} ×${p.quantity}`;
    case "material.restocked": return `${T.restocked}: ${label("materials", p.material)} +${p.quantity}`;
    case "visitor.received": return `${T.visitor_one} ${p.party_size} ${T.people}`;
    case "inquiry.answered":
      return `${T.inquiries}: ${label("topics", p.topic)} · ${label("departments", p.department)} · ${label("outcomes", p.outcome)}` +
        (p.note ? ` · ${p.note}` : "");
    case "feedback.collected":
      return `${T.feedback}: ${label("ratings", p.rating)}` + (p.topic ? ` · ${label("topics", p.topic)}` : "") +
        (p.hot_issue ? ` · ${T.hot_issue}` : "") + (p.comment ? ` · ${p.comment}` : "");
    case "event.voided": {
      const seq = seqOf[p.target_event_id];
      return `${T.void}${seq ? " #" + seq : ""}: ${p.reason}`;
    }
    default: return e.type;
  }
}

// ---- errors, per field, in the page's language (the server translates) ----
function flatten(errors, prefix = "") {
  const out = [];
  for (const [name, value] of Object.entries(errors || {})) {
    if (Array.isArray(value)) out.push([name, value.join(" ")]);
    else if (value && typeof value === "object") out.push(...flatten(value, name));
  }
  return out;
}
function showErrors(area, errors) {
  const box = $(`.errors[data-for="${area}"]`);
  if (!box) return;
  box.textContent = errors ? `${T.entry_refused} — ` + flatten(errors).map(([f, m]) => `${fieldName(f)}: ${m}`).join("；") : "";
}

// ---- recording ----
// A number box and the payload field it fills: a refusal that names the field marks the box
// and keeps what was typed (so it can be corrected); a saved entry puts the box back to 1.
const NUMBER_FIELD = { "quantity": "quantity", "restock-quantity": "quantity", "party-size": "party_size" };
function settleNumbers(ids, errors) {
  for (const id of ids) {
    const input = document.getElementById(id);
    const refused = errors && errors.payload && NUMBER_FIELD[id] in errors.payload;
    input.setAttribute("aria-invalid", refused ? "true" : "false");
    if (!errors) { input.value = 1; if (id === "party-size") $("#visitor-size").textContent = "1"; }
  }
}
function clearAllErrors() { $$(".errors").forEach((box) => { box.textContent = ""; }); }

async function post(entry, button, numbers = []) {
  const staff = $("#staff").value.trim();
  if (staff) entry = { ...entry, staff };
  const response = await fetch(api("/api/events"), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(entry),
  });
  const body = await response.json();
  if (response.status !== 201) {
    showErrors(entry.type, body.errors);
    settleNumbers(numbers, body.errors || {});
    return null;
  }
  clearAllErrors(); // an earlier "pick a topic first" is stale once something is saved
  settleNumbers(numbers, null);
  if (button) { button.classList.add("flash"); setTimeout(() => button.classList.remove("flash"), 250); }
  if (entry.type !== "event.voided") offerUndo(body.event_id, describe({ ...entry, seq: body.seq }, {}));
  await refresh();
  return body;
}

// Digits only: Number("1e3") is 1000 and Number("2.") is 2, so the text itself is checked;
// anything else goes as typed and the app refuses it with the field named.
function readNumber(id) {
  const text = document.getElementById(id).value.trim();
  return /^[0-9]{1,6}$/.test(text) ? Number(text) : text;
}

function recordMaterial(button) {
  const payload = { material: button.dataset.material, quantity: readNumber("quantity") };
  return post({ type: "material.distributed", payload }, button, ["quantity"]);
}
function recordRestock(button) {
  // Stock delivered to the booth: the material chosen in the list, the quantity beside it.
  const payload = { material: $("#restock-material").value, quantity: readNumber("restock-quantity") };
  return post({ type: "material.restocked", payload }, button, ["restock-quantity"]);
}
function recordVisitor(button) {
  return post({ type: "visitor.received", payload: { party_size: readNumber("party-size") } }, button, ["party-size"]);
}
function pickTopic(button) {
  const on = button.getAttribute("aria-checked") !== "true";
  $$("button.topic").forEach((b) => b.setAttribute("aria-checked", "false"));
  button.setAttribute("aria-checked", on ? "true" : "false");
}
function recordInquiry(button) {
  const topic = $("button.topic[aria-checked=true]");
  if (!topic) { $(`.errors[data-for="inquiry.answered"]`).textContent = T.pick_topic_first; return null; }
  const payload = { topic: topic.dataset.topic, department: $("#department").value, outcome: button.dataset.outcome };
  const note = $("#inquiry-note").value.trim();
  if (note) payload.note = note;
  return post({ type: "inquiry.answered", payload }, button).then((ok) => {
    if (ok) { topic.setAttribute("aria-checked", "false"); $("#inquiry-note").value = ""; }
    return ok;
  });
}
function recordFeedback(button) {
  const payload = { rating: button.dataset.rating };
  if ($("#feedback-topic").value) payload.topic = $("#feedback-topic").value;
  const comment = $("#feedback-comment").value.trim();
  if (comment) payload.comment = comment;
  if ($("#hot-issue").checked) payload.hot_issue = true;
  return post({ type: "feedback.collected", payload }, button).then((ok) => {
    if (ok) { $("#feedback-topic").value = ""; $("#feedback-comment").value = ""; $("#hot-issue").checked = false; }
    return ok;
  });
}
function voidEntry(eventId, reason) {
  return post({ type: "event.voided", payload: { target_event_id: eventId, reason } }, null);
}

// ---- undo last: a void, offered for a few seconds after an entry ----
function offerUndo(eventId, text) {
  lastEntry = { event_id: eventId, text };
  $("#undo-text").textContent = `${T.saved}: ${text}`;
  $("#undo-bar").hidden = false;
  clearTimeout(undoTimer);
  // The app's window started at the commit, a moment before this answer arrived: close first.
  undoTimer = setTimeout(hideUndo, Math.max(0, DATA.undo_seconds * 1000 - 250));
}
function hideUndo() { $("#undo-bar").hidden = true; lastEntry = null; }
async function undoLast() {
  if (!lastEntry) return;
  const target = lastEntry.event_id;
  hideUndo();
  // The app checks the window too (POST /api/undo): a late undo is refused, nothing stored.
  const staff = $("#staff").value.trim();
  const response = await fetch(api("/api/undo"), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(staff ? { target_event_id: target, staff } : { target_event_id: target }),
  });
  const body = await response.json();
  showErrors("undo", response.status === 201 ? null : body.errors);
  await refresh();
}

// ---- drawing the board ----
const FIGURES = () => [
  ["visitors", T.visitors, (d) => d.visitors],
  ["inquiries", T.inquiries_total, (d) => d.inquiries && d.inquiries.total],
  ...DATA.order.materials.map((m) => [`material-${m}`, label("materials", m), (d) => d.materials && (d.materials.distributed || {})[m]]),
  // Stock rows only for materials some scope has restocked (stock is unknown otherwise).
  ...DATA.order.materials.filter((m) => restockedSomewhere(m)).flatMap((m) => [
    [`restocked-${m}`, `${T.restocked} · ${label("materials", m)}`, (d) => d.materials && (d.materials.restocked || {})[m]],
    [`remaining-${m}`, `${T.remaining} · ${label("materials", m)}`, (d) => d.materials && (d.materials.remaining || {})[m]],
  ]),
  ["feedback", T.feedback_total, (d) => d.feedback && d.feedback.total],
  ["hot-issues", T.hot_issues, (d) => d.feedback && d.feedback.hot_issues],
  ["voided", T.voided_total, (d) => d.voided],
];

function restockedSomewhere(material) {
  const docs = board ? [board.laptop, board.central && board.central.booth, board.central && board.central.day] : [];
  return docs.some((d) => d && d.materials && d.materials.restocked && material in d.materials.restocked);
}

function drawTotals(laptop, central) {
  const scopes = [["laptop", laptop], ["booth", central && central.booth], ["day", central && central.day]];
  $("#totals tbody").replaceChildren(...FIGURES().map(([id, name, get]) => {
    const tr = document.createElement("tr");
    const th = document.createElement("td");
    th.textContent = name;
    tr.append(th);
    for (const [scope, doc] of scopes) {
      const td = document.createElement("td");
      td.dataset.figure = id;
      td.dataset.scope = scope;
      const value = doc ? (get(doc) || 0) : null;
      td.textContent = value === null ? T.not_synced : value;
      if (value === null) td.className = "muted small";
      else if (id.startsWith("remaining-") && value < 0) { // more handed out than delivered: not low stock
        td.textContent = T.delivery_missing;
        td.className = "muted small";
      }
      tr.append(td);
    }
    return tr;
  }));
  $("#central-age").textContent = central ? `${T.central_as_of} ${clock(central.fetched_at)} (${ago(central.fetched_at)})` : T.central_unknown;
  const closed = central && central.day && central.day.closed;
  $("#day-closed").hidden = !closed;
  $("#day-closed").textContent = closed ? T.day_closed.replace("{time}", clock(closed.closed_at)) : "";
}

function drawStatus(s) {
  const badge = $("#online");
  const state = !s.enrolled ? "not_enrolled" : s.online ? "online" : s.contact || s.last_error ? "offline" : "connecting";
  badge.className = "badge " + state;
  badge.textContent = T[state];
  $("#pending").textContent = s.pending;
  $("#last-sync").textContent = s.last_sync ? `${clock(s.last_sync.server_time)} (${ago(s.last_sync.at)})` : T.never;
  $("#sync-error").hidden = !s.last_error_text;
  $("#insecure-warning").hidden = !s.insecure;
  $("#sync-error").textContent = s.last_error_text ? `${T.last_error}: ${s.last_error_text}` : "";
  $("#enroll").hidden = s.enrolled && !s.blocked;
  const boothSelect = $("#booth-select");
  if (document.activeElement !== boothSelect) boothSelect.value = s.booth_id;
  boothSelect.disabled = s.last_seq > 0 || s.enrolled; // entries keep the booth they were recorded for
  $("#device-id").textContent = s.device_id + (s.sync_url ? ` → ${s.sync_url}` : "");
  const booth = label("booths", s.booth_id);
  if ($("#booth-name").textContent !== booth) $("#booth-name").textContent = booth;
}

function drawRecent(events) {
  const seqOf = Object.fromEntries(events.map((e) => [e.event_id, e.seq]));
  const open = $("#recent form") && $("#recent form").dataset.target;
  $("#recent").replaceChildren(...events.map((e) => {
    const li = document.createElement("li");
    li.dataset.eventId = e.event_id;
    li.dataset.type = e.type;
    if (e.voided) li.classList.add("voided");
    const when = document.createElement("span");
    when.className = "muted small";
    when.textContent = `#${e.seq} ${clock(e.recorded_at)}`;
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = describe(e, seqOf);
    li.append(when, what);
    if (e.voided) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = T.voided;
      li.append(tag);
    } else if (e.type !== "event.voided") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "void";
      button.textContent = T.void;
      button.addEventListener("click", () => openVoid(li, e.event_id));
      li.append(button);
      if (open === e.event_id) openVoid(li, e.event_id, true);
    }
    return li;
  }));
}

function openVoid(li, eventId, keep) {
  if (!keep) $$("#recent form").forEach((f) => f.remove());
  const form = document.createElement("form");
  form.dataset.target = eventId;
  const input = document.createElement("input");
  input.name = "reason";
  input.placeholder = T.void_reason;
  input.maxLength = 200;
  const ok = document.createElement("button");
  ok.type = "submit";
  ok.textContent = T.void_confirm;
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = T.cancel;
  cancel.addEventListener("click", () => form.remove());
  form.append(input, ok, cancel);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await voidEntry(eventId, input.value.trim())) form.remove();
    else input.setAttribute("aria-invalid", "true");
  });
  li.append(form);
  if (!keep) input.focus();
}

async function refresh() {
  try {
    board = await (await fetch(api("/api/board"))).json();
  } catch (err) {
    return; // the field app itself is restarting; the next poll redraws
  }
  drawStatus(board.status);
  drawTotals(board.laptop, board.central);
  // Do not redraw the list under a reason being typed.
  if (!document.activeElement || !document.activeElement.closest("#recent form")) drawRecent(board.recent);
}

// ---- wiring ----
$$("button[data-material]").forEach((b) => b.addEventListener("click", () => recordMaterial(b)));
$("#visitor").addEventListener("click", (ev) => recordVisitor(ev.currentTarget));
$("#restock").addEventListener("click", (ev) => recordRestock(ev.currentTarget));
$$("button.topic").forEach((b) => b.addEventListener("click", () => pickTopic(b)));
$$("button.outcome").forEach((b) => b.addEventListener("click", () => recordInquiry(b)));
$$("button.rating").forEach((b) => b.addEventListener("click", () => recordFeedback(b)));
$("#undo").addEventListener("click", undoLast);
// the phone's bottom bar: one tap to the entries, the totals or the recent list
$$("#jump button").forEach((b) => b.addEventListener("click", () => document.getElementById(b.dataset.jump).scrollIntoView()));
$$("button.step").forEach((b) => b.addEventListener("click", () => {
  const input = document.getElementById(b.dataset.step);
  const next = Math.min(Number(input.max), Math.max(1, (Number(input.value) || 1) + Number(b.dataset.delta)));
  input.value = next;
  if (input.id === "party-size") $("#visitor-size").textContent = next;
}));
$("#party-size").addEventListener("input", (ev) => { $("#visitor-size").textContent = ev.target.value; });
$("#staff").value = localStorage.getItem("openday.staff") || "";
$("#staff").addEventListener("change", (ev) => localStorage.setItem("openday.staff", ev.target.value.trim()));
const remembered = localStorage.getItem("openday.department");
if (remembered && L.departments[remembered]) $("#department").value = remembered;
$("#department").addEventListener("change", (ev) => localStorage.setItem("openday.department", ev.target.value));
$("#sync-now").addEventListener("click", async () => {
  $("#sync-now").disabled = true;
  try { await fetch(api("/api/sync"), { method: "POST" }); } finally { $("#sync-now").disabled = false; }
  refresh();
});
$("#booth-select").addEventListener("change", async (ev) => {
  const response = await fetch(api("/api/booth"), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ booth_id: ev.target.value }),
  });
  showErrors("booth", response.ok ? null : (await response.json()).errors);
  refresh();
});
$("#enroll-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  const body = Object.fromEntries(new FormData(form).entries());
  const response = await fetch(api("/api/enroll"), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status === 201) { showErrors("enroll", null); form.reset(); }
  else showErrors("enroll", answer.errors);
  refresh();
});

// Single-key shortcuts: the key is shown on each button. In a text box keys type text;
// Esc leaves the box, Enter in a number box keeps the value for the next tap.
const KEYS = Object.fromEntries($$("[data-key]").map((el) => [el.dataset.key, el]));
const FOCUS = Object.fromEntries($$("[data-focus-key]").map((el) => [el.dataset.focusKey, el]));
document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const typing = ev.target.closest && ev.target.closest("input, select, textarea");
  if (typing) {
    if (ev.key === "Escape" || (ev.key === "Enter" && ev.target.type === "number")) { ev.preventDefault(); ev.target.blur(); }
    return;
  }
  const key = ev.key.toLowerCase();
  if (FOCUS[key]) {
    ev.preventDefault();
    FOCUS[key].focus();
    if (FOCUS[key].tagName === "INPUT") FOCUS[key].select(); // a list is then moved with the arrow keys
    return;
  }
  const target = KEYS[key];
  if (target && !target.closest("[hidden]")) { ev.preventDefault(); target.click(); }
});

refresh();
setInterval(refresh, 2000);
