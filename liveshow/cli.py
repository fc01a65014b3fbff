"""The `liveshow` command: serve, demo, preflight, export, pull, qr, camera, sync."""

from __future__ import annotations

import os
import resource
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import settings
from .sync.command import sync

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def setting_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One CLI option per setting, generated from liveshow.settings.SETTINGS."""
    for setting in reversed(settings.SETTINGS):
        default = "generated" if setting.secret else setting.default
        fn = click.option(
            setting.option,
            setting.name,
            default=None,
            help=f"{setting.help} [env {setting.env}; default: {default}]",
        )(fn)
    return fn


def _parsed(options: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, raw in options.items():
        if raw is None:
            continue
        try:
            out[name] = settings.BY_NAME[name].parse(raw)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=settings.BY_NAME[name].option) from None
    return out


@click.group()
@click.version_option(package_name="liveshow")
def main() -> None:
    """liveshow: cue engine, crew dashboard and projector displays for live shows."""


main.add_command(sync)


@main.command()
@setting_options
def serve(**options: Any) -> None:
    """Run the show server (resumes the show in --data, or loads --show, or the demo)."""
    run_server(_parsed(options))


@main.command()
@setting_options
@click.option(
    "--camera/--no-camera",
    "with_camera",
    default=True,
    show_default=True,
    help="Also run a synthetic camera agent (cam1) for the demo's camera cues.",
)
def demo(with_camera: bool, **options: Any) -> None:
    """Generate the demo media if needed and run the bundled demo show: with a local demo
    catalogue (unless LIVESHOW_CATALOGUE_URL is set), its records pulled before the show."""
    _green(settings.load(_parsed(options))["async_mode"])  # before the pull's locks exist
    from .show.demo import DEMO_SHOW, ensure_demo_media
    from .sync.pull import pull_show

    click.echo("Preparing the demo show's media (made offline, once)...")
    ensure_demo_media()
    values = _parsed(options)
    values.setdefault("show", str(DEMO_SHOW))
    if not settings.load(values)["catalogue_url"]:
        values.update(_start_demo_catalogue(values))
    if not pull_show(settings.load(values)):
        click.echo("Some catalogue records were not pulled: their cues show only a title.")
    if with_camera:
        _start_demo_camera(values)
    run_server(values)


def _start_demo_catalogue(overrides: dict[str, Any]) -> dict[str, Any]:
    """Starts the demo catalogue (it stops with this process); the settings for it."""
    import atexit

    from .show.demo import as_phones_reach_it, start_demo_catalogue

    values = settings.load(overrides)
    folder = settings.data_dir(values) / "catalogue"
    click.echo(f"Starting the demo catalogue (data in {folder})...")
    try:
        url, token, stop = start_demo_catalogue(folder, values["catalogue_token"], values)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    atexit.register(stop)
    click.echo(f"Demo catalogue: {url}/ (token in {folder / 'token'})")
    public = values["catalogue_public_url"] or as_phones_reach_it(url, values)
    return {"catalogue_url": url, "catalogue_token": token, "catalogue_public_url": public}


def _start_demo_camera(overrides: dict[str, Any]) -> None:
    """A synthetic camera agent as a child process; it connects once the server is up."""
    import atexit
    import subprocess

    from .show.demo import die_with_parent
    from .store.database import Store

    values = settings.load(overrides)
    data = settings.data_dir(values)
    store = Store(data / "show.db")
    settings.fill_secrets(values, store.meta_get, store.meta_set)
    store.close()
    agent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liveshow",
            "camera",
            "--server",
            f"http://127.0.0.1:{values['port']}",
            "--key",
            values["camera_key"],
            "--name",
            "cam1",
            "--source",
            "synthetic",
            "--fps",
            "25",
            "--takes",
            str(data / "takes"),
        ],
        stdout=open(data / "camera-agent.log", "ab"),
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent,
    )
    click.echo(f"Demo camera agent cam1 started (log: {data / 'camera-agent.log'})")

    def stop_agent() -> None:
        if agent.poll() is None:
            agent.terminate()

    atexit.register(stop_agent)


@main.command()
@click.option(
    "--show",
    "show_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Show file to check (default: the bundled demo show).",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="Data directory whose pulled catalogue records (see `liveshow pull`) and free "
    "space (the min_free_mb setting) to check.",
)
def preflight(show_path: Path | None, data: Path | None) -> None:
    """Check a show file and its media before doors open; exit 1 on errors."""
    from .show.demo import DEMO_SHOW
    from .show.preflight import Severity, disk_problems, preflight_file

    path = show_path or DEMO_SHOW
    problems = preflight_file(path, data)
    if data is not None:  # the data folder's free space too
        problems += disk_problems(data, settings.load()["min_free_mb"])
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity is Severity.ERROR for p in problems)
    click.echo(f"{path}: {errors} error(s), {len(problems) - errors} warning(s)")
    sys.exit(1 if errors else 0)


def _out_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--out", type=click.Path(path_type=Path), required=True, help=help)


@main.command()
@click.option("--data", default="./liveshow-data", help="Data directory of the show.")
@_out_option("Show file to write (atomically).")
def export(data: str, out: Path) -> None:
    """Write the show stored in a data directory (with its edits) to a show file."""
    from .media.library import MediaLibrary
    from .show.engine import ShowEngine
    from .show.showfile import dump, write_atomic
    from .store.database import Store

    folder = Path(data)
    if not (folder / "show.db").is_file():
        raise click.ClickException(f"no show in {folder} (no show.db)")
    store = Store(folder / "show.db")
    engine = ShowEngine(store, MediaLibrary(store, folder / "media"))
    if not engine.restore():
        raise click.ClickException(f"no show stored in {folder}")
    write_atomic(out, dump(engine.show, relative_to=out.resolve().parent))
    click.echo(f"wrote {out} ({len(engine.cues)} cues)")


def _setting_option(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The CLI option of one setting, as `serve` has it."""
    setting = settings.BY_NAME[name]
    return click.option(
        setting.option, name, default=None, help=f"{setting.help} [env {setting.env}]"
    )


@main.command()
@click.argument("collaborations", nargs=-1)
@_setting_option("data")
@_setting_option("show")
@_setting_option("catalogue_url")
@_setting_option("catalogue_token")
def pull(collaborations: tuple[str, ...], **options: Any) -> None:
    """Fetch the show's catalogue records (and every record of each COLLABORATION named) with
    their media into the show's cache, hash-checked; exit 0 only when all of it is cached."""
    from .sync.pull import pull_show

    if not pull_show(settings.load(_parsed(options)), collaborations):
        sys.exit(1)


@main.command()
@click.option("--data", default=None, help="Data directory of the show (for its join code).")
@click.option(
    "--public-url",
    default=None,
    help="Base URL phones use (default: LIVESHOW_PUBLIC_URL, or this machine's LAN address).",
)
@click.option("--port", type=int, default=None, help="Port in the URL (default 5000).")
@_out_option("File to write: .svg or .png.")
def qr(data: str | None, public_url: str | None, port: int | None, out: Path) -> None:
    """Write the join QR code (SVG or PNG) for printed programmes."""
    from .audience.joining import join_url, qr_png, qr_svg
    from .show.showfile import write_atomic
    from .store.database import Store

    values = settings.load({"data": data, "public_url": public_url, "port": port})
    if out.suffix.lower() not in (".svg", ".png"):
        raise click.BadParameter("the file must end in .svg or .png", param_hint="--out")
    store = Store(settings.data_dir(values) / "show.db")
    settings.fill_secrets(values, store.meta_get, store.meta_set)
    values["join_code"] = store.meta_get("join_code_rotated") or values["join_code"]
    url = join_url(values)
    if out.suffix.lower() == ".svg":
        write_atomic(out, qr_svg(url).decode())
    else:
        out.write_bytes(qr_png(url))
    click.echo(f"wrote {out}: {url}")


@main.command()
@click.option("--server", required=True, help="The show server's URL, e.g. http://10.0.0.5:5000")
@click.option(
    "--key",
    envvar="LIVESHOW_CAMERA_KEY",
    required=True,
    help="The camera key (printed by `liveshow serve`) [env LIVESHOW_CAMERA_KEY]",
)
@click.option("--name", default="cam1", show_default=True, help="This camera's name.")
@click.option(
    "--source",
    default="synthetic",
    show_default=True,
    help="A device index (0), a video file, an rtsp:// or http(s):// URL, or "
    "synthetic[:blue|:still] (a test picture of a performer on a green screen).",
)
@click.option("--width", type=int, default=1280, show_default=True)
@click.option("--height", type=int, default=720, show_default=True)
@click.option("--fps", type=float, default=30.0, show_default=True)
@click.option(
    "--takes",
    "takes_dir",
    type=click.Path(path_type=Path),
    default=Path("./liveshow-takes"),
    show_default=True,
    help="Where takes are recorded and wait until the server has them.",
)
@click.option(
    "--min-free-mb",
    type=click.IntRange(min=0),
    default=500,
    show_default=True,
    help="Refuse to start a take with less free space than this in --takes; stop one "
    "cleanly at half of it.",
)
@click.option(
    "--keep-uploaded",
    is_flag=True,
    help="Never delete a take the server has (by default, when short of --min-free-mb, the "
    "oldest uploaded takes' files are deleted once the server confirms it holds them).",
)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
def camera(
    server: str,
    key: str,
    name: str,
    source: str,
    width: int,
    height: int,
    fps: float,
    takes_dir: Path,
    min_free_mb: int,
    keep_uploaded: bool,
    duration: float | None,
) -> None:
    """Run a camera agent: capture, preview, keying, takes (OpenCV, in its own process)."""
    import logging
    import signal

    from .agent.camera import AgentConfig, CameraAgent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    agent = CameraAgent(
        AgentConfig(
            server=server,
            key=key,
            name=name,
            source=source,
            width=width,
            height=height,
            fps=fps,
            takes_dir=takes_dir,
            min_free_mb=min_free_mb,
            prune_uploaded=not keep_uploaded,
        )
    )
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    try:
        agent.run(duration)
    except KeyboardInterrupt:
        agent.shutdown()


def _patched(module: str, table: str) -> Any:
    return getattr(sys.modules.get(module), table, {})  # what a patcher has patched already


def _green(async_mode: str) -> None:
    """Monkey-patch before the app is imported (OpenCV never runs in this process); once."""
    if async_mode == "eventlet" and "socket" not in _patched("eventlet.patcher", "already_patched"):
        # upload_workers decode at a time; the rest wait on commits the writer groups
        os.environ.setdefault("EVENTLET_THREADPOOL_SIZE", "16")
        import eventlet

        eventlet.monkey_patch()
        from .eventlet_fixes import install
        from .realtime import wire

        install()
        wire.install()
    elif async_mode == "gevent" and "socket" not in _patched("gevent.monkey", "saved"):
        from gevent import monkey

        monkey.patch_all()


def run_server(overrides: dict[str, Any]) -> None:
    values = settings.load(overrides)
    if values["workers"] > 1:  # nginx, the show worker and phone workers, as child processes
        from .scaleout.cluster import serve_cluster

        raise SystemExit(serve_cluster(values))
    _green(values["async_mode"])
    from .app import create_app, socketio
    from .realtime.clock import clock_loop
    from .realtime.osc_listener import start_osc
    from .realtime.sync import sync_loop
    from .serving.temporary import temporary_files_in
    from .show.showfile import ShowFileError

    try:
        app = create_app(overrides)
    except ShowFileError as exc:
        raise click.ClickException(str(exc)) from None
    rt = app.extensions["liveshow"]
    temporary_files_in(rt.data_dir / "tmp")
    show_worker = not values["show_worker"]  # a phone worker runs no part of the show
    if show_worker:
        click.echo(banner(rt))
        start_osc(app, socketio)
    host, port = values["host"], values["port"]
    listener = None
    if values["async_mode"] == "eventlet":
        # Our own listener: eventlet.listen() sets SO_REUSEPORT by default, so a second
        # server on a busy port would start silently and split the clients between shows.
        import eventlet

        from .serving.limits import LISTEN_BACKLOG

        try:
            listener = eventlet.listen((host, port), reuse_port=False, backlog=LISTEN_BACKLOG)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    else:
        _check_port_free(host, port)
    _raise_file_limit(values["max_connections"] + 200)
    if show_worker:
        socketio.start_background_task(clock_loop, app, socketio)
        socketio.start_background_task(sync_loop, app, socketio)
    if listener is not None:
        from .eventlet_fixes import serve

        serve(listener, app, values)
        return
    # gevent's and werkzeug's servers, with the limits eventlet's has (liveshow/serving)
    if values["async_mode"] == "gevent":
        from .serving import gevent_server

        gevent_server.serve(app, values)
    else:
        from .serving import threading_server

        threading_server.serve(app, values)


def _check_port_free(host: str, port: int) -> None:
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    finally:
        probe.close()


def _raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def banner(rt: Any) -> str:
    from .audience.joining import join_url, public_url, terminal_qr

    base = public_url(rt.settings)
    login = f"{base}/crew/login?token={rt.new_login_token()}"
    engine = rt.engine
    lines = [
        f"liveshow: show {engine.show.title!r} ({len(engine.cues)} cues), data in {rt.data_dir}",
        f"  Crew dashboard : {base}/crew",
        f"  Crew password  : {rt.settings['crew_password']}"
        + (
            " (generated; set LIVESHOW_CREW_PASSWORD to choose)"
            if "crew_password" in rt.generated
            else ""
        ),
        f"  One-time login : {login}",
    ]
    for name in engine.show.displays:
        lines.append(f"  Display {name:<7}: {base}/display/{name}?key={rt.settings['display_key']}")
    lines += [
        f"  Phones join at : {join_url(rt.settings)}",
        f"  Camera agents  : liveshow camera --server {base} "
        f"--key {rt.settings['camera_key']} --name cam1 --source 0",
        "Scan to log in as crew (one-time):",
        terminal_qr(login),
    ]
    return "\n".join(lines)


from .book.cli import book as _book  # noqa: E402
from .catalogue.cli import catalogue as _catalogue  # noqa: E402
from .reports.cli import archive as _archive  # noqa: E402
from .reports.cli import report as _report  # noqa: E402

main.add_command(_catalogue)
main.add_command(_report)
main.add_command(_archive)
main.add_command(_book)
