"""``liveshow report`` and ``liveshow archive``, registered by ``liveshow.cli``.

The work is imported inside the commands: matplotlib and bagit are loaded only when one of
them runs, never by ``liveshow serve`` (which must import as little as possible before it
patches for eventlet) nor by ``liveshow --help``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import settings
from .snapshot import NoShow


def setting_option(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The CLI option of one setting, as `liveshow serve` has it."""
    setting = settings.BY_NAME[name]
    return click.option(
        setting.option, name, default=None, help=f"{setting.help} [env {setting.env}]"
    )


@click.command()
@setting_option("data")
@click.option("--out", type=click.Path(path_type=Path), help="Folder [default: <data>/report]")
def report(data: str | None, out: Path | None) -> None:
    """Write the show report: an HTML page, its figures (PNG) and their numbers (CSV)."""
    from .report import build_report

    folder = Path(settings.load({"data": data})["data"])
    try:
        made = build_report(folder, out or folder / "report")
    except NoShow as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {made.page} ({len(made.images)} figures, {len(made.tables)} CSV files)")


@click.command()
@setting_option("data")
@setting_option("licence")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="A new folder, or a .tar / .tar.gz file [default: <data>-archive-<time> beside --data]",
)
@click.option(
    "--verify",
    "check",
    type=click.Path(path_type=Path),
    help="Check the bag at this path (folder or .tar/.tar.gz) instead: exit 0 when valid, "
    "1 with the reason when not.",
)
def archive(data: str | None, licence: str | None, out: Path | None, check: Path | None) -> None:
    """Pack the night as a BagIt bag (database, media, show file, report, PROV-O lineage)."""
    from .archive import ArchiveError, make_archive, verify

    if check is not None:
        problem = verify(check)
        if problem:
            raise click.ClickException(f"{check} is not a valid bag: {problem}")
        click.echo(f"{check} is a valid bag")
        return
    values = settings.load({"data": data, "licence": licence})
    folder = Path(values["data"]).resolve()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    try:
        made = make_archive(
            folder, out or folder.parent / f"{folder.name}-archive-{stamp}", values["licence"]
        )
    except (NoShow, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {made.bag}: {made.records} records, {made.media} media files")
