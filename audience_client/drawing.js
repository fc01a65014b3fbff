// A drawing pad: pointer events (finger, pen, mouse), with touch and mouse events as a
// fallback for browsers without them. Strokes are kept as data, so undo redraws the rest;
// the picture exports as a PNG with a transparent background.

export const WIDTH = 1200;     // the exported picture, whatever the screen size
export const HEIGHT = 900;

export class DrawingPad extends EventTarget {
  constructor(canvas) {
    super();
    this.canvas = canvas;
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    this.ctx = canvas.getContext("2d");
    this.actions = [];          // strokes and "clear" markers, in order, for undo
    this.current = null;
    this.pointer = null;
    this.color = "#f4f1ea";
    this.size = 18;
    this.listen();
  }

  // ---- state ----------------------------------------------------------------------------
  /** Strokes still visible (after the last clear). */
  visible() {
    const lastClear = this.actions.map((a) => a.clear).lastIndexOf(true);
    return this.actions.slice(lastClear + 1);
  }

  get empty() {
    return this.visible().length === 0;
  }

  get canUndo() {
    return this.actions.length > 0;
  }

  undo() {
    this.actions.pop();
    this.redraw();
    this.changed();
  }

  clear() {
    if (this.empty) return;
    this.actions.push({ clear: true });    // undo brings the picture back
    this.redraw();
    this.changed();
  }

  /** Hand over the whole drawing (for sending) and start a fresh one. */
  take() {
    const taken = this.actions;
    this.end();
    this.actions = [];
    this.redraw();
    this.changed();
    return taken;
  }

  /** Put a handed-over drawing back (sending it failed), under anything drawn since. */
  restore(taken) {
    this.actions = [...taken, ...this.actions];
    this.redraw();
    this.changed();
  }

  reset() {
    this.actions = [];
    this.redraw();
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }

  // ---- painting -------------------------------------------------------------------------
  redraw() {
    this.ctx.clearRect(0, 0, WIDTH, HEIGHT);
    for (const stroke of this.visible()) this.paint(stroke, 0);
  }

  /** Paint a stroke from point `from` on (incremental while drawing, whole when redrawing). */
  paint(stroke, from) {
    const { ctx } = this;
    const pts = stroke.points;
    ctx.strokeStyle = stroke.color;
    ctx.fillStyle = stroke.color;
    ctx.lineWidth = stroke.size;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (pts.length === 1) {
      ctx.beginPath();
      ctx.arc(pts[0][0], pts[0][1], stroke.size / 2, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    const start = Math.max(1, from);
    ctx.moveTo(pts[start - 1][0], pts[start - 1][1]);
    for (let i = start; i < pts.length; i += 1) ctx.lineTo(pts[i][0], pts[i][1]);
    ctx.stroke();
  }

  point(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((clientX - rect.left) / rect.width) * WIDTH;
    const y = ((clientY - rect.top) / rect.height) * HEIGHT;
    return [Math.round(Math.min(WIDTH, Math.max(0, x)) * 10) / 10,
            Math.round(Math.min(HEIGHT, Math.max(0, y)) * 10) / 10];
  }

  begin(clientX, clientY) {
    this.current = { color: this.color, size: this.size, points: [this.point(clientX, clientY)] };
    this.actions.push(this.current);
    this.paint(this.current, 0);
  }

  extend(positions) {
    if (!this.current) return;
    const before = this.current.points.length;
    for (const [x, y] of positions) this.current.points.push(this.point(x, y));
    if (before === 1) this.redraw();        // replace the starting dot with the line
    else this.paint(this.current, before);
  }

  end() {
    if (!this.current) return;
    this.current = null;
    this.changed();
  }

  // ---- input ----------------------------------------------------------------------------
  listen() {
    const c = this.canvas;
    if (window.PointerEvent) {
      c.addEventListener("pointerdown", (e) => {
        if (this.pointer !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
        e.preventDefault();
        this.pointer = e.pointerId;
        try { c.setPointerCapture(e.pointerId); } catch { /* already gone */ }
        this.begin(e.clientX, e.clientY);
      });
      c.addEventListener("pointermove", (e) => {
        if (e.pointerId !== this.pointer) return;
        e.preventDefault();
        const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
        const list = events.length ? events : [e];
        this.extend(list.map((ev) => [ev.clientX, ev.clientY]));
      });
      const stop = (e) => {
        if (e.pointerId !== this.pointer) return;
        this.pointer = null;
        this.end();
      };
      c.addEventListener("pointerup", stop);
      c.addEventListener("pointercancel", stop);
      c.addEventListener("lostpointercapture", stop);
      return;
    }
    // Fallbacks: touch (old mobile browsers) and mouse.
    c.addEventListener("touchstart", (e) => {
      e.preventDefault();
      if (this.current) return;
      const t = e.changedTouches[0];
      this.touch = t.identifier;
      this.begin(t.clientX, t.clientY);
    }, { passive: false });
    c.addEventListener("touchmove", (e) => {
      e.preventDefault();
      const moved = [...e.changedTouches].filter((t) => t.identifier === this.touch);
      this.extend(moved.map((t) => [t.clientX, t.clientY]));
    }, { passive: false });
    const touchEnd = (e) => {
      if ([...e.changedTouches].some((t) => t.identifier === this.touch)) this.end();
    };
    c.addEventListener("touchend", touchEnd);
    c.addEventListener("touchcancel", touchEnd);
    c.addEventListener("mousedown", (e) => {
      if (e.button !== 0) return;
      this.begin(e.clientX, e.clientY);
      const move = (ev) => this.extend([[ev.clientX, ev.clientY]]);
      const up = () => {
        window.removeEventListener("mousemove", move);
        window.removeEventListener("mouseup", up);
        this.end();
      };
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    });
  }

  /** The picture as a transparent PNG. */
  toBlob() {
    return new Promise((resolve, reject) => {
      this.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("could not save the drawing"))),
                         "image/png");
    });
  }
}
