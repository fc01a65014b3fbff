// GO and the other show controls, and the standby / running boxes above the cue list.
import { $, setText } from "./shared/dom.js";
import { clockTime, countdown } from "./time.js";
import { confirmAction } from "./confirm.js";
import { reportAck, toast } from "./toast.js";
import { elapsedOf } from "./cuelist.js";
import { creditsOf, cueLabel, cueName, kindLabel } from "./cuenames.js";
import { MasterVolume } from "./volume.js";

export class Transport {
  constructor({ connection, clock, cueList, getState }) {
    this.connection = connection;
    this.clock = clock;
    this.cueList = cueList;
    this.getState = getState;
    this.cooldownUntil = 0;      // local time; show mode only, the server still decides
    this.goButton = $("#go");
    this.goButton.addEventListener("click", () => {
      if (!this.coolingDown()) this.go();
    });
    $("#back").addEventListener("click", () => this.back());
    $("#goto").addEventListener("click", () => this.gotoSelected());
    $("#jump").addEventListener("submit", (e) => {
      e.preventDefault();
      this.jump();
    });
    $("#pause").addEventListener("click", () => this.pauseOrResume());
    $("#blackout").addEventListener("click", () => this.toggleBlackout());
    $("#panic").addEventListener("click", () => this.panic());
    this.volume = new MasterVolume($(".transport-buttons"), connection);
    cueList.body.addEventListener("stop-cue", (e) => this.stopCue(e.detail.cue));
  }

  /** Stop one running cue (a group's sound, or the cue on stage); the cue list stays put. */
  async stopCue(id) {
    return reportAck(await this.connection.request("stop_cue", { cue: id }), `Stop ${id}`);
  }

  coolingDown() {
    return Date.now() < this.cooldownUntil;
  }

  startCooldown() {
    const state = this.getState();
    if (state && state.mode === "show" && state.min_go_interval > 0) {
      this.cooldownUntil = Date.now() + state.min_go_interval * 1000;
    }
  }

  /** GO from the keyboard is always sent: a double press gets the server's refusal, shown. */
  async go() {
    const state = this.getState();
    if (state && state.mode === "show" && !this.coolingDown()) this.startCooldown();
    this.goButton.classList.add("pressed");
    setTimeout(() => this.goButton.classList.remove("pressed"), 150);
    const ack = await this.connection.request("go", {});
    if (ack.ok) this.startCooldown();
    return reportAck(ack, "GO");
  }

  async back() {
    const ack = await this.connection.request("back", {});
    if (ack.ok) this.startCooldown();
    return reportAck(ack, "Back");
  }

  /** Go to a cue; with the load-to-time field filled (90, 1:30), that far into it. */
  async gotoCue(id) {
    const state = this.getState();
    const i = this.cueList.indexOf(id);
    if (i < 0) return null;
    const at = $("#jump-at").value.trim();
    const label = cueLabel(this.cueList.cues[i], this.cueList.numberOf(id)) + (at ? ` at ${startAt(at)}` : "");
    if (state && state.mode === "show") {
      const sure = await confirmAction({
        title: "Jump the show?",
        message: `Go to cue ${label} now? The audience sees it immediately.`,
        confirmLabel: `Go to cue ${this.cueList.numberOf(id) || id}`,
        danger: true,
      });
      if (!sure) return null;
    }
    const ack = await this.connection.request("goto", at ? { cue: id, at } : { cue: id });
    if (ack.ok) {
      this.startCooldown();
      $("#jump-at").value = "";  // a one-off: the next GO TO starts at the top again
      if (id === this.cueList.selectedId) this.cueList.followPlayheadAfter(id, this.getState());
    }
    return reportAck(ack, `Go to cue ${label}`);
  }

  /** The jump field: a typed cue number (or id, looked up first, as the server does); empty,
   *  the selected cue. A cue inside a group goes to its group. */
  async jump() {
    const typed = $("#jump-cue").value.trim();
    if (!typed) return this.gotoSelected();
    const owner = (test) => this.cueList.cues.find((c) => test(c) || (c.children || []).some(test));
    const cue = owner((c) => c.id === typed) || owner((c) => c.number === typed);
    if (!cue) {
      toast(`No cue numbered ${typed}.`, "error");
      return null;
    }
    const ack = await this.gotoCue(cue.id);
    if (ack && ack.ok) $("#jump-cue").value = "";
    return ack;
  }

  gotoSelected() {
    if (!this.cueList.selectedId) {
      toast("Select a cue first (↑ ↓ or click a row).", "info");
      return null;
    }
    return this.gotoCue(this.cueList.selectedId);
  }

  async pauseOrResume() {
    const state = this.getState();
    const event = state && state.paused ? "resume" : "pause";
    return reportAck(await this.connection.request(event, {}), event === "pause" ? "Pause" : "Resume");
  }

  async toggleBlackout() {
    const state = this.getState();
    const on = !(state && state.blackout);
    return reportAck(await this.connection.request("blackout", { on }), on ? "Blackout" : "Blackout off");
  }

  async panic() {
    return reportAck(await this.connection.request("panic", {}), "Panic", "Panic: faded to black.");
  }

  render(state) {
    const cues = state.cues || [];
    const numbers = this.cueList.numbers;  // the cue list's, rendered from this state first
    const byId = new Map(cues.map((c) => [c.id, [c, numbers.get(c.id)]]));
    const standby = byId.get(state.standby);
    setText($("#standby-number"), standby ? standby[1] : "");
    setText($("#standby-title"), standby ? cueName(standby[0]) : "End of the cue list");
    setText($("#standby-meta"), standby ? metaLine(standby[0]) : "");
    setText($("#standby-notes"), standby ? standby[0].notes || "" : "");

    const current = state.cue ? byId.get(state.cue.id) : null;
    const pending = state.pending ? byId.get(state.pending.cue) : null;
    setText($("#running-number"), current ? current[1] : "");
    setText($("#running-title"), current ? cueName(current[0]) : "Nothing running");
    $("#running-box").dataset.state = current ? current[0].state : "idle";
    const stopped = Boolean(current && current[0].state === "stopped");
    setText($("#running-label"), stopped ? "Stopped" : current && state.paused ? "Paused" : "Running");
    this.pendingLabel = pending ? countdownLabel(pending[0], pending[1]) : null;
    const nextAfter = standby ? countdownLabel(standby[0], standby[1]) : null;
    this.followLabel = nextAfter;

    const pause = $("#pause");
    pause.firstChild.textContent = state.paused ? "▶ Resume " : "❚❚ Pause ";
    pause.disabled = !state.cue;
    const blackout = $("#blackout");
    blackout.setAttribute("aria-pressed", state.blackout ? "true" : "false");
    blackout.firstChild.textContent = state.blackout ? "Blackout ON " : "Blackout ";
    this.volume.render(state);
    $("#back").disabled = !(state.pending || state.cue);
    this.goButton.disabled = !state.standby;
  }

  /** Every 100 ms, from the server clock. */
  tick(state) {
    const now = this.clock.now();
    const current = state.cue ? (state.cues || []).find((c) => c.id === state.cue.id) : null;
    const elapsed = elapsedOf(state, now);
    // A cue the crew stopped whole plays no more: no clock runs on for it.
    const total = current && current.state !== "stopped" ? current.effective_duration : null;
    setText($("#elapsed"), current && current.state !== "stopped" ? clockTime(elapsed) : "–");
    setText($("#remaining"), current && total ? clockTime(Math.max(0, total - elapsed)) : "–");
    const fill = $("#running-progress");
    fill.style.width = current && total ? `${Math.min(100, (100 * elapsed) / total)}%` : "0%";
    $("#running-box").classList.toggle("overrun", Boolean(current && total && elapsed > total));

    let line = "";
    if (state.pending && this.pendingLabel) {
      line = `Pre-wait: ${this.pendingLabel} starts in ${countdown(state.pending.starts_at - now)}`;
    } else if (state.follow_at && current) {
      const mode = current.continue === "auto-follow" ? "Auto-follow" : "Auto-continue";
      line = `${mode}: ${this.followLabel || "next cue"} in ${countdown(state.follow_at - now)}`;
    }
    setText($("#countdown"), line);
    $("#countdown").classList.toggle("active", Boolean(line));

    const cooling = this.coolingDown();
    this.goButton.classList.toggle("cooling", cooling);
    this.goButton.setAttribute("aria-disabled", cooling ? "true" : "false");
    if (cooling) {
      const left = (this.cooldownUntil - Date.now()) / (state.min_go_interval * 1000);
      this.goButton.style.setProperty("--cooldown", String(Math.max(0, Math.min(1, left))));
    }
  }
}

/** A cue in the countdown line: "cue 5 · Night Market", as a bare "5" there read as seconds. */
function countdownLabel(cue, number) {
  return number ? `cue ${cueLabel(cue, number)}` : cueLabel(cue, number);
}

/** The load-to-time field as said back: "4 s" for plain seconds, "1:30" as typed. */
function startAt(typed) {
  return /^\d+(\.\d+)?$/.test(typed) ? `${typed} s` : typed;
}

function metaLine(cue) {
  const parts = [kindLabel(cue)];
  if (cue.effective_duration) parts.push(clockTime(cue.effective_duration));
  if (cue.pre_wait) parts.push(`pre-wait ${clockTime(cue.pre_wait)}`);
  if (cue.continue !== "none") parts.push(cue.continue + (cue.post_wait ? ` +${clockTime(cue.post_wait)}` : ""));
  const credits = creditsOf(cue);
  if (credits.length) parts.push(credits.map((c) => c.name).join(", "));
  return parts.join(" · ");
}
