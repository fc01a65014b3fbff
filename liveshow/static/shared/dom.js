// Building pages from server and user data, for all three apps (dashboard, projector, phone).
// Every string from the server or from a person (handles, stories, titles, reasons) enters the
// page only as text (textContent or a text node), never as HTML: eslint forbids innerHTML.

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * h("li", {class: "x", dataset: {cue: id}, text: "…", onclick: fn, hidden: true}, child, "text")
 *
 * Props: `class`, `text` (textContent), `dataset`, `on<event>` (a listener); null, undefined
 * and false are left out; a non-string value the element has as a property (hidden,
 * disabled, tabIndex, controls) is set as that property; anything else is an attribute
 * (`true` as an empty one). Children may be nodes, strings (as text), or arrays of them.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Sets the text only when it changed (no needless layout on a 10 Hz tick). */
export function setText(node, value) {
  const text = value === null || value === undefined ? "" : String(value);
  if (node.textContent !== text) node.textContent = text;
}

export function clear(node) {
  node.replaceChildren();
}

/** True when a key press belongs to a text field (typing, not a show shortcut). */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  return !["button", "submit", "reset", "checkbox", "radio", "range", "color", "file"]
    .includes(target.type);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first of `events` on `target` (or with null after `ms`). */
export function once(target, events, ms = 10000) {
  return new Promise((resolve) => {
    const names = [].concat(events);
    const done = (ev) => {
      names.forEach((n) => target.removeEventListener(n, done));
      clearTimeout(timer);
      resolve(ev || null);
    };
    const timer = setTimeout(() => done(null), ms);
    names.forEach((n) => target.addEventListener(n, done));
  });
}
