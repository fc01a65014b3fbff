// "At a glance": live counts as small sparklines (phones joined, submissions per minute per
// prompt, the moderation backlog, the catalogue sync backlog). Cheap to update: the latest
// counts come with `stats` and `state` as they already do; every SAMPLE_MS one sample is
// taken and only lines whose numbers changed are redrawn (one small canvas each).
import { $, h, setText } from "./shared/dom.js";

const SAMPLE_MS = 2000;
const KEEP = 150;              // samples per line: five minutes at one every 2 s
const RATE_WINDOW_MS = 60000;  // submissions "per minute": those of the last minute
const WIDTH = 120;
const HEIGHT = 22;
const MIN_SPAN = 30;           // samples (a minute) the width holds at least
const MAX_PROMPTS = 6;         // the newest prompts with work get a line each
const SCALE = 2;               // canvas pixels per CSS pixel: sharp on a HiDPI booth screen

const number = (value) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const sum = (counts) => Object.values(counts || {}).reduce((total, n) => total + number(n), 0);

export class Sparklines {
  constructor({ connection }) {
    this.list = $("#glance-list");
    this.latest = { joined: null, prompts: null, sync: null };
    this.samples = [];          // {at, joined, pending, sync, totals: {prompt: n}}
    this.rows = new Map();      // series key -> {row, line, value, drawn}
    connection.on("stats", (stats) => this.onStats(stats));
    setInterval(() => this.sample(), SAMPLE_MS);
  }

  onStats(stats) {
    if (!stats || typeof stats !== "object") return;
    if (typeof stats.joined === "number") this.latest.joined = stats.joined;
    if (stats.prompts && typeof stats.prompts === "object") this.latest.prompts = stats.prompts;
  }

  onState(state) {
    this.onStats(state && state.stats);
    const sync = state && state.sync && typeof state.sync === "object" ? state.sync : null;
    this.latest.sync = sync && sync.configured !== false ? number(sync.counts && sync.counts.pending) : null;
    if (!this.samples.length) this.sample();   // the first numbers show at once
  }

  sample() {
    const { joined, prompts, sync } = this.latest;
    if (joined === null && prompts === null) return;   // no numbers yet
    const totals = {};
    let pending = 0;
    for (const [prompt, counts] of Object.entries(prompts || {})) {
      totals[prompt] = sum(counts);
      pending += number(counts && counts.pending);
    }
    this.samples.push({ at: Date.now(), joined: number(joined), pending, sync, totals });
    if (this.samples.length > KEEP) this.samples.shift();
    this.render();
  }

  /** Each series as its values over the kept samples. */
  series() {
    const out = [
      { key: "joined", label: "Phones joined", values: this.samples.map((s) => s.joined) },
    ];
    const prompts = Object.keys(this.samples[this.samples.length - 1].totals)
      .filter((p) => this.samples.some((s) => s.totals[p]))
      .slice(-MAX_PROMPTS);
    for (const prompt of prompts) {
      out.push({ key: `rate:${prompt}`, label: `${prompt} /min`, values: this.samples.map((s) => this.perMinute(s, prompt)) });
    }
    out.push({ key: "pending", label: "To moderate", values: this.samples.map((s) => s.pending) });
    if (this.samples.some((s) => s.sync !== null)) {
      out.push({ key: "sync", label: "Sync backlog", values: this.samples.map((s) => number(s.sync)) });
    }
    return out;
  }

  /** Submissions to ``prompt`` in the minute before sample ``s`` (or since the page opened). */
  perMinute(s, prompt) {
    const from = this.samples.find((o) => o.at >= s.at - RATE_WINDOW_MS) || s;
    return number(s.totals[prompt]) - number(from.totals[prompt]);
  }

  render() {
    const seen = new Set();
    for (const { key, label, values } of this.series()) {
      seen.add(key);
      const row = this.rows.get(key) || this.addRow(key, label);
      const signature = values.join(",");
      if (signature === row.drawn) continue;   // nothing moved: no redraw
      row.drawn = signature;
      draw(row.canvas, values);
      const last = values[values.length - 1];
      setText(row.value, String(last));
      row.row.dataset.last = String(last);
      row.row.dataset.peak = String(Math.max(...values));
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.row.remove();
        this.rows.delete(key);
      }
    }
    $("#glance").hidden = this.rows.size === 0;
  }

  addRow(key, label) {
    // A canvas, not SVG: user text never becomes markup here, and the page holds no SVG
    const canvas = h("canvas", { class: "spark", width: WIDTH * SCALE, height: HEIGHT * SCALE, "aria-hidden": "true" });
    const value = h("span", { class: "spark-value" });
    const row = h("li", { class: "spark-row", dataset: { series: key } },
      h("span", { class: "spark-label", text: label, title: label }), canvas, value);
    this.list.append(row);
    const made = { row, canvas, value, drawn: null };
    this.rows.set(key, made);
    return made;
  }
}

/** Draws the line, scaled to its peak, the newest value at the right edge. Early in the
 *  night it spans at least MIN_SPAN samples, so a minute already reads as a line. */
function draw(canvas, values) {
  const context = canvas.getContext("2d");
  if (!context) return;
  const peak = Math.max(1, ...values);
  const step = WIDTH / (Math.min(KEEP, Math.max(values.length, MIN_SPAN)) - 1);
  const start = WIDTH - step * (values.length - 1);
  context.setTransform(SCALE, 0, 0, SCALE, 0, 0);
  context.clearRect(0, 0, WIDTH, HEIGHT);
  context.strokeStyle = getComputedStyle(canvas).color;
  context.lineWidth = 1.5;
  context.lineJoin = "round";
  context.beginPath();
  values.forEach((v, i) => {
    const x = start + i * step;
    const y = HEIGHT - 1.5 - (v / peak) * (HEIGHT - 3);
    if (i === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  });
  context.stroke();
}
