// Edit mode: the add/edit cue form, delete, reorder, and show file import / export / save.
import { $, h } from "./shared/dom.js";
import { confirmAction } from "./confirm.js";
import { reportAck, toast } from "./toast.js";
import { cueLabel } from "./cuenames.js";

const NUMBER_FIELDS = [["duration", "Duration"], ["pre_wait", "Pre-wait"], ["post_wait", "Post-wait"],
  ["fade_in", "Fade in"], ["fade_out", "Fade out"]];

/** "role: name" lines -> [{role, name}]; throws with the line number of a bad line. */
export function parseCredits(text) {
  const credits = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.indexOf(":");
    const role = at < 0 ? "" : line.slice(0, at).trim();
    const name = at < 0 ? "" : line.slice(at + 1).trim();
    if (!role || !name) throw new Error(`Credits line ${i + 1}: write it as "role: name"`);
    credits.push({ role, name });
  });
  return credits;
}

export class CueEditor {
  constructor({ connection, cueList, getState }) {
    this.connection = connection;
    this.cueList = cueList;
    this.getState = getState;
    this.dialog = $("#cue-dialog");
    this.form = $("#cue-form");
    // Named controls by name (form.id / form.title would be ambiguous with the form's own).
    this.f = Object.fromEntries([...this.form.elements].filter((e) => e.name).map((e) => [e.name, e]));
    this.editingId = null;
    $("#cue-add").addEventListener("click", () => this.openAdd());
    $("#cue-edit").addEventListener("click", () => this.openEdit());
    $("#cue-up").addEventListener("click", () => this.move(-1));
    $("#cue-down").addEventListener("click", () => this.move(1));
    $("#cue-delete").addEventListener("click", () => this.remove());
    $("#show-save").addEventListener("click", () => this.save());
    $("#show-import").addEventListener("change", (e) => this.importFile(e.target));
    $("#cue-cancel").addEventListener("click", () => this.dialog.close("cancel"));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.f.kind.addEventListener("change", () => this.showRelevantFields());
    this.f.type.addEventListener("change", () => this.showRelevantFields());
    this.f.prompt_kind.addEventListener("change", () => this.showRelevantFields());
  }

  get editable() {
    const state = this.getState();
    return Boolean(state && state.mode === "edit");
  }

  render(state) {
    const editable = state.mode === "edit";
    const toolbar = $("#edit-toolbar");
    toolbar.hidden = !editable;
    toolbar.querySelectorAll("button, input").forEach((b) => { b.disabled = !editable; });
    $("#show-export").toggleAttribute("aria-disabled", !editable);
    const note = $("#lock-note");
    note.hidden = editable;
    note.textContent = editable ? "" : `Locked in ${state.mode} mode: switch to Edit to change cues`;
    $("#show-file").textContent = state.source_path ? `Show file: ${state.source_path}` : "";
    this.updateSelection(this.cueList.selected);
  }

  updateSelection(cue) {
    const editable = this.editable;
    const i = cue ? this.cueList.indexOf(cue.id) : -1;
    $("#cue-edit").disabled = !editable || !cue;
    $("#cue-delete").disabled = !editable || !cue;
    $("#cue-up").disabled = !editable || i <= 0;
    $("#cue-down").disabled = !editable || i < 0 || i >= this.cueList.cues.length - 1;
  }

  showRelevantFields() {
    const kind = this.f.kind.value;
    let type = this.f.type.value;
    if (!type && kind === "record") type = this.f.text.value.trim() && !this.f.media.value.trim() ? "text" : "";
    for (const node of this.form.querySelectorAll("[data-for-kinds]")) {
      const kindOk = node.dataset.forKinds.split(" ").includes(kind);
      const types = node.dataset.forTypes ? node.dataset.forTypes.split(" ") : null;
      const typeOk = !types || (type ? types.includes(type) : !types.includes("text"));
      const prompts = node.dataset.forPrompts ? node.dataset.forPrompts.split(" ") : null;
      const promptOk = !prompts || prompts.includes(this.f.prompt_kind.value);
      node.hidden = !(kindOk && typeOk && promptOk);
    }
    this.fillSources(kind);
    for (const node of this.form.querySelectorAll("[data-add-only]")) node.hidden = this.editingId !== null;
  }

  /** The source picker of wall, poll and cloud cues lists the prompt cues (a poll: vote
   *  prompts; a cloud: text prompts). */
  fillSources(kind) {
    const select = this.f.source;
    const keep = select.value || select.dataset.want || "";
    select.replaceChildren(h("option", { value: "", text: "choose a prompt cue…" }));
    this.cueList.cues.forEach((cue) => {
      if (cue.kind !== "prompt" || !cue.prompt) return;
      if (kind === "poll" && cue.prompt.kind !== "vote") return;
      if (kind === "cloud" && cue.prompt.kind !== "text") return;
      select.append(h("option", { value: cue.id, text: `${cueLabel(cue, this.cueList.numberOf(cue.id))} (${cue.prompt.kind})` }));
    });
    select.value = keep;
    if (select.value !== keep) select.value = "";
  }

  open(title, submitLabel) {
    $("#cue-form-title").textContent = title;
    $("#cue-submit").textContent = submitLabel;
    $("#cue-form-error").textContent = "";
    this.showRelevantFields();
    this.dialog.showModal();
    (this.editingId ? this.f.title : this.f.kind).focus();
  }

  openAdd() {
    if (!this.editable) return;
    this.editingId = null;
    this.form.reset();
    this.f.source.dataset.want = "";
    this.f.kind.value = "title";
    this.f.id.readOnly = false;
    this.f.where.value = this.cueList.selectedId ? "after" : "end";
    this.f.where.querySelector('[value="after"]').disabled = !this.cueList.selectedId;
    this.open("Add cue", "Add cue");
  }

  openEdit() {
    const cue = this.cueList.selected;
    if (!this.editable || !cue) return;
    this.editingId = cue.id;
    const f = this.f;
    this.form.reset();
    f.kind.value = cue.kind;
    f.id.value = cue.id;
    f.id.readOnly = true;
    f.title.value = cue.title || "";
    f.subtitle.value = cue.subtitle || "";
    f.type.value = cue.type || "";
    f.media.value = cue.media || "";
    f.text.value = cue.text || "";
    f.credits.value = (cue.credits || []).map((c) => `${c.role}: ${c.name}`).join("\n");
    f.duration.value = cue.duration ?? "";
    f.pre_wait.value = cue.pre_wait || "";
    f.post_wait.value = cue.post_wait || "";
    f.continue.value = cue.continue || "none";
    f.number.value = cue.number || "";
    f.fade_in.value = cue.fade_in || "";
    f.fade_out.value = cue.fade_out || "";
    f.level.value = cue.level || "";
    f.notes.value = cue.notes || "";
    const prompt = cue.prompt || {};
    f.prompt_kind.value = prompt.kind || "text";
    f.question.value = prompt.question || "";
    f.options.value = (prompt.options || []).join("\n");
    f.max_length.value = prompt.kind === "text" && prompt.max_length ? prompt.max_length : "";
    f.max_seconds.value = prompt.kind === "audio" && prompt.max_seconds ? prompt.max_seconds : "";
    f.source.dataset.want = cue.source || "";
    f.source.value = "";
    f.camera.value = cue.camera || "";
    f.keyed.checked = Boolean(cue.keyed);
    f.take.value = cue.take || "";
    this.open(`Edit cue ${cueLabel(cue, this.cueList.numberOf(cue.id))}`, "Save changes");
  }

  /** The visible fields as cue fields. Adding omits empty ones; editing clears them (null). */
  collect() {
    const f = this.f;
    const editing = this.editingId !== null;
    const empty = editing ? null : undefined;
    const visible = (input) => !input.hidden;
    const text = (input) => (input.value.trim() ? input.value.trim() : empty);
    const cue = { kind: f.kind.value };
    if (!editing && f.id.value.trim()) cue.id = f.id.value.trim();
    cue.title = f.title.value.trim() || (editing ? "" : undefined);
    if (visible(f.subtitle)) cue.subtitle = text(f.subtitle);
    if (cue.kind === "record") {
      const type = f.type.value;
      const isText = type === "text" || (!type && f.text.value.trim() && !f.media.value.trim());
      if (isText) {
        cue.type = "text";
        cue.text = f.text.value.trim();
      } else {
        cue.media = f.media.value.trim();
        if (type) cue.type = type;
        else if (editing) cue.type = null;
      }
    }
    if (visible(f.credits)) cue.credits = parseCredits(f.credits.value);
    if (cue.kind === "prompt") cue.prompt = this.collectPrompt();
    else if (editing) cue.prompt = null;
    if (["wall", "poll", "cloud"].includes(cue.kind)) {
      if (!f.source.value) throw new Error(`A ${cue.kind} cue shows the answers to a prompt cue: choose one`);
      cue.source = f.source.value;
    } else if (editing) {
      cue.source = null;
    }
    if (cue.kind === "camera" || cue.kind === "replay") {
      cue.camera = text(f.camera);
      if (cue.kind === "camera") {
        if (!cue.camera) throw new Error("A camera cue needs the camera's name");
        cue.keyed = f.keyed.checked;
      } else {
        cue.take = text(f.take);
      }
    } else if (editing) {
      cue.camera = null;
      cue.keyed = null;
      cue.take = null;
    }
    for (const [name, label] of NUMBER_FIELDS) {
      const raw = f[name].value.trim();
      if (!raw) {
        cue[name] = empty;
        continue;
      }
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${label} must be a number of seconds (0 or more)`);
      cue[name] = value;
    }
    // The server checks the ranges (fades 0-30 s, level -60-0 dB) and says what is wrong.
    const level = f.level.value.trim();
    if (level && !Number.isFinite(Number(level))) throw new Error("Level must be a number of dB (e.g. -6)");
    cue.level = level ? Number(level) : empty;
    cue.number = text(f.number);
    cue.continue = f.continue.value;
    cue.notes = f.notes.value.trim() || (editing ? "" : undefined);
    return Object.fromEntries(Object.entries(cue).filter(([, v]) => v !== undefined));
  }

  collectPrompt() {
    const f = this.f;
    const prompt = { kind: f.prompt_kind.value, question: f.question.value.trim() };
    if (prompt.kind === "vote") {
      prompt.options = f.options.value.split("\n").map((o) => o.trim()).filter(Boolean);
    }
    const whole = (input, label) => {
      const raw = input.value.trim();
      if (!raw) return undefined;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${label} must be a whole number`);
      return value;
    };
    if (prompt.kind === "text") prompt.max_length = whole(f.max_length, "Max characters");
    if (prompt.kind === "audio") prompt.max_seconds = whole(f.max_seconds, "Max seconds");
    return Object.fromEntries(Object.entries(prompt).filter(([, v]) => v !== undefined));
  }

  async submit() {
    const errorBox = $("#cue-form-error");
    let cue;
    try {
      cue = this.collect();
    } catch (err) {
      errorBox.textContent = err.message;
      return;
    }
    errorBox.textContent = "";
    let ack;
    if (this.editingId) {
      ack = await this.connection.request("cue_update", { id: this.editingId, cue });
    } else {
      const data = { cue };
      if (this.f.where.value === "after" && this.cueList.selectedId) data.after = this.cueList.selectedId;
      ack = await this.connection.request("cue_add", data);
    }
    if (!ack.ok) {
      errorBox.textContent = ack.error || "refused";
      return;
    }
    const id = this.editingId || ack.cue;
    this.dialog.close("saved");
    toast(this.editingId ? `Saved cue ${id}.` : `Added cue ${id}.`, "ok");
    // The new state usually arrives before the acknowledgement; if not, select it then.
    this.pendingSelect = id;
    this.afterRender();
  }

  /** After the state that carries a new or edited cue, select it. */
  afterRender() {
    if (this.pendingSelect && this.cueList.indexOf(this.pendingSelect) >= 0) {
      this.cueList.select(this.pendingSelect, { scroll: true });
      this.pendingSelect = null;
    }
  }

  async move(delta) {
    const cue = this.cueList.selected;
    if (!this.editable || !cue) return;
    const to = this.cueList.indexOf(cue.id) + delta;
    if (to < 0 || to >= this.cueList.cues.length) return;
    await this.moveTo(cue.id, to);
  }

  async moveTo(id, to) {
    if (!this.editable) {
      toast("Reorder refused: switch to edit mode first.", "error");
      return;
    }
    reportAck(await this.connection.request("cue_move", { id, to }), "Move");
  }

  async remove() {
    const cue = this.cueList.selected;
    if (!this.editable || !cue) return;
    const label = cueLabel(cue, this.cueList.numberOf(cue.id));
    const sure = await confirmAction({
      title: "Delete cue?",
      message: `Delete cue ${label} (${cue.id})? Export or save first if you may want it back.`,
      confirmLabel: "Delete cue",
      danger: true,
    });
    if (!sure) return;
    reportAck(await this.connection.request("cue_delete", { id: cue.id }), "Delete", `Deleted cue ${cue.id}.`);
  }

  async importFile(input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > 1024 * 1024) {
      toast(`Import refused: ${file.name} is larger than 1 MB; is it a show file?`, "error");
      return;
    }
    const text = await file.text();
    const sure = await confirmAction({
      title: "Import show file?",
      message: `Replace the whole cue list with ${file.name}? The playhead goes back to the top.`,
      confirmLabel: "Replace cue list",
      danger: true,
    });
    if (!sure) return;
    reportAck(await this.connection.request("show_import", { text }), "Import", `Imported ${file.name}.`);
  }

  async save() {
    const state = this.getState();
    const target = (state && state.source_path) || "show.yaml in the server's data directory";
    const sure = await confirmAction({
      title: "Save to the show file?",
      message: `Write the cue list to ${target}? The file is replaced as a whole (written `
        + "atomically); comments in it are not kept.",
      confirmLabel: "Save",
    });
    if (!sure) return;
    const ack = await this.connection.request("show_save", {});
    if (ack.ok) toast(`Saved the show file: ${ack.path}`, "ok");
    else reportAck(ack, "Save");
  }
}
