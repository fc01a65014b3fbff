// The server's clock, as seen from this page. Each `clock` ping gives one estimate of the
// offset between performance.now() and the server clock; the estimate from the fastest round
// trip is the most trustworthy, so we keep that one (among recent samples, since the two
// clocks drift apart slowly over a long show).

const KEEP_SECONDS = 120;

const perfSeconds = () => performance.now() / 1000;

export class ServerClock {
  constructor() {
    this.offset = null;      // server seconds - performance seconds
    this.rtt = null;         // round trip of the sample in use (seconds)
    this.samples = [];
  }

  /** Server time now, in seconds (the server's time.time()). */
  now() {
    return this.offset == null ? null : perfSeconds() + this.offset;
  }

  /** Until a ping has come back, a state's own server_time is a fair first guess. */
  roughFrom(serverTime) {
    if (this.samples.length === 0 && typeof serverTime === "number") {
      this.offset = serverTime - perfSeconds();
    }
  }

  add(t0, t1, serverTime) {
    const at = t1 / 1000;
    this.samples.push({ rtt: (t1 - t0) / 1000, offset: serverTime - (t0 + t1) / 2000, at });
    this.samples = this.samples.filter((s) => at - s.at <= KEEP_SECONDS).slice(-40);
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this.offset = best.offset;
    this.rtt = best.rtt;
  }

  /** One ping over the socket; resolves true when a sample was taken. */
  ping(socket) {
    return new Promise((resolve) => {
      if (!socket.connected) return resolve(false);
      const t0 = performance.now();
      socket.timeout(3000).emit("clock", { t: t0 }, (err, ack) => {
        const t1 = performance.now();
        if (err || !ack || !ack.ok || ack.t !== t0 || typeof ack.server_time !== "number") {
          return resolve(false);
        }
        this.add(t0, t1, ack.server_time);
        resolve(true);
      });
    });
  }

  async burst(socket, count = 6, gapMs = 50) {
    for (let i = 0; i < count && socket.connected; i++) {
      await this.ping(socket);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }
}
