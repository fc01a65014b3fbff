// Small pictures drawn as SVG, for the phone's buttons and the projector's reactions: emoji
// fonts are missing on some phones and many projector machines (they draw an empty box).

const NS = "http://www.w3.org/2000/svg";

/** An <svg> of `shapes` ([tag, attributes] pairs) on a 24x24 grid, with `attrs` on it. */
export function svgPicture(shapes, attrs) {
  const svg = document.createElementNS(NS, "svg");
  const all = { viewBox: "0 0 24 24", "stroke-linecap": "round", "stroke-linejoin": "round",
    "aria-hidden": "true", focusable: "false", ...attrs };
  for (const [k, v] of Object.entries(all)) svg.setAttribute(k, String(v));
  for (const [tag, shape] of shapes) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(shape)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}
