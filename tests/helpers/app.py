"""The app in this process, configured as the tests' servers are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE


def make_app(data: Path, show: Path, **extra: Any) -> Any:
    """`create_app` on ``data`` and ``show`` with the test secrets; ``extra`` overrides."""
    from liveshow.app import create_app

    config = {
        "data": str(data),
        "show": str(show),
        "crew_password": CREW_PASSWORD,
        "display_key": DISPLAY_KEY,
        "join_code": JOIN_CODE,
        "async_mode": "threading",
        **extra,
    }
    app = create_app(config)
    app.config["TESTING"] = True
    return app
