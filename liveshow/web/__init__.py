"""HTTP: one blueprint per area (crew login, pages, the public and phone API, filming, the
show report)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from ..realtime.guard import safe_loads, strict_dumps
from . import api, auth, book, control, filming, pages, reports


class StrictJSONProvider(DefaultJSONProvider):
    """JSON out without NaN or Infinity (browsers cannot parse them); JSON in too deeply
    nested for the decoder is a ValueError (so a 400), not a RecursionError (a 500)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return strict_dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return safe_loads(s, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    for blueprint in (auth.bp, pages.bp, api.bp, filming.bp, reports.bp, book.bp, control.bp):
        app.register_blueprint(blueprint)
