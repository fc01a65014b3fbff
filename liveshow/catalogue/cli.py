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
