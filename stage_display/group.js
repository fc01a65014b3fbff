// A group cue on stage: its cues play at once, on the group's clock, as QLab's group does.
// The picture (a video, image or story) fills the screen, a title sits over it, and each
// sound plays under it at its own level with its own fades. The crew can stop one of them
// (state.stopped): it fades out over its own fade_out and stays gone, also after a reload.

import { h } from "/static/shared/dom.js";
import { creditsLine } from "./credits.js";
import { makeLayer, recordType } from "./layers.js";
import { Layer } from "./layer.js";
import { isStopped } from "./stopped.js";

const USUAL_OUT_MS = 400;

function isPicture(cue) {
  return cue.kind === "record" && recordType(cue) !== "audio";
}

export class GroupLayer extends Layer {
  build() {
    this.parts = new Map();          // child id -> its layer, while it plays
    this.credits = new Map();        // child id -> the credits of a sound heard, not seen
    this.usualOutMs = USUAL_OUT_MS;
    const children = this.cue.children || [];
    const covered = children.some((c) => isPicture(c) || c.kind === "title");
    let sounds = 0;
    // The group's clock is every child's: they all start (and pause) with it.
    const ctx = Object.create(this.ctx);
    ctx.target = () => this.ctx.target(this.cue);
    for (const child of [...children].sort((a, b) => rank(a) - rank(b))) {
      if (this.isStopped(child.id)) continue;
      const part = makeLayer(child, ctx);
      const role = isPicture(child) ? "picture" : child.kind === "title" ? "title" : "sound";
      part.el.classList.add("group-part", `group-${role}`);
      if (role === "sound" && (covered || sounds++ > 0)) part.el.classList.add("under");
      if (role === "title" && children.some(isPicture)) part.el.classList.add("over");
      this.el.append(part.el);
      this.parts.set(child.id, part);
      if (part.el.classList.contains("under")) this.creditSound(child);
    }
    if (this.credits.size) {
      this.el.append(h("div", { class: "group-sound-credits" }, ...this.credits.values()));
    }
  }

  /** A sound under the picture is heard, not seen: a credited one's title and credits stay
   *  on screen while it plays, written as a sound cue's card writes them. */
  creditSound(cue) {
    if (!(cue.credits || []).length) return;
    this.credits.set(cue.id, h("div", { class: "group-sound-credit", dataset: { cue: cue.id } },
      cue.title ? h("p", { class: "group-sound-title", text: `♪ ${cue.title}` }) : null,
      creditsLine(cue.credits)));
  }

  isStopped(id) {
    return isStopped(this.ctx.state(), id);
  }

  /** The picture's fade in (or the first cue's): the group dissolves in over it. */
  fadeInMs() {
    const parts = [...this.parts.values()];
    const lead = parts.find((p) => isPicture(p.cue)) || parts[0];
    return lead ? lead.fadeInMs() : 0;
  }

  /** How long the group's picture takes to go when the next cue replaces it: the fade out
   *  of what is seen (the picture, the title over it), not of a sound under it. */
  fadeOutMs(usual) {
    const seen = [...this.parts.values()].filter((p) => !p.el.classList.contains("group-sound"));
    return this.longestOut(seen, usual);
  }

  /** How long it stays after that: a sound under the picture fades out over its own. */
  lingerMs(usual) {
    return this.longestOut([...this.parts.values()], usual);
  }

  /** The longest fade out of `parts` (`usual` where none has one); `usual` is also what
   *  leave() gives each part. */
  longestOut(parts, usual) {
    this.usualOutMs = usual;
    return Math.max(0, ...parts.map((p) => p.fadeOutMs(usual))) || usual;
  }

  /** Live changes of the showing: a cue the crew stopped fades out over its fade_out. */
  update(cue) {
    super.update(cue);
    for (const [id, part] of this.parts) {
      if (this.isStopped(id)) this.stopPart(id, part);
    }
  }

  stopPart(id, part) {
    this.parts.delete(id);
    const ms = part.fadeOutMs(USUAL_OUT_MS);
    const credit = this.credits.get(id);
    if (credit) {
      this.credits.delete(id);
      credit.style.setProperty("--crossfade", `${ms}ms`);
      credit.classList.add("fading-out");
      setTimeout(() => credit.remove(), ms + 80);
    }
    part.el.style.setProperty("--crossfade", `${ms}ms`);
    part.el.classList.add("fading-out", "stopped");
    part.leave(ms);
    setTimeout(() => part.dispose(), ms + 80);
  }

  layout() { this.parts.forEach((p) => p.layout()); }
  tick(pos) { this.parts.forEach((p) => p.tick(pos)); }
  checkMedia() { this.parts.forEach((p) => p.checkMedia()); }
  unblock() { this.parts.forEach((p) => p.unblock()); }
  applyVolume() { this.parts.forEach((p) => p.applyVolume()); }

  leave() {
    this.leaving = true;
    this.parts.forEach((p) => p.leave(p.fadeOutMs(this.usualOutMs)));
  }

  dispose() {
    this.parts.forEach((p) => p.dispose());
    this.parts.clear();
    super.dispose();
  }
}

/** Paint order: the picture at the back, sounds, the title on top. */
function rank(cue) {
  if (isPicture(cue)) return 0;
  return cue.kind === "title" ? 2 : 1;
}
