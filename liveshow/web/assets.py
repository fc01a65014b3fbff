"""Where the browser apps' files are: from a source checkout or an installed package.

``stage_display/`` (the projector) and ``audience_client/`` (the phone) are installed beside
``liveshow`` as data-only packages, so ``pip install .`` serves them too. The Socket.IO
browser client comes from npm (``node_modules``); a package build copies it into
``liveshow/static/vendor/`` (see setup.py), so an installed server needs no node_modules.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
CHECKOUT = PACKAGE.parent


def app_folder(name: str) -> Path:
    """The folder of the browser app ``name`` (stage_display or audience_client)."""
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "index.html").is_file():
                return Path(location)
    return CHECKOUT / name


def socket_io_client() -> Path:
    """The folder holding socket.io.min.js: the package's copy, else the checkout's npm one."""
    bundled = PACKAGE / "static" / "vendor"
    if (bundled / "socket.io.min.js").is_file():
        return bundled
    return CHECKOUT / "node_modules" / "socket.io-client" / "dist"
