// A value that glides to a target over time (audio gain for crossfades and blackouts).
// Timers rather than requestAnimationFrame: sound must fade even when nothing repaints.

export class Ramp {
  constructor(value, apply) {
    this.value = value;
    this.apply = apply;
    this.timer = null;
  }

  to(target, ms) {
    clearInterval(this.timer);
    const from = this.value;
    const t0 = performance.now();
    if (ms <= 0 || from === target) {
      this.value = target;
      this.apply(target);
      return;
    }
    this.timer = setInterval(() => {
      const k = Math.min(1, (performance.now() - t0) / ms);
      this.value = from + (target - from) * k;
      this.apply(this.value);
      if (k >= 1) clearInterval(this.timer);
    }, 20);
  }

  cancel() {
    clearInterval(this.timer);
  }
}
