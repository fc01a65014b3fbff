// The server's clock as seen from this page (the dashboard and the projectors).
//
// Two kinds of sample give the offset between this page's monotonic clock and the server's
// time.time():
// - a round trip (`ping`, the projector's `clock` event): the offset to within half the
//   round trip, so the sample from the fastest recent trip is the one to trust;
// - a message's own `server_time` (`sample`, every `state`): the true offset minus the
//   message's travel time, so the largest recent one is the best such estimate.
// Round trips win once there is one; one-way samples serve until then (and on the
// dashboard, whose socket has no `clock` event, always). Recent only: the clocks drift apart
// slowly over a long show.

const KEEP_SECONDS = 120;
const KEEP_SAMPLES = 40;

const localSeconds = () => performance.now() / 1000;

function recent(samples, at) {
  return samples.filter((s) => at - s.at <= KEEP_SECONDS).slice(-KEEP_SAMPLES);
}

export class ServerClock {
  constructor() {
    this.offset = null;      // server seconds - local seconds; null until the first sample
    this.rtt = null;         // round trip of the ping sample in use (seconds)
    this.trips = [];         // {rtt, offset, at} from pings
    this.oneWay = [];        // {offset, at} from server_time stamps
  }

  /** Server time now, in seconds (the server's time.time()), or null before any sample. */
  now() {
    return this.offset === null ? null : localSeconds() + this.offset;
  }

  /** A message stamped with the server's time as it was sent. */
  sample(serverTime) {
    if (typeof serverTime !== "number" || !Number.isFinite(serverTime)) return;
    const at = localSeconds();
    this.oneWay = recent([...this.oneWay, { offset: serverTime - at, at }], at);
    this.choose();
  }

  /** A round trip: sent at t0, answered at t1 (both performance.now() ms). */
  add(t0, t1, serverTime) {
    const at = t1 / 1000;
    this.trips = recent([...this.trips,
      { rtt: (t1 - t0) / 1000, offset: serverTime - (t0 + t1) / 2000, at }], at);
    this.choose();
  }

  choose() {
    if (this.trips.length) {
      const best = this.trips.reduce((a, b) => (b.rtt < a.rtt ? b : a));
      this.offset = best.offset;
      this.rtt = best.rtt;
    } else if (this.oneWay.length) {
      this.offset = Math.max(...this.oneWay.map((s) => s.offset));
    }
  }

  /** After a reconnect: new samples only (the estimate in use stays until one comes). */
  reset() {
    this.trips = [];
    this.oneWay = [];
  }

  /** One ping over the socket (`clock` event); resolves true when a sample was taken. */
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
