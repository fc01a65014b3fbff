"""A demo night for the book, on a real server: phones write tiny stories in six scripts
(Latin, Greek, Cyrillic, Arabic, Hebrew, Chinese and Japanese), draw and take photos; the
crew approves, features, rejects or leaves work waiting; one phone takes its story back."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg, png_rgba
from tests.helpers.server import ServerProcess

SHOW = """\
title: Ночь маяков · Night of Lighthouses
cues:
  - {id: ask, kind: prompt, prompt: {kind: text, question: "A tiny story about the sea"}}
  - {id: wall, kind: wall, source: ask}
  - {id: draw, kind: prompt, prompt: {kind: drawing, question: "Draw the lighthouse"}}
  - {id: snap, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: ask2, kind: prompt, prompt: {kind: text, question: "Μια ιστορία για το φως"}}
"""
# (handle, prompt, story, what the crew does) — None: left waiting
STORIES = (
    ("Ana", "ask", "A lighthouse that forgot its light", "approve"),
    ("Σοφία", "ask2", "Ο φάρος ξέχασε το φως του", "feature"),
    ("Иван", "ask", "Кот уехал домой на пароме", "approve"),
    ("ليلى", "ask", "وصلت رسالة مع المد", "approve"),
    ("נועה", "ask2", "החתול שט במעבורת הביתה", "approve"),
    ("小明", "ask", "灯塔忘记了它的光", "approve"),
    ("さくら", "ask2", "猫がフェリーで家に帰った", "approve"),
    ("Ben", "ask", "Something rude about the usher", "reject"),
    ("Cleo", "ask", "A story I took back", "withdraw"),
    ("Dev", "ask", "A story nobody moderated", None),
)
PICTURES = (("Ana", "draw", "drawing", "approve"), ("Иван", "draw", "drawing", "feature"))
VENUE = "Teatro del Faro"
PICTURES += (("Ben", "snap", "photo", "reject"), ("小明", "snap", "photo", "approve"))


@dataclass
class Night:
    srv: ServerProcess
    shown: dict[str, str] = field(default_factory=dict)  # story -> handle
    hidden: dict[str, str] = field(default_factory=dict)
    pictures: int = 0
    claims: dict[str, str] = field(default_factory=dict)  # handle -> the phone's claim token

    @property
    def data(self) -> Path:
        return self.srv.data


def make_night(night: Night, drawing: Callable[[int], bytes] | None = None) -> None:
    """The room writes, draws and photographs; the crew decides; Cleo takes hers back.
    ``drawing(n)``: the PNG of the n-th drawing (default: a line)."""
    crew = Crew(night.srv)
    handles = sorted({h for h, *_ in STORIES + PICTURES})
    phones = {h: LivePhone(night.srv, h) for h in handles}
    night.claims = {h: phone.claim for h, phone in phones.items()}
    subs: list[str] = []
    try:
        for cue in ("ask", "ask2"):  # the two text prompts, one after the other
            crew.goto(cue)
            for handle, prompt, text, action in STORIES:
                if prompt != cue:
                    continue
                sent = phones[handle].text(prompt, text)
                assert sent["ok"], sent
                if action == "withdraw":
                    assert phones[handle].withdraw(sent["id"])["ok"]
                elif action is not None:
                    crew.moderate(sent["id"], action)
                (night.shown if action in ("approve", "feature") else night.hidden)[text] = handle
        for cue in ("draw", "snap"):
            crew.goto(cue)
            for handle, prompt, kind, action in PICTURES:
                if prompt != cue:
                    continue
                if kind == "drawing":
                    png = drawing(len(subs)) if drawing else png_rgba(400, 300)
                    sub = phones[handle].upload(prompt, kind, png, "d.png", "image/png")
                    subs.append(sub)
                else:
                    sub = phones[handle].photo(prompt, jpeg(320, 240))
                crew.moderate(sub, action)
                night.pictures += action != "reject"
    finally:
        for phone in phones.values():
            phone.close()
        crew.close()


def upload_media(srv: ServerProcess, data: bytes) -> str:
    """A file uploaded as a camera agent uploads it (one PUT); its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    answer = requests.put(
        f"{srv.url}/api/media/{sha}",
        data=data,
        headers={
            "Authorization": f"Bearer {CAMERA_KEY}",
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return sha


def film_a_take(srv: ServerProcess, clip: Path, still: bytes, performer: str) -> str:
    """A finished take with its still (the agent's thumbnail), credited by the crew."""
    body = {
        "id": "take-book-0001",
        "camera": "cam1",
        "raw": upload_media(srv, clip.read_bytes()),
        "thumb": upload_media(srv, still),
        "duration": 4.0,
        "started_at": time.time() - 6,
        "ended_at": time.time() - 2,
    }
    auth = {"Authorization": f"Bearer {CAMERA_KEY}"}
    answer = requests.post(f"{srv.url}/api/takes", json=body, headers=auth, timeout=30)
    assert answer.status_code == 201, answer.text
    crew = Crew(srv)
    try:
        crew.command("take_credit", {"take": body["id"], "performer": performer, "operator": ""})
    finally:
        crew.close()
    return str(body["id"])
