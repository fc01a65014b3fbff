// What one audience work looks like on the wall: a tile in the mosaic, or the spotlight.
// Everything the audience wrote (stories, handles) goes in as text, never as HTML.

import { h } from "/static/shared/dom.js";
import { mediaUrl } from "/static/shared/media.js";
import { fitText, vh } from "./fit.js";
import { soundLevels } from "./sounds.js";

export const NOUNS = {
  text: ["story", "stories"], photo: ["photo", "photos"], drawing: ["drawing", "drawings"],
  audio: ["sound", "sounds"],
};

function clock(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function handleLine(item, className) {
  return h("p", { class: className }, h("span", { class: "by", text: "by " }),
    h("span", { class: "handle", text: item.handle || "someone" }));
}

/** Resolves true once the picture is decoded (so it never pops in half-drawn). */
function picture(url, className) {
  const img = new Image();
  img.className = className;
  img.alt = "";
  img.decoding = "async";
  const src = mediaUrl(url);
  if (!src) return { img, ready: Promise.resolve(false) };
  img.src = src;
  return { img, ready: img.decode().then(() => true, () => false) };
}

/** The bars of a sound's waveform: flat until the sound is decoded, then its own shape. */
function waveform(item, bars = 15) {
  const el = h("div", { class: "wave", "aria-hidden": "true" });
  const spans = Array.from({ length: bars }, () => h("span", { style: "--level: 0.15" }));
  el.append(...spans);
  soundLevels(item.media && item.media.url, bars).then((levels) => {
    if (!levels) return;
    levels.forEach((level, i) => spans[i].style.setProperty("--level", String(level)));
    el.dataset.levels = levels.join(" ");
  });
  return el;
}

function isPicture(item) {
  return (item.kind === "photo" || item.kind === "drawing") && (item.thumb || item.media);
}

/** The picture a tile shows: a photo's thumbnail (cropped to fill the tile anyway); a
 * drawing whole and big, so its full-size image when the wall item has one (its 360x270
 * thumbnail would be blown up on a projector's tile). */
export function tilePicture(item) {
  if (item.kind === "drawing" && item.media && item.media.url) return item.media.url;
  return item.thumb || (item.media && item.media.url);
}

/** A tile of the mosaic: {el, ready, fit()}. */
export function tile(item) {
  const el = h("div", { class: `tile tile-${item.kind}` });
  el.dataset.id = item.id;
  let ready = Promise.resolve(true);
  let fit = () => {};
  if (isPicture(item)) {
    const pic = picture(tilePicture(item), "tile-img");
    ready = pic.ready;
    el.append(pic.img, handleLine(item, "tile-handle"));
  } else if (item.kind === "audio") {
    el.append(waveform(item),
      handleLine(item, "tile-handle"),
      item.media && item.media.duration
        ? h("p", { class: "tile-duration", text: clock(item.media.duration) }) : null);
  } else {
    const inner = h("div", { class: "tile-fit" },
      h("p", { class: "tile-story", text: item.text || "" }));
    const box = h("div", { class: "tile-box" }, inner);
    el.append(box, handleLine(item, "tile-handle"));
    // a big tile (a wall of few stories) reads from the back row: the story grows with it
    fit = () => fitText(box, inner, Math.max(vh(3.6), Math.min(vh(7), box.clientHeight / 5)), vh(1.5));
  }
  return { el, ready, fit, item };
}

/** As big as the spotlight allows, with the caption right under it. */
function sizePicture(img, media, box, caption) {
  const w = (media && media.width) || img.naturalWidth;
  const ht = (media && media.height) || img.naturalHeight;
  const room = box.clientHeight - caption.offsetHeight - vh(2.2);
  if (!w || !ht || !box.clientWidth || room <= 0) return;
  const scale = Math.min(box.clientWidth / w, room / ht);
  img.style.width = `${Math.floor(w * scale)}px`;
  img.style.height = `${Math.floor(ht * scale)}px`;
}

/** The spotlight: the featured work, big. {el, ready, fit(), audio}. */
export function spotlight(item) {
  const el = h("figure", { class: `spot spot-${item.kind}` });
  el.dataset.id = item.id;
  const caption = h("figcaption", { class: "spot-caption" },
    h("span", { class: "spot-label", text: "Featured" }),
    handleLine(item, "spot-handle"));
  let ready = Promise.resolve(true);
  let fit = () => {};
  let audio = null;
  if (isPicture(item)) {
    const pic = picture(item.media ? item.media.url : item.thumb, "spot-img");
    ready = pic.ready;
    el.append(pic.img, caption);
    fit = () => sizePicture(pic.img, item.media, el, caption);
  } else if (item.kind === "audio") {
    audio = document.createElement("audio");
    audio.preload = "auto";
    if (item.media && mediaUrl(item.media.url)) audio.src = item.media.url;
    el.append(h("div", { class: "spot-frame" },
      h("div", { class: "orb", "aria-hidden": "true" }, h("span"), h("span"), h("span"), h("i"))),
    caption, audio);
  } else {
    const inner = h("div", { class: "spot-fit" },
      h("p", { class: "spot-story", text: item.text || "" }));
    const box = h("div", { class: "spot-frame spot-box" }, inner);
    el.append(box, caption);
    fit = () => fitText(box, inner, vh(6.4), vh(2.2));
  }
  return { el, ready, fit, audio, item };
}
