// userd console: the few things a page does without a reload. Every page
// also works without this script.
"use strict";

function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

function format(template, ...args) {
  let i = 0;
  return template.replace(/%[sd]/g, () => String(args[i++]));
}

// Search as you type: the rows of the list follow the search box.
function liveSearch(input) {
  const target = document.getElementById(input.dataset.liveTarget);
  let inflight;
  input.addEventListener("input", debounce(async () => {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const q = input.value.trim();
    const url = input.dataset.live + "?q=" + encodeURIComponent(q);
    try {
      const res = await fetch(url + "&fragment=1", { signal: inflight.signal, credentials: "same-origin" });
      if (!res.ok) return;
      target.innerHTML = await res.text();
      target.dataset.query = q;
      history.replaceState(null, "", url);
    } catch (e) { /* aborted by the next keystroke */ }
  }, 150));
}

// A picker searches and fills the id input it is for.
function picker(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const field = document.getElementById(input.dataset.pickFor);
  const label = document.getElementById(input.dataset.pickLabel);
  input.addEventListener("input", debounce(async () => {
    const q = input.value.trim();
    list.replaceChildren();
    if (q === "") return;
    const res = await fetch(input.dataset.pickUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" });
    if (!res.ok) return;
    for (const p of await res.json()) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = p.label;
      b.dataset.id = p.id;
      b.addEventListener("click", () => {
        field.value = p.id;
        if (label) label.textContent = p.label;
        list.replaceChildren();
        input.value = "";
        field.focus();
      });
      const li = document.createElement("li");
      li.append(b);
      list.append(li);
    }
  }, 150));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { list.replaceChildren(); }
    if (e.key === "ArrowDown") { const b = list.querySelector("button"); if (b) { e.preventDefault(); b.focus(); } }
  });
}

// The org tree loads an org's children when it is expanded.
async function toggleNode(button) {
  const ul = button.parentElement.querySelector(":scope > ul");
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    button.textContent = "+";
    ul.hidden = true;
    return;
  }
  if (!ul.dataset.loaded) {
    const res = await fetch(button.dataset.children, { credentials: "same-origin" });
    if (!res.ok) return;
    ul.innerHTML = await res.text();
    ul.dataset.loaded = "1";
  }
  ul.hidden = false;
  button.setAttribute("aria-expanded", "true");
  button.textContent = "\u2212";
}

async function moreNodes(button) {
  const res = await fetch(button.dataset.more, { credentials: "same-origin" });
  if (!res.ok) return;
  const li = button.parentElement;
  li.insertAdjacentHTML("beforebegin", await res.text());
  li.remove();
}

// Records of an import file: lines of JSON Lines; CSV records, which may
// hold line breaks inside quotes. Each has the number of its first line.
function records(text, csv) {
  const out = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let rec = lines[i];
    const first = i + 1;
    if (csv) {
      while ((rec.split('"').length - 1) % 2 === 1 && i + 1 < lines.length) {
        i++;
        rec += "\n" + lines[i];
      }
    }
    out.push({ line: first, text: rec });
  }
  if (out.length && out[out.length - 1].text === "") out.pop();
  return out;
}

// Import sends the file in parts that each fit the server's body limit,
// moving the progress bar as each part is imported.
const importPart = 32 * 1024;

async function importFile(form) {
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) return;
  const csv = file.name.toLowerCase().endsWith(".csv");
  const csrf = form.querySelector("input[name=csrf]").value;
  const msgs = document.getElementById("import-messages").dataset;
  const live = document.getElementById("import-live");
  const bar = document.getElementById("import-progress");
  const status = document.getElementById("import-status");
  const errors = document.getElementById("import-errors");
  errors.replaceChildren();
  live.hidden = false;
  bar.value = 0;
  const enc = new TextEncoder();
  const recs = records(await file.text(), csv);
  const header = csv ? recs.shift() : null;
  const total = recs.length || 1;
  let imported = 0, failed = 0, done = 0;
  const show = () => { status.textContent = format(msgs.result, imported, failed); };
  const addError = (line, text) => {
    const li = document.createElement("li");
    li.textContent = line ? format(msgs.line, line, text) : format(msgs.failed, text);
    errors.append(li);
  };
  form.querySelector("button[type=submit]").disabled = true;
  try {
    let i = 0;
    while (i < recs.length) {
      const part = [];
      let size = header ? enc.encode(header.text).length + 1 : 0;
      while (i < recs.length && (part.length === 0 || size + enc.encode(recs[i].text).length + 1 <= importPart)) {
        size += enc.encode(recs[i].text).length + 1;
        part.push(recs[i++]);
      }
      const body = new FormData();
      body.append("csrf", csrf);
      body.append("format", csv ? "csv" : "jsonl");
      // The server numbers the part's lines from 1; the header is line 1 of a CSV part.
      body.append("offset", String(part[0].line - (csv ? 2 : 1)));
      const lines = part.map((r) => r.text);
      if (header) lines.unshift(header.text);
      body.append("data", lines.join("\n") + "\n");
      const res = await fetch(form.action, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } });
      let result = null;
      if ((res.headers.get("Content-Type") || "").startsWith("application/json")) result = await res.json();
      if (!result) {
        addError(0, res.status + " " + res.statusText);
        break;
      }
      imported += result.imported;
      failed += result.failed;
      for (const e of result.errors) addError(e.line, e.error);
      done += part.length;
      bar.value = Math.round((100 * done) / total);
      show();
      if (!res.ok) break;
    }
    if (recs.length === 0) bar.value = 100;
    show();
  } finally {
    form.querySelector("button[type=submit]").disabled = false;
  }
}

async function copy(button) {
  const el = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(el.textContent);
    button.textContent = "\u2713 " + button.textContent.replace(/^\u2713 /, "");
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
}

// The first-start link carries its secret in the fragment, which the
// browser never sends; move it into the form and out of the address bar.
function fromFragment(input) {
  if (location.hash.length > 1) {
    input.value = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-from-fragment]").forEach(fromFragment);
  document.querySelectorAll("input[data-live]").forEach(liveSearch);
  document.querySelectorAll("input[data-pick-url]").forEach(picker);
  document.querySelectorAll("form[data-import]").forEach((form) => {
    form.addEventListener("submit", (e) => { e.preventDefault(); importFile(form); });
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.matches("button.toggle[data-children]")) toggleNode(b);
    else if (b.matches("button.more[data-more]")) moreNodes(b);
    else if (b.matches("button[data-copy]")) copy(b);
  });
});
