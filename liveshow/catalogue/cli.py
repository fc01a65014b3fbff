"""``liveshow catalogue …``: the reference catalogue service's commands.

At module level only click and the standard library are imported: the main ``liveshow`` CLI
imports this module before eventlet monkey-patches the standard library, and the catalogue
runs on a plain threaded WSGI server, not on eventlet.
"""

from __future__ import annotations

import click


@click.group(name="catalogue")
def catalogue() -> None:
    """The community's reference collaboration catalogue (a separate web service)."""


@catalogue.command()
@click.option(
    "--data",
    envvar="LIVESHOW_CATALOGUE_DATA",
    default="./catalogue-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Data directory (catalogue.db, media store, generated token).",
)
@click.option(
    "--host",
    envvar="LIVESHOW_CATALOGUE_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on.",
)
@click.option(
    "--port",
    envvar="LIVESHOW_CATALOGUE_PORT",
    default=5100,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port to listen on.",
)
@click.option(
    "--empty", is_flag=True, help="Do not load the demo community into a new, empty data directory."
)
def serve(data: str, host: str, port: int, empty: bool) -> None:
    """Serve the catalogue's JSON API and pages (writes need LIVESHOW_CATALOGUE_TOKEN)."""
    from werkzeug.serving import make_server

    from .app import create_catalogue_app
    from .service import Catalogue

    app = create_catalogue_app({"data": data, "host": host, "port": port, "demo": not empty})
    cat: Catalogue = app.extensions["catalogue"]
    # threaded, and without SO_REUSEPORT: a second server on a busy port must fail loudly
    server = make_server(host, port, app, threaded=True)
    base = f"http://{host}:{server.server_port}"
    click.echo(f"liveshow catalogue: data in {cat.settings.data}")
    click.echo(f"  Pages    : {base}/")
    click.echo(f"  API      : {base}/api/v1/collaborations")
    hint = " (generated, kept in <data>/token; set LIVESHOW_CATALOGUE_TOKEN to choose)"
    click.echo(
        f"  Token    : {cat.settings.token}" + (hint if cat.settings.token_generated else "")
    )
    click.echo(f"Listening on {base}", nl=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        cat.db.close()


@catalogue.command()
@click.option(
    "--data",
    envvar="LIVESHOW_CATALOGUE_DATA",
    default="./catalogue-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The catalogue's data directory.",
)
@click.option("--record", type=int, metavar="ID", help="The finished record that earned.")
@click.option(
    "--amount", metavar="AMOUNT", help="The amount to share (profit or a budget line): 1234.56."
)
@click.option(
    "--weights",
    type=click.Path(exists=True, dir_okay=False),
    help="A JSON file overriding default weights for this proposal.",
)
@click.option("--save", is_flag=True, help="Store the proposal as a draft (else: a preview).")
@click.option("--proposal", type=int, metavar="ID", help="A stored proposal to show or move.")
@click.option("--open", "open_", is_flag=True, help="Open the proposal for comments.")
@click.option(
    "--days",
    default=14,
    show_default=True,
    type=click.IntRange(14, 365),
    help="Days an opened proposal stays open for comments (at least 14).",
)
@click.option("--revise", is_flag=True, help="Make a new version of --proposal (a draft).")
@click.option("--finalize", is_flag=True, help="Make --proposal final (after its comments close).")
@click.option("--paid", is_flag=True, help="Mark --proposal paid (it must be final).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one line per artist.")
def payout(
    data: str,
    record: int | None,
    amount: str | None,
    weights: str | None,
    save: bool,
    proposal: int | None,
    open_: bool,
    days: int,
    revise: bool,
    finalize: bool,
    paid: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """A payment proposal: the company's half and each artist's share, to the cent.

    With --record and --amount: compute it from the lineage as it is now (add --save or
    --open to store it). With --proposal: show a stored one, or move it on (--open,
    --revise, --finalize, --paid).
    """
    from .payout_command import Request, run

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    request = Request(
        data, record, amount, weights, save, proposal, open_, days, revise, finalize, paid
    )
    click.echo(run(request, "json" if as_json else "csv" if as_csv else "table"), nl=False)
