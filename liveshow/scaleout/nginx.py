"""nginx in front of the workers: its config, written to a folder of its own, and its process.

HTTP goes to the show worker (it is the one writer: uploads, pages, the API). Socket.IO
goes to the show worker too unless the browser holds the phone cookie, which nginx sets on
the phone app's pages (``/join``): those sockets are spread over every worker by a
consistent hash of the phone's full address, so a phone keeps its worker (Engine.IO's
polling needs that) while a room on one Wi-Fi subnet still spreads. (nginx's ``ip_hash``
hashes only the first three octets of an IPv4 address: a whole venue on 192.168.1.x would
land on one worker.) The crew's and displays' pages clear the cookie, so a laptop that once
opened the phone app still reaches the show worker; camera agents never have it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PHONE_COOKIE = "liveshow_phone"
# A location with a proxy_set_header of its own inherits none from the server: repeated.
HEADERS = (
    "proxy_set_header Host $http_host;",
    # the phone's own address, replacing any X-Forwarded-For it sent (the workers trust it)
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
)

TEMPLATE = """\
# Written by `liveshow serve --workers`: nginx in front of one show's workers.
daemon off;
worker_processes 1;
{user}pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_rlimit_nofile {files};
events {{ worker_connections {connections}; }}

http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 25m;
    client_body_buffer_size 1m;
    limit_conn_zone $binary_remote_addr zone=per_address:10m;

    upstream liveshow_show {{
        server {show};
        keepalive 32;
    }}
    upstream liveshow_phones {{
        hash $remote_addr consistent;
{phone_servers}
    }}
    map $cookie_{cookie} $liveshow_sockets {{
        default liveshow_show;
        "1" liveshow_phones;
    }}
    map $http_upgrade $liveshow_connection {{
        default upgrade;
        "" "";
    }}

    server {{
        listen {listen};
        limit_conn per_address {per_address};
        proxy_http_version 1.1;
{headers}        proxy_set_header Connection "";

        location /socket.io/ {{
            proxy_pass http://$liveshow_sockets;
{headers}            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $liveshow_connection;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}
        location /internal/ {{
            return 404;
        }}
        location /join {{
            add_header Set-Cookie "{cookie}=1; Path=/socket.io/; SameSite=Lax; HttpOnly";
            proxy_pass http://liveshow_show;
        }}
        location ~ ^/(crew|display/) {{
            add_header Set-Cookie "{cookie}=; Path=/socket.io/; Max-Age=0";
            proxy_pass http://liveshow_show;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://liveshow_show;
            proxy_buffering off;
        }}
    }}
}}
"""


def config(
    folder: Path,
    listen: str,
    show: str,
    workers: list[str],
    max_connections: int,
    per_address: int,
) -> str:
    """nginx.conf for ``listen`` (``host:port``) in front of ``show`` and ``workers``
    (``127.0.0.1:port`` each; the show worker is one of them). Every client connection is
    two file descriptors in nginx (the client's and the worker's)."""
    connections = 2 * max_connections + 512
    return TEMPLATE.format(
        user="user root;\n" if os.geteuid() == 0 else "",  # the temp folders are ours
        folder=folder,
        files=connections + 256,
        connections=connections,
        show=show,
        phone_servers="\n".join(f"        server {w};" for w in workers),
        cookie=PHONE_COOKIE,
        headers="".join(f"        {h}\n" for h in HEADERS),
        listen=listen,
        per_address=per_address,
    )


def binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def start(folder: Path, text: str, **popen: object) -> subprocess.Popen[bytes]:
    """nginx on ``text`` as a child process (``daemon off``), everything it writes in
    ``folder``; checked with ``nginx -t`` first so a bad config is an error, not a hang."""
    exe = binary()
    if exe is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    args = [exe, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)]
    check = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its config: {check.stderr.strip()}")
    return subprocess.Popen(args, **popen)  # type: ignore[call-overload]
