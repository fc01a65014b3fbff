// The /crew Socket.IO connection: acknowledged requests and the connection indicator.

const ACK_TIMEOUT_MS = 5000;

export class CrewConnection {
  constructor({ onState, onStatus }) {
    this.onStatus = onStatus;
    // The session cookie authenticates us; a stale session is refused with this message.
    this.socket = io("/crew", { transports: ["websocket", "polling"] });
    this.socket.on("connect", () => onStatus("connected"));
    this.socket.on("disconnect", (reason) => {
      onStatus(reason === "io server disconnect" ? "offline" : "reconnecting");
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.io.on("reconnect_attempt", () => onStatus("reconnecting"));
    this.socket.on("connect_error", (err) => {
      if (err && /login required/i.test(err.message || "")) {
        onStatus("logged-out");
        window.location.assign("/crew/login");
        return;
      }
      onStatus("reconnecting");
      // A refusal the server marks {retry: true} (its check failed, e.g. on a full disk)
      // stops socket.io retrying by itself: try again, as the projector does.
      if (!this.socket.active && err && err.data && err.data.retry) {
        setTimeout(() => this.socket.connect(), 3000);
      }
    });
    this.socket.on("state", onState);
  }

  /** Listen to another server event (`submissions`, `submission`, ...). */
  on(event, handler) {
    this.socket.on(event, handler);
  }

  get connected() {
    return this.socket.connected;
  }

  /**
   * Emit and wait for the {ok, ...} acknowledgement. Never buffered while offline: a GO
   * queued during a network drop must not fire minutes later when the link comes back.
   */
  request(event, data = {}) {
    if (!this.socket.connected) {
      return Promise.resolve({ ok: false, error: "not connected to the server: nothing was sent" });
    }
    return new Promise((resolve) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (err, ack) => {
        if (err) {
          resolve({ ok: false, error: `no answer from the server in ${ACK_TIMEOUT_MS / 1000} s (${event})` });
        } else if (!ack || typeof ack !== "object") {
          resolve({ ok: false, error: `unexpected answer to ${event}` });
        } else {
          resolve(ack);
        }
      });
    });
  }
}
