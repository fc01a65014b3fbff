// Small line icons drawn as SVG (emoji fonts are missing on some phones).

import { svgPicture } from "/static/shared/svg.js";

const SHAPES = {
  camera: [["path", { d: "M3 8h4l2-3h6l2 3h4v12H3z" }], ["circle", { cx: 12, cy: 13.5, r: 3.5 }]],
  gallery: [["rect", { x: 3, y: 4, width: 18, height: 16, rx: 2 }],
            ["circle", { cx: 8.5, cy: 9.5, r: 1.8 }], ["path", { d: "M21 16l-5.5-5.5L5 20" }]],
  mic: [["rect", { x: 9, y: 3, width: 6, height: 11, rx: 3 }],
        ["path", { d: "M5 11a7 7 0 0 0 14 0M12 18v3" }]],
  music: [["path", { d: "M9 18V5l11-2v13" }], ["circle", { cx: 6, cy: 18, r: 3 }],
          ["circle", { cx: 17, cy: 16, r: 3 }]],
};

export function icon(name) {
  return svgPicture(SHAPES[name] || [], { width: 28, height: 28, fill: "none",
    stroke: "currentColor", "stroke-width": 2, class: "icon" });
}
