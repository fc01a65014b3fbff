"""Reading, validating and atomically writing the human-editable show file (YAML)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cue_groups import all_cues, parse_children
from .cue_numbers import cue_number, duplicate
from .cue_osc import parse_osc
from .cue_sound import parse_sound, parse_transition
from .cues import (
    ID_PATTERN,
    TEXT_LIMIT,
    TITLE_LIMIT,
    ContinueMode,
    Credit,
    Cue,
    CueKind,
    PromptKind,
    PromptSpec,
    RecordType,
    slug,
)
from .finite import finite_in

EXTENSION_TYPES = {
    ".mp4": RecordType.VIDEO,
    ".m4v": RecordType.VIDEO,
    ".webm": RecordType.VIDEO,
    ".mov": RecordType.VIDEO,
    ".jpg": RecordType.IMAGE,
    ".jpeg": RecordType.IMAGE,
    ".png": RecordType.IMAGE,
    ".webp": RecordType.IMAGE,
    ".gif": RecordType.IMAGE,
    ".m4a": RecordType.AUDIO,
    ".mp3": RecordType.AUDIO,
    ".ogg": RecordType.AUDIO,
    ".opus": RecordType.AUDIO,
    ".wav": RecordType.AUDIO,
    ".flac": RecordType.AUDIO,
    ".aac": RecordType.AUDIO,
}
CUE_FIELDS = {
    "id",
    "number",
    "kind",
    "title",
    "subtitle",
    "type",
    "media",
    "text",
    "credits",
    "duration",
    "pre_wait",
    "post_wait",
    "continue",
    "notes",
    "prompt",
    "source",
    "camera",
    "keyed",
    "transition",
    "take",
    "record",
    "close_prompt",
    "osc",
    "fade_in",
    "fade_out",
    "level",
    "cues",  # group cues: the cues it runs together
}
# Cues that show the answers to a prompt cue, named by their `source`.
ANSWER_KINDS = (CueKind.WALL, CueKind.POLL, CueKind.CLOUD)
PROMPT_FIELDS = {"kind", "question", "options", "max_length", "max_seconds"}
MAX_TEXT_LENGTH = 1000
MAX_AUDIO_SECONDS = 120.0
SHOW_FIELDS = {"title", "displays", "min_go_interval", "cues"}
MAX_WAIT = 24 * 3600.0


class ShowFileError(ValueError):
    """A show file problem, worded for the person who edits the file."""


@dataclass
class Show:
    title: str
    cues: list[Cue]
    displays: list[str] = field(default_factory=lambda: ["main"])
    min_go_interval: float | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    def to_showfile(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "displays": list(self.displays)}
        if self.min_go_interval is not None:
            out["min_go_interval"] = self.min_go_interval
        out["cues"] = [c.to_showfile() for c in self.cues]
        return out


def load_file(path: Path) -> Show:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ShowFileError(f"{path}: show file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ShowFileError(f"{path}: cannot read show file: {exc}") from None
    return parse(text, name=str(path), base_dir=path.resolve().parent)


def parse(
    text: str, name: str = "<show>", base_dir: Path | None = None, check_media: bool = True
) -> Show:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ShowFileError(f"{name}: not valid YAML{where}: {problem}") from None
    base = base_dir or Path.cwd()
    if not isinstance(data, dict):
        raise ShowFileError(f"{name}: expected a mapping with 'title' and 'cues' at the top")
    unknown = set(data) - SHOW_FIELDS
    if unknown:
        raise ShowFileError(f"{name}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    title = _text(data.get("title"), f"{name}: 'title'", TITLE_LIMIT, required=True)
    displays = data.get("displays", ["main"])
    if (
        not isinstance(displays, list)
        or not displays
        or not all(isinstance(d, str) and ID_PATTERN.match(d) for d in displays)
    ):
        raise ShowFileError(
            f"{name}: 'displays' must be a list of display names (letters, digits, - and _)"
        )
    interval = data.get("min_go_interval")
    if interval is not None:
        interval = _seconds(interval, f"{name}: 'min_go_interval'")
    raw_cues = data.get("cues")
    if not isinstance(raw_cues, list) or not raw_cues:
        raise ShowFileError(f"{name}: 'cues' must be a list with at least one cue")
    cues: list[Cue] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_cues, start=1):
        cue = parse_cue(raw, f"{name}: cue {number}", base if check_media else None, seen)
        seen.update(c.id for c in all_cues([cue]))
        cues.append(cue)
    check_sources(cues, name)
    check_numbers(cues, name)
    return Show(
        title=title, cues=cues, displays=list(displays), min_go_interval=interval, base_dir=base
    )


def parse_cue(raw: Any, where: str, base_dir: Path | None, taken: set[str]) -> Cue:
    """Validate one cue mapping. ``where`` prefixes every error ("demo.yaml: cue 3")."""
    if not isinstance(raw, dict):
        raise ShowFileError(f"{where}: expected a mapping of cue fields")
    raw_id = raw.get("id")
    label = f"{where} ({raw_id})" if isinstance(raw_id, str) else where
    unknown = set(raw) - CUE_FIELDS
    if unknown:
        raise ShowFileError(f"{label}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    kind = _enum(CueKind, raw.get("kind"), f"{label}: 'kind'")
    title = _text(raw.get("title", ""), f"{label}: 'title'", TITLE_LIMIT)
    cue_id = raw_id if raw_id is not None else _unique(slug(title or kind.value), taken)
    if not isinstance(cue_id, str) or not ID_PATTERN.match(cue_id):
        raise ShowFileError(f"{label}: 'id' must be 1-64 letters, digits, - or _")
    if cue_id in taken:
        raise ShowFileError(f"{label}: id {cue_id!r} is used by another cue")
    cue = Cue(
        id=cue_id,
        kind=kind,
        title=title,
        subtitle=_text(raw.get("subtitle", ""), f"{label}: 'subtitle'", TITLE_LIMIT),
        notes=_text(raw.get("notes", ""), f"{label}: 'notes'", TEXT_LIMIT),
        pre_wait=_seconds(raw.get("pre_wait", 0), f"{label}: 'pre_wait'"),
        post_wait=_seconds(raw.get("post_wait", 0), f"{label}: 'post_wait'"),
        continue_mode=_enum(ContinueMode, raw.get("continue", "none"), f"{label}: 'continue'"),
    )
    if raw.get("duration") is not None:
        cue.duration = _seconds(raw["duration"], f"{label}: 'duration'")
        if cue.duration <= 0:
            raise ShowFileError(f"{label}: 'duration' must be more than 0 seconds")
    if raw.get("number") is not None:
        try:
            cue.number = cue_number(raw["number"])
        except ValueError as exc:
            raise ShowFileError(f"{label}: {exc}") from None
    cue.credits = _credits(raw.get("credits", []), label)
    if kind is CueKind.RECORD:
        _record_fields(cue, raw, label, base_dir)
    else:
        for key in ("type", "media", "text", "record"):
            if raw.get(key) is not None:
                raise ShowFileError(f"{label}: '{key}' belongs on record cues, not {kind.value}")
    if kind is CueKind.PROMPT:
        cue.prompt = _prompt(raw.get("prompt"), label)
    elif raw.get("prompt") is not None:
        raise ShowFileError(f"{label}: 'prompt' belongs on prompt cues, not {kind.value}")
    if kind in ANSWER_KINDS:
        source = raw.get("source")
        if source is not None and (not isinstance(source, str) or not ID_PATTERN.match(source)):
            raise ShowFileError(f"{label}: 'source' must be the id of a prompt cue")
        cue.source = source
    elif raw.get("source") is not None:
        raise ShowFileError(f"{label}: 'source' belongs on wall, poll and cloud cues")
    _close_prompt(cue, raw.get("close_prompt"), label)
    _camera_fields(cue, raw, label)
    try:
        cue.osc = parse_osc(raw.get("osc", []))
        cue.fade_in, cue.fade_out, cue.level = parse_sound(raw)
        cue.transition = parse_transition(raw.get("transition"), kind, cue.fade_in)
    except ValueError as exc:
        raise ShowFileError(f"{label}: {exc}") from None
    try:
        cue.children = parse_children(raw, kind, label, base_dir, taken | {cue_id}, parse_cue)
    except ShowFileError:
        raise
    except ValueError as exc:
        raise ShowFileError(str(exc)) from None
    return cue


def _close_prompt(cue: Cue, close: Any, label: str) -> None:
    if close is None:
        return
    if cue.kind is CueKind.PROMPT:
        raise ShowFileError(
            f"{label}: a prompt cue closes the open prompt by opening its own; "
            "'close_prompt' belongs on other cues"
        )
    if not isinstance(close, str) or not ID_PATTERN.match(close):
        raise ShowFileError(f"{label}: 'close_prompt' must be the id of a prompt cue")
    cue.close_prompt = close


def _camera_fields(cue: Cue, raw: dict[str, Any], label: str) -> None:
    camera, keyed, take = raw.get("camera"), raw.get("keyed"), raw.get("take")
    if cue.kind not in (CueKind.CAMERA, CueKind.REPLAY):
        for key in ("camera", "keyed", "take"):
            if raw.get(key) is not None:
                raise ShowFileError(f"{label}: '{key}' belongs on camera and replay cues")
        return
    if camera is not None and (not isinstance(camera, str) or not ID_PATTERN.match(camera)):
        raise ShowFileError(f"{label}: 'camera' must be a camera name (letters, digits, - _)")
    if cue.kind is CueKind.CAMERA:
        if camera is None:
            raise ShowFileError(f"{label}: a camera cue needs 'camera': the camera's name")
        if keyed is not None and not isinstance(keyed, bool):
            raise ShowFileError(f"{label}: 'keyed' must be true or false")
        if take is not None:
            raise ShowFileError(f"{label}: 'take' belongs on replay cues")
        cue.keyed = bool(keyed)
    else:
        if keyed is not None:
            raise ShowFileError(f"{label}: 'keyed' belongs on camera cues")
        if take is not None and (not isinstance(take, str) or not take.strip()):
            raise ShowFileError(
                f"{label}: 'take' must be a take id (or leave it out for the latest take)"
            )
        cue.take = None if take in (None, "latest") else take
    cue.camera = camera


def _prompt(raw: Any, label: str) -> PromptSpec:
    if not isinstance(raw, dict):
        raise ShowFileError(f"{label}: a prompt cue needs 'prompt: {{kind, question}}'")
    unknown = set(raw) - PROMPT_FIELDS
    if unknown:
        raise ShowFileError(
            f"{label}: unknown prompt field(s) {', '.join(sorted(map(str, unknown)))}"
        )
    spec = PromptSpec(
        kind=_enum(PromptKind, raw.get("kind"), f"{label}: prompt 'kind'"),
        question=_text(
            raw.get("question"), f"{label}: prompt 'question'", TITLE_LIMIT, required=True
        ),
    )
    if spec.kind is PromptKind.VOTE:
        options = raw.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 8:
            raise ShowFileError(f"{label}: a vote prompt needs 'options': a list of 2 to 8")
        spec.options = [
            _text(o, f"{label}: option {i}", 80, required=True)
            for i, o in enumerate(options, start=1)
        ]
        if len(set(spec.options)) != len(spec.options):
            raise ShowFileError(f"{label}: vote options must all be different")
    elif raw.get("options") is not None:
        raise ShowFileError(f"{label}: 'options' belong on vote prompts")
    if raw.get("max_length") is not None:
        value = raw["max_length"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= MAX_TEXT_LENGTH
        ):
            raise ShowFileError(f"{label}: prompt 'max_length' must be 1 to {MAX_TEXT_LENGTH}")
        spec.max_length = value
    if raw.get("max_seconds") is not None:
        spec.max_seconds = _seconds(raw["max_seconds"], f"{label}: prompt 'max_seconds'")
        if not 1 <= spec.max_seconds <= MAX_AUDIO_SECONDS:
            raise ShowFileError(
                f"{label}: prompt 'max_seconds' must be 1 to {MAX_AUDIO_SECONDS:.0f}"
            )
    return spec


def check_sources(cues: list[Cue], name: str) -> None:
    """Wall and poll cues must name a prompt cue (a poll: a vote prompt); so must a cue's
    ``close_prompt``."""
    prompts = {c.id: c for c in cues if c.kind is CueKind.PROMPT}
    for number, cue in enumerate(cues, start=1):
        label = f"{name}: cue {number} ({cue.id})"
        if cue.close_prompt is not None and cue.close_prompt not in prompts:
            raise ShowFileError(f"{label}: 'close_prompt' {cue.close_prompt!r} is not a prompt cue")
        if cue.kind not in ANSWER_KINDS:
            continue
        if cue.source is None:
            raise ShowFileError(
                f"{label}: a {cue.kind.value} cue needs 'source': the id of "
                "the prompt cue whose answers it shows"
            )
        target = prompts.get(cue.source)
        if target is None:
            raise ShowFileError(f"{label}: 'source' {cue.source!r} is not a prompt cue")
        assert target.prompt is not None
        if cue.kind is CueKind.CLOUD and target.prompt.kind is not PromptKind.TEXT:
            raise ShowFileError(
                f"{label}: a cloud shows a text prompt's answers; {cue.source!r} is a "
                f"{target.prompt.kind.value} prompt"
            )
        if cue.kind is CueKind.POLL and target.prompt.kind is not PromptKind.VOTE:
            raise ShowFileError(
                f"{label}: a poll shows a vote prompt; {cue.source!r} is a "
                f"{target.prompt.kind.value} prompt"
            )


def check_numbers(cues: list[Cue], name: str) -> None:
    """A cue number names one cue: a second cue with it is refused, naming both."""
    twice = duplicate(cues)
    if twice is not None:
        first, second = twice
        raise ShowFileError(
            f"{name}: cue {second.id!r} has number {second.number!r}, "
            f"which cue {first.id!r} already has: cue numbers must all be different"
        )


def _record_fields(cue: Cue, raw: dict[str, Any], label: str, base_dir: Path | None) -> None:
    media, text = raw.get("media"), raw.get("text")
    given = [key for key in ("media", "text", "record") if raw.get(key) is not None]
    if len(given) != 1:
        raise ShowFileError(
            f"{label}: a record needs exactly one of 'media' (a file), 'text' (a tiny story) "
            "or 'record' (a catalogue record id)"
            + (f", not {' and '.join(given)}" if given else "")
        )
    if raw.get("record") is not None:
        _catalogue_record(cue, raw, label)
        return
    if text is not None:
        cue.text = _text(text, f"{label}: 'text'", TEXT_LIMIT, required=True)
        cue.type = RecordType.TEXT
        if raw.get("type", "text") != "text":
            raise ShowFileError(f"{label}: 'type' is {raw['type']!r} but the record has 'text'")
        return
    if not isinstance(media, str) or not media.strip():
        raise ShowFileError(f"{label}: 'media' must be a file path")
    cue.media = media
    guessed = EXTENSION_TYPES.get(Path(media).suffix.lower())
    if raw.get("type") is not None:
        cue.type = _enum(RecordType, raw["type"], f"{label}: 'type'")
        if cue.type is RecordType.TEXT:
            raise ShowFileError(f"{label}: a text record has 'text', not 'media'")
    elif guessed is None:
        raise ShowFileError(
            f"{label}: cannot tell the type of {media!r} from its name; "
            "add 'type: video|image|audio'"
        )
    else:
        cue.type = guessed
    if base_dir is not None and not (base_dir / media).is_file():
        raise ShowFileError(f"{label}: media file {media!r} not found (looked in {base_dir})")


def _catalogue_record(cue: Cue, raw: dict[str, Any], label: str) -> None:
    """A record pulled from the catalogue (``liveshow pull``): its media, text and credits
    come from the pulled copy when the show loads; ``type`` may be left out."""
    record = raw["record"]
    if isinstance(record, bool) or not isinstance(record, int) or record < 1:
        raise ShowFileError(
            f"{label}: 'record' must be a catalogue record id (a whole number from 1), "
            f"got {record!r}"
        )
    cue.catalogue_record = record
    if raw.get("type") is not None:
        cue.type = _enum(RecordType, raw["type"], f"{label}: 'type'")


def _credits(raw: Any, label: str) -> list[Credit]:
    if not isinstance(raw, list):
        raise ShowFileError(f"{label}: 'credits' must be a list of {{name, role}}")
    credits = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"name", "role"}:
            raise ShowFileError(f"{label}: credit {i} must be a mapping with 'name' and 'role'")
        credits.append(
            Credit(
                name=_text(item.get("name"), f"{label}: credit {i} 'name'", TITLE_LIMIT, True),
                role=_text(item.get("role"), f"{label}: credit {i} 'role'", TITLE_LIMIT, True),
            )
        )
    return credits


def _text(value: Any, where: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ShowFileError(f"{where} must be text")
    value = value.strip()
    if required and not value:
        raise ShowFileError(f"{where} is required")
    if len(value) > limit:
        raise ShowFileError(f"{where} is {len(value)} characters; the limit is {limit}")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ShowFileError(f"{where} must be a number of seconds, got {value!r}")
    if not finite_in(value, 0, MAX_WAIT):
        raise ShowFileError(f"{where} must be between 0 and {MAX_WAIT:.0f} seconds")
    return float(value)


def _enum(kind: Any, value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise ShowFileError(f"{where} is {value!r}; expected one of {choices}") from None


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def dump(show: Show, relative_to: Path | None = None) -> str:
    data = show.to_showfile()
    if relative_to is not None and relative_to.resolve() != show.base_dir.resolve():
        for cue in [c for top in data["cues"] for c in [top, *top.get("cues", [])]]:
            if "media" in cue:
                cue["media"] = os.path.relpath(show.base_dir / cue["media"], relative_to)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: Path, text: str) -> None:
    """Write text so a crash leaves either the old file or the new one, never half of one."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
