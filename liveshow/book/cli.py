"""``liveshow book``, registered by ``liveshow.cli``.

WeasyPrint is imported inside the command (through ``.render``): it loads Pango and the
fonts, which neither ``liveshow serve`` nor ``liveshow --help`` should pay for.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import settings
from .claims import claimed_names
from .layout import Options
from .night import NoNight, Order


@click.command()
@click.option(
    "--data",
    default=None,
    help="The show's data directory [env LIVESHOW_DATA; default: ./liveshow-data]",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The PDF to write [default: <data>/book.pdf, or <data>/book-imposed.pdf]",
)
@click.option(
    "--imposed",
    is_flag=True,
    help="Pages in printer's order, two A5 pages a side of an A4 sheet, to fold in half.",
)
@click.option("--bleed", is_flag=True, help="3 mm bleed and crop marks, for a print shop.")
@click.option(
    "--order",
    type=click.Choice([o.value for o in Order]),
    default=Order.WRITTEN.value,
    show_default=True,
    help="Stories as written, grouped by prompt, or featured first.",
)
@click.option("--stills", is_flag=True, help="Add a page of stills from the night's takes.")
@click.option("--venue", default="", help="The venue, for the cover.")
@click.option(
    "--claims",
    is_flag=True,
    help="Ask the catalogue for names claimed since the show (never required: without an "
    "answer the handles as typed are printed).",
)
@click.option("--catalogue-url", default=None, help="The catalogue [env LIVESHOW_CATALOGUE_URL]")
def book(
    data: str | None,
    out: Path | None,
    imposed: bool,
    bleed: bool,
    order: str,
    stills: bool,
    venue: str,
    claims: bool,
    catalogue_url: str | None,
) -> None:
    """Make the night's tiny book: an A5 booklet (PDF) of its approved stories and pictures."""
    from .render import build_book

    if imposed and bleed:
        raise click.UsageError(
            "--imposed is for printing the booklet yourself on A4 and --bleed for a print shop's "
            "single pages: choose one"
        )
    values = settings.load({"data": data, "catalogue_url": catalogue_url})
    folder = Path(values["data"])
    target = out or folder / ("book-imposed.pdf" if imposed else "book.pdf")
    options = Options(order=Order(order), stills=stills, bleed=bleed, venue=venue.strip())
    try:
        names = claimed(folder, values["catalogue_url"]) if claims else {}
        made = build_book(folder, target, options, imposed=imposed, names=names)
    except NoNight as exc:
        raise click.ClickException(str(exc)) from None
    size = f"A4 sides from {made.imposed_from} A5 pages" if imposed else "A5 pages"
    click.echo(
        f"wrote {made.pdf}: {made.pages} {size}, {made.stories} stories, "
        f"{made.pictures} pictures, {len(made.contributors)} contributors "
        f"({made.seconds:.1f} s)"
    )
    for glyph in made.missing_glyphs:
        click.echo(f"warning: no installed font has {glyph}: it prints as a box", err=True)


def claimed(folder: Path, catalogue_url: str | None) -> dict[str, str]:
    """Claimed names from the catalogue, saying what happened; {} when it cannot tell."""
    if not catalogue_url:
        click.echo("claims: no catalogue_url set: handles as typed", err=True)
        return {}
    found = claimed_names(folder, catalogue_url)
    if found.problem:
        click.echo(f"claims: {found.problem}: the rest keep their handles as typed", err=True)
    click.echo(f"claims: {len(found.names)} of {found.asked} contributors asked had claimed")
    return found.names
