"""The objects one catalogue server shares: settings, database, media store, keys.

A leaf module (imports no views), reached from views through ``current_app.extensions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .db import CatalogueDB
from .idempotency import IdempotencyKeys
from .settings import CatalogueSettings
from .storage import MediaStore


@dataclass
class Catalogue:
    settings: CatalogueSettings
    db: CatalogueDB
    store: MediaStore
    keys: IdempotencyKeys


def current_catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["catalogue"]
    return catalogue
