// The catalogue sync panel: what waits to go back to the community catalogue, what went,
// what failed and why, and Retry. Renders `state.sync`; a server that sends none (an older
// one) leaves the panel hidden.
import { $, clear, h, setText } from "./shared/dom.js";
import { timeOfDay } from "./time.js";
import { reportAck, toast } from "./toast.js";

const STATE_TEXT = {
  off: "Off",
  idle: "Idle",
  sending: "Sending…",
  offline: "Catalogue unreachable",
  refused: "Refused by the catalogue",
};
const KIND_TEXT = { submission: "Audience work", take: "Take", screening: "Screening" };
const COUNTS = ["pending", "sent", "failed", "dropped"];

const count = (sync, name) => {
  const n = sync.counts && sync.counts[name];
  return typeof n === "number" && Number.isFinite(n) ? n : 0;
};
const at = (epoch) => (typeof epoch === "number" && Number.isFinite(epoch) ? timeOfDay(epoch) : null);

export class SyncPanel {
  constructor({ connection }) {
    this.connection = connection;
    this.panel = $("#sync-panel");
    this.retry = $("#sync-retry");
    this.signature = null;
    this.busy = false;
    this.retry.addEventListener("click", () => this.sendRetry());
  }

  render(state) {
    const sync = state && state.sync && typeof state.sync === "object" ? state.sync : null;
    this.panel.hidden = !sync;
    if (!sync) return;
    const signature = JSON.stringify(sync);
    if (signature === this.signature) return;   // states arrive often: rebuild on change only
    this.signature = signature;
    this.sync = sync;
    const configured = sync.configured !== false;
    this.panel.dataset.state = configured ? String(sync.state || "idle") : "unconfigured";
    this.panel.classList.toggle("sync-has-failed", configured && count(sync, "failed") > 0);
    setText($("#sync-state"), configured ? STATE_TEXT[sync.state] || String(sync.state || "?") : "Not configured");
    setText($("#sync-catalogue"), configured
      ? (sync.catalogue ? `to ${sync.catalogue}` : "")
      : "Set LIVESHOW_CATALOGUE_URL to send the night's work back to the catalogue.");
    $("#sync-catalogue").classList.toggle("sync-hint", !configured);
    $("#sync-counts").hidden = !configured;
    for (const name of COUNTS) setText($(`#sync-counts [data-count="${name}"] .sync-n`), String(count(sync, name)));
    const error = configured && sync.last_error ? String(sync.last_error) : "";
    $("#sync-error").hidden = !error;
    setText($("#sync-error"), error ? `Last error: ${error}` : "");
    const times = [];
    if (configured && at(sync.last_success)) times.push(`last sent ${at(sync.last_success)}`);
    if (configured && at(sync.next_attempt)) times.push(`next try ${at(sync.next_attempt)}`);
    setText($("#sync-times"), times.join(" · "));
    this.renderFailed(configured && Array.isArray(sync.failed) ? sync.failed : []);
    this.retry.hidden = !configured;
    this.retry.disabled = this.busy || !(count(sync, "failed") > 0 || (Array.isArray(sync.failed) && sync.failed.length));
  }

  renderFailed(rows) {
    const list = $("#sync-failed");
    clear(list);
    for (const row of rows.slice(0, 20)) {
      if (!row || typeof row !== "object") continue;
      const tries = Number(row.attempts) || 0;
      list.append(h("li", { class: "sync-row", dataset: { kind: String(row.kind || ""), ref: String(row.ref || "") } },
        h("span", { class: "sync-kind", text: KIND_TEXT[row.kind] || String(row.kind || "?") }),
        h("span", { class: "sync-ref", text: String(row.ref || "") }),
        h("span", { class: "sync-attempts", text: `${tries} ${tries === 1 ? "try" : "tries"}` }),
        h("span", { class: "sync-reason", text: String(row.error || "no reason given") })));
    }
    const more = count(this.sync, "failed") - list.children.length;
    if (more > 0) list.append(h("li", { class: "sync-more muted", text: `and ${more} more` }));
  }

  async sendRetry() {
    this.busy = true;
    this.retry.disabled = true;
    const ack = reportAck(await this.connection.request("sync_retry"), "Retry");
    this.busy = false;
    if (ack.ok) {
      const n = Number(ack.requeued) || 0;
      toast(`${n} ${n === 1 ? "item" : "items"} back in the queue.`, "ok");
    }
    this.signature = null;
    if (this.sync) this.render({ sync: this.sync });
  }
}
