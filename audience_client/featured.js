// When this phone's work is on screen: "featured" (the crew chose it: a banner, a buzz) and
// "shown" (it is up on the projector's wall among the others: a gentle note). Both mark the
// item in "My submissions".

import { $ } from "/static/shared/dom.js";
import * as db from "./db.js";

const FEATURED_SHOWN = 20000;
const ON_WALL_SHOWN = 15000;

/** Listen on `socket` for this phone's work going on screen; `banner` is #featured. */
export function wireFeatured(socket, banner, close) {
  let featuredTimer = null;
  let onWallTimer = null;

  function hideFeatured() {
    banner.hidden = true;
    document.body.classList.remove("is-featured");
  }

  socket.on("featured", async (data) => {
    const id = data && data.submission;
    if (typeof id === "string") await db.update(id, () => ({ status: "featured" }));
    banner.hidden = false;
    document.body.classList.add("is-featured");
    try { if (navigator.vibrate) navigator.vibrate([200, 100, 200, 100, 400]); } catch { /* no */ }
    clearTimeout(featuredTimer);
    featuredTimer = setTimeout(hideFeatured, FEATURED_SHOWN);
  });

  socket.on("shown", async (data) => {
    const id = data && data.submission;
    if (typeof id !== "string") return;
    const item = await db.update(id, () => ({ shown: true }));
    if (!item) return;                  // not made on this phone (another tab's storage)
    const note = $("#on-wall");
    note.hidden = false;
    clearTimeout(onWallTimer);
    onWallTimer = setTimeout(() => { note.hidden = true; }, ON_WALL_SHOWN);
  });

  close.addEventListener("click", hideFeatured);
}
