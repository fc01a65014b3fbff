"""The night's tiny book (issue 14): a demo night made through the app (phones join and send
stories in six scripts and drawings; the crew approves, features and rejects; one phone takes
a story back), then `liveshow book` as a user types it, read back with poppler-utils."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from liveshow.book.imposition import printers_order
from liveshow.book.render import render_html
from tests.helpers import CAMERA_KEY
from tests.helpers.book import SHOW, STORIES, VENUE, Night, film_a_take, make_night
from tests.helpers.night import invoke
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess, free_port
from tests.helpers.shows import write_show
from tests.helpers.sync import run_sync
from tests.test_catalogue_structure import TOKEN, CatalogueProcess


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, demo_show: Path) -> Iterator[Night]:
    """The night on a real server, which keeps running: the book is made from a live show."""
    folder = tmp_path_factory.mktemp("book")
    show = write_show(folder, SHOW, "book.yaml")
    srv = ServerProcess(folder / "data", show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})
    srv.start()
    try:
        made = Night(srv)
        make_night(made)
        clip = demo_show.parent / "demo" / "tide-pools.mp4"
        film_a_take(srv, clip, jpeg(320, 180, colour=(20, 120, 40)), PERFORMER)
        yield made
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def book(night: Night) -> Path:
    made = invoke("book", "--data", str(night.data), "--venue", VENUE)
    assert made.exit_code == 0, made.output
    assert "warning" not in made.output  # WeasyPrint's missing-glyph report, empty
    return night.data / "book.pdf"


def text_of(pdf: Path, *args: str) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", *args, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


PERFORMER = "Jonas Lind"


def test_every_approved_story_and_credited_handle_is_in_the_book_and_nothing_else(
    night: Night, book: Path
) -> None:
    text = flat(text_of(book))
    assert "Night of Lighthouses" in text and VENUE in text
    missing = [story for story in night.shown if story not in text]
    assert missing == []
    leaked = [story for story in night.hidden if story in text]
    assert leaked == []
    credits = flat(text_of(book, "-f", str(len(PdfReader(book).pages))))
    assert "Made by" in credits
    credited = set(night.shown.values()) | {"Ana", "Иван", "小明"}
    assert [h for h in credited if h not in credits] == []
    # Ben's only piece in the book would be rejected work; Cleo took hers back; Dev waited
    assert [h for h in ("Ben", "Cleo", "Dev") if h in text] == []


def test_the_book_is_a5_with_page_numbers_and_every_picture(night: Night, book: Path) -> None:
    reader = PdfReader(book)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            420,
            595,
        )
    for number in range(2, len(reader.pages) + 1):
        assert re.search(
            rf"(?m)^\s*{number}\s*$", text_of(book, "-f", str(number), "-l", str(number))
        )
    images = subprocess.run(["pdfimages", "-list", str(book)], capture_output=True, text=True)
    kinds = [row.split()[2] for row in images.stdout.splitlines()[2:]]
    assert kinds.count("image") == night.pictures  # (a drawing's alpha is an "smask")


def test_every_font_is_embedded(book: Path) -> None:
    out = subprocess.run(["pdffonts", str(book)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert len(rows) >= 5  # Latin/Greek/Cyrillic, Arabic, Hebrew, CJK: several faces
    assert [r for r in rows if r.split()[-5] != "yes"] == []  # the "emb" column


def test_no_missing_glyph_boxes(book: Path, tmp_path: Path) -> None:
    """WeasyPrint reports each character it had no glyph for (it draws .notdef, a box): the
    book's report is empty (the `book` fixture), and a private-use character proves the report
    works. The rendered pages have ink on them."""
    _, _, missing = render_html("<p>box: \ue000</p>", tmp_path)
    assert missing == ["\ue000 (U+E000)"]
    _, _, missing = render_html("<p>" + " ".join(s for _, _, s, _ in STORIES) + "</p>", tmp_path)
    assert missing == []
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(book), str(tmp_path / "p")], check=True)
    rendered = sorted(tmp_path.glob("p-*.png"))
    assert len(rendered) == len(PdfReader(book).pages)


def test_imposed_book_has_a4_sides_in_printers_order(night: Night, book: Path) -> None:
    out = night.data / "imposed.pdf"
    made = invoke(
        "book", "--data", str(night.data), "--imposed", "--out", str(out), "--venue", VENUE
    )
    assert made.exit_code == 0, made.output
    pages = len(PdfReader(book).pages)
    sides = PdfReader(out).pages
    assert len(sides) == 2 * -(-pages // 4)
    for side in sides:
        assert (round(float(side.mediabox.width)), round(float(side.mediabox.height))) == (
            842,
            595,
        )
    order = printers_order(pages)
    assert order[0] == (len(sides) * 2, 1) and order[1] == (2, len(sides) * 2 - 1)
    for n, (left, right) in enumerate(order, start=1):
        for number, x in ((left, 0), (right, 421)):
            half = flat(
                text_of(
                    out,
                    "-f",
                    str(n),
                    "-l",
                    str(n),
                    "-x",
                    str(x),
                    "-y",
                    "0",
                    "-W",
                    "421",
                    "-H",
                    "595",
                )
            )
            page = (
                flat(text_of(book, "-f", str(number), "-l", str(number))) if number <= pages else ""
            )
            assert half == page, (n, number)


def test_orders_bleed_and_refusals(night: Night, tmp_path: Path) -> None:
    first = invoke(
        "book", "--data", str(night.data), "--order", "featured", "--out", str(tmp_path / "f.pdf")
    )
    assert first.exit_code == 0, first.output
    assert flat(text_of(tmp_path / "f.pdf", "-f", "2", "-l", "2")).startswith("Ο φάρος")
    bled = invoke(
        "book",
        "--data",
        str(night.data),
        "--bleed",
        "--order",
        "prompt",
        "--out",
        str(tmp_path / "b.pdf"),
    )
    assert bled.exit_code == 0, bled.output
    grouped = flat(text_of(tmp_path / "b.pdf"))
    sea, light = (
        grouped.index("A tiny story about the sea"),
        grouped.index("Μια ιστορία για το φως"),
    )
    assert (
        sea < grouped.index("灯塔忘记了它的光") < light < grouped.index("猫がフェリーで家に帰った")
    )
    page = PdfReader(tmp_path / "b.pdf").pages[0]
    assert float(page.mediabox.width) > 420 and float(page.trimbox.width) == pytest.approx(
        419.5, abs=1
    )
    both = invoke("book", "--data", str(night.data), "--bleed", "--imposed")
    assert both.exit_code == 2 and "choose one" in both.output
    empty = invoke("book", "--data", str(tmp_path / "nowhere"))
    assert empty.exit_code == 1 and "no show" in empty.output


def test_the_dashboard_previews_the_book_for_the_crew_only(night: Night) -> None:
    url = night.srv.url + "/crew/book/"
    stranger = requests.get(url, allow_redirects=False, timeout=60)
    assert stranger.status_code in (302, 303) and "/crew/login" in stranger.headers["Location"]
    assert requests.get(url + "book.pdf", allow_redirects=False, timeout=5).status_code != 200
    crew = requests.Session()
    login = crew.post(night.srv.url + "/crew/login", data={"password": night.srv.password})
    assert login.ok and crew.cookies
    page = crew.get(url, params={"order": "featured", "venue": "Teatro"}, timeout=60)
    assert page.status_code == 200, page.text
    thumbs = re.findall(r'<img src="(page-\d+\.png)"', page.text)
    assert thumbs and len(thumbs) == len(PdfReader(night.data / "book" / "book.pdf").pages)
    picture = crew.get(url + thumbs[0], timeout=5)
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    pdf = crew.get(url + "book.pdf", timeout=5)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    imposed = crew.get(url + "book-imposed.pdf", timeout=60)
    assert imposed.status_code == 200 and imposed.content.startswith(b"%PDF")
    assert crew.get(url + "show.db", timeout=5).status_code == 404
    assert crew.get(url, params={"order": "random"}, timeout=5).status_code == 400
    # no catalogue configured: no "Claimed names" choice, and asking for it changes nothing
    again = crew.get(url, params={"claims": "1"}, timeout=60)
    assert again.status_code == 200 and "Claimed names" not in again.text


def test_stills_of_the_takes_on_request(night: Night, book: Path, tmp_path: Path) -> None:
    assert PERFORMER not in text_of(book)  # stills only when asked for
    out = tmp_path / "stills.pdf"
    made = invoke("book", "--data", str(night.data), "--stills", "--out", str(out))
    assert made.exit_code == 0, made.output
    text = flat(text_of(out))
    assert "On stage" in text and f"with {PERFORMER}" in text
    credits = flat(text_of(out, "-f", str(len(PdfReader(out).pages))))
    assert PERFORMER in credits
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True)
    kinds = [row.split()[2] for row in images.stdout.splitlines()[2:]]
    assert kinds.count("image") == night.pictures + 1


def test_claimed_names_from_the_catalogue_only_when_asked_and_never_required(
    night: Night, tmp_path: Path
) -> None:
    """Ivan claims his night on the catalogue after the sync; `--claims` credits him by the
    name he claimed, and an unreachable catalogue leaves every handle as typed."""
    out = tmp_path / "claimed.pdf"
    ask = ("book", "--data", str(night.data), "--claims", "--out", str(out), "--catalogue-url")
    catalogue = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    try:
        synced = run_sync(night.data, catalogue.url, TOKEN)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        link = f"{catalogue.url}/claim/{night.claims['Иван']}"
        claim = {"handle": "ivan-petrov", "name": "Иван Петров"}
        assert requests.post(link, data=claim, timeout=10).status_code == 201
        made = invoke(*ask, catalogue.url)
        assert made.exit_code == 0, made.output
        assert "claims: 1 of" in made.output
    finally:
        catalogue.stop()
    text = flat(text_of(out))
    assert "— Иван Петров" in text and "a drawing by Иван Петров" in text
    assert "Иван Петров" in flat(text_of(out, "-f", str(len(PdfReader(out).pages))))
    offline = invoke(*ask, f"http://127.0.0.1:{free_port()}")
    assert offline.exit_code == 0, offline.output
    assert "handles as typed" in offline.output
    assert "Петров" not in text_of(out) and "— Иван" in flat(text_of(out))
