// The reactions' pictures (applause, a heart), drawn as SVG for the phone's buttons and the
// projector's floating reactions: an emoji would need a colour-emoji font, which many
// projector machines and some phones lack (they drew an empty box for the applause).

import { svgPicture } from "./svg.js";

const SHAPES = {
  // two raised palms, tilted towards each other, with three lines of the clap
  applause: [
    ["path", { d: "M8.2 21.5l-3.6-6.3a1.6 1.6 0 0 1 2.8-1.6l1.3 2.2-4-7a1.6 1.6 0 0 1 2.8-1.6"
      + "l3 5.2-1.2-2.1a1.6 1.6 0 0 1 2.8-1.6l1.2 2.1a1.6 1.6 0 0 1 2.8-1.6l2.2 3.8"
      + "a7 7 0 0 1-2.6 9.5 7 7 0 0 1-7.5-1z", fill: "#f2b84b" }],
    ["path", { d: "M14.5 2.5v2.2M18.6 3.8l-1.3 1.8M10.6 3.6l1.2 1.8", fill: "none" }],
  ],
  heart: [
    ["path", { d: "M12 21s-7.5-4.6-9.6-9.4A5.2 5.2 0 0 1 12 6.4a5.2 5.2 0 0 1 9.6 5.2"
      + "C19.5 16.4 12 21 12 21z", fill: "#ff4d6d" }],
  ],
};

/** The SVG picture of reaction `kind` ("applause", "heart"), or null for any other. */
export function reactionIcon(kind) {
  const shapes = SHAPES[kind];
  if (!shapes) return null;
  return svgPicture(shapes, { stroke: "#1b1405", "stroke-width": 1.2, class: "reaction-icon" });
}

export const REACTIONS = Object.keys(SHAPES);
