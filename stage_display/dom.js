// Building DOM from server data. Every string the server sends (titles, credits, stories)
// is user text: it goes into the page only as text nodes, never as HTML.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) el.append(child);   // a string becomes a text node
  }
  return el;
}

/** "director Ana Ruiz · music Kofi Mensah", with roles dimmer than names. */
export function creditsLine(credits, className = "credits-line") {
  const line = h("p", { class: className });
  (credits || []).forEach((c, i) => {
    if (i > 0) line.append(h("span", { class: "sep", text: " · " }));
    line.append(h("span", { class: "role", text: c.role || "" }), " ",
                h("span", { class: "name", text: c.name || "" }));
  });
  return line;
}

export function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves on the first of `events` (or after `ms`, with null). */
export function once(el, events, ms = 10000) {
  return new Promise((resolve) => {
    const names = [].concat(events);
    const done = (ev) => {
      names.forEach((n) => el.removeEventListener(n, done));
      clearTimeout(timer);
      resolve(ev || null);
    };
    const timer = setTimeout(() => done(null), ms);
    names.forEach((n) => el.addEventListener(n, done));
  });
}
