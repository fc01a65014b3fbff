"""HTTP: one blueprint per area (crew login, pages, the public and phone API, filming)."""

from __future__ import annotations

from flask import Flask

from . import api, auth, filming, pages


def register_blueprints(app: Flask) -> None:
    for blueprint in (auth.bp, pages.bp, api.bp, filming.bp):
        app.register_blueprint(blueprint)
