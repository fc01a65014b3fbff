"""The book as HTML and CSS paged media, for WeasyPrint to set.

Everything the room wrote is escaped here and nowhere else: a story is text, never markup.
Each story says its own direction (Arabic and Hebrew run right to left) and, for Han text,
its language, so the typesetter picks the Chinese, Japanese or Korean forms of the glyphs.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..show.cues import PromptKind
from .night import Night, Order, Picture, Still, Story, ordered

# Noto from Debian (fonts-noto-core, fonts-noto-cjk) first; fontconfig falls back past these
# to any installed font that has the glyph.
FONTS = (
    '"Noto Serif", "Noto Naskh Arabic", "Noto Serif Hebrew", "Noto Serif CJK SC", '
    '"Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK SC", "DejaVu Serif", '
    "serif"
)
BLEED_MM = 3


@dataclass(frozen=True)
class Options:
    order: Order = Order.WRITTEN
    stills: bool = False
    bleed: bool = False
    venue: str = ""


def direction(text: str) -> str:
    """``rtl`` when the first strongly directed letter runs right to left (Unicode's rule for
    a paragraph's direction, P2-P3), else ``ltr``."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def language(text: str) -> str:
    """A language tag for CJK text (it picks the regional glyph forms), else empty."""
    names = [unicodedata.name(c, "") for c in text if ord(c) > 0x2E7F]
    if any(n.startswith(("HIRAGANA", "KATAKANA")) for n in names):
        return "ja"
    if any(n.startswith("HANGUL") for n in names):
        return "ko"
    if any(n.startswith("CJK") for n in names):
        return "zh"
    return ""


def attributes(text: str) -> str:
    lang = language(text)
    return f' dir="{direction(text)}"' + (f' lang="{lang}"' if lang else "")


def css(options: Options) -> str:
    bleed = f"bleed: {BLEED_MM}mm; marks: crop cross;" if options.bleed else ""
    return f"""
@page {{
  size: A5; margin: 16mm 14mm 18mm; {bleed}
  @bottom-center {{ content: counter(page); font: 9pt {FONTS}; color: #444; }}
}}
@page cover {{ @bottom-center {{ content: none; }} }}
@page blank {{ @bottom-center {{ content: none; }} }}
html {{ font-family: {FONTS}; font-size: 11pt; line-height: 1.45; color: #111; }}
body {{ margin: 0; }}
.cover {{ page: cover; text-align: center; padding-top: 45mm; break-after: page; }}
.cover h1 {{ font-size: 26pt; line-height: 1.15; margin: 0 0 8mm; }}
.cover .venue, .cover .date {{ font-size: 12pt; margin: 2mm 0; }}
.cover .what {{ font-size: 10pt; font-style: italic; margin-top: 30mm; color: #333; }}
h2 {{ font-size: 12pt; font-weight: normal; font-style: italic; margin: 0 0 6mm;
  border-bottom: 0.4pt solid #999; padding-bottom: 2mm; break-after: avoid; }}
.prompt + .prompt {{ break-before: page; }}
.story {{ break-inside: avoid; margin: 0 0 7mm; }}
.story .text {{ margin: 0; white-space: pre-wrap; }}
.by {{ margin: 1.5mm 0 0; font-size: 9pt; color: #444; text-align: end; }}
.story.featured {{ break-before: page; break-after: page; padding-top: 25mm;
  font-size: 16pt; line-height: 1.4; }}
.story.featured .by {{ font-size: 10pt; }}
figure {{ break-inside: avoid; margin: 0 0 7mm; text-align: center; }}
figure img {{ max-width: 100%; max-height: 75mm; object-fit: contain; }}
figure.featured {{ break-before: page; break-after: page; padding-top: 10mm; }}
figure.featured img {{ max-height: 140mm; }}
figcaption {{ font-size: 9pt; color: #444; margin-top: 1.5mm; }}
.stills {{ break-before: page; }}
.credits {{ break-before: page; }}
.credits ul {{ list-style: none; padding: 0; margin: 0; columns: 2; column-gap: 8mm; }}
.credits li {{ margin: 0 0 1.2mm; break-inside: avoid; }}
.credits .thanks {{ margin-top: 8mm; font-size: 9pt; font-style: italic; color: #444; }}
"""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def cover(night: Night, options: Options) -> str:
    when = night.date.strftime("%-d %B %Y") if night.date else ""
    parts = [f'<section class="cover"><h1{attributes(night.title)}>{esc(night.title)}</h1>']
    if options.venue:
        parts.append(f'<p class="venue"{attributes(options.venue)}>{esc(options.venue)}</p>')
    if when:
        parts.append(f'<p class="date">{esc(when)}</p>')
    parts.append('<p class="what">Tiny stories and drawings from the room</p></section>')
    return "".join(parts)


def story(item: Story) -> str:
    kind = "story featured" if item.featured else "story"
    return (
        f'<article class="{kind}" id="s-{esc(item.id)}">'
        f'<p class="text"{attributes(item.text)}>{esc(item.text)}</p>'
        f'<p class="by"{attributes(item.handle)}>— {esc(item.handle)}</p></article>'
    )


def picture(item: Picture) -> str:
    kind = "featured" if item.featured else "picture"
    what = "a drawing" if item.kind is PromptKind.DRAWING else "a photo"
    return (
        f'<figure class="{kind}"><img src="{item.path.as_uri()}" alt="{what}">'
        f"<figcaption>{what} by <span{attributes(item.handle)}>{esc(item.handle)}</span>"
        "</figcaption></figure>"
    )


def still(item: Still) -> str:
    who = [
        f"{role} {esc(name)}"
        for role, name in (("with", item.performer), ("camera", item.operator))
        if name
    ]
    return (
        f'<figure class="picture"><img src="{item.path.as_uri()}" alt="a still">'
        f"<figcaption>{' · '.join(who) or 'on stage'}</figcaption></figure>"
    )


def interleave(stories: list[str], pictures: list[str]) -> list[str]:
    """Pictures spread evenly between the stories, like illustrations beside them."""
    if not stories:
        return pictures
    out = list(stories)
    step = len(stories) / (len(pictures) + 1)
    for n, item in reversed(list(enumerate(pictures, start=1))):
        out.insert(max(1, round(n * step)), item)
    return out


def body(night: Night, options: Options) -> str:
    stories = ordered(night, options.order)
    if options.order is Order.PROMPT:
        groups: dict[str, list[Story]] = {}
        for item in stories:
            groups.setdefault(item.prompt, []).append(item)
        parts = []
        for prompt, members in groups.items():
            pictures = [picture(p) for p in night.pictures if p.prompt == prompt]
            question = members[0].question
            heading = f"<h2{attributes(question)}>{esc(question)}</h2>" if question else ""
            flow = interleave([story(s) for s in members], pictures)
            parts.append(f'<section class="prompt">{heading}{"".join(flow)}</section>')
        told = {s.prompt for s in stories}
        rest = [picture(p) for p in night.pictures if p.prompt not in told]
        return "".join(parts) + "".join(rest)
    return "".join(interleave([story(s) for s in stories], [picture(p) for p in night.pictures]))


def credits(names: list[str]) -> str:
    items = "".join(f"<li{attributes(n)}>{esc(n)}</li>" for n in names)
    return (
        f'<section class="credits"><h2>Made by</h2><ul>{items}</ul>'
        '<p class="thanks">Every story and picture here was made in the room, by the people '
        "named above, and is credited to them as they asked.</p></section>"
    )


def book_html(night: Night, options: Options, names: list[str] | None = None) -> str:
    """The whole book as one HTML document. ``names``: the credits (default: the handles)."""
    stills = ""
    if options.stills and night.stills:
        stills = (
            '<section class="stills"><h2>On stage</h2>'
            + "".join(still(s) for s in night.stills)
            + "</section>"
        )
    people = names if names is not None else night.contributors(options.stills)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(night.title)}</title><style>{css(options)}</style></head><body>"
        f"{cover(night, options)}{body(night, options)}{stills}{credits(people)}</body></html>"
    )


def media_root(data: Path) -> Path:
    return (data / "media").resolve()
