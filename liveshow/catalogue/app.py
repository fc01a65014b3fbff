"""The catalogue's Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .api import api
from .claims_api import claims_api
from .db import CatalogueDB
from .demo import load_demo_community
from .idempotency import IdempotencyKeys
from .media_api import media_api
from .pages import pages
from .proposal_routes import proposal_routes
from .service import Catalogue
from .settings import resolve
from .storage import FilesystemMediaStore


def create_catalogue_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the service on the data directory named by `config` / the environment.

    ``config`` takes the keys of :data:`settings.SETTINGS` (``data``, ``token``, …) and
    ``demo``: when true and the database holds no collaboration yet, the bundled demo
    community is loaded (the ``serve`` command sets it unless ``--empty``).
    """
    config = dict(config or {})
    settings = resolve(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None  # each route checks its own size cap
    db = CatalogueDB(settings.data / "catalogue.db")
    store = FilesystemMediaStore(settings.data / "media", settings.max_media_bytes)
    catalogue = Catalogue(settings=settings, db=db, store=store, keys=IdempotencyKeys(db))
    app.extensions["catalogue"] = catalogue
    if config.get("demo"):
        load_demo_community(catalogue)
    app.register_blueprint(api)
    app.register_blueprint(media_api)
    app.register_blueprint(pages)
    app.register_blueprint(proposal_routes)
    app.register_blueprint(claims_api)
    return app
