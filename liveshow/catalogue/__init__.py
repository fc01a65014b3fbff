"""The reference collaboration catalogue: a small separate web service.

It keeps the community's collaborations, records, artists, credits, consent, lineage,
performances and screenings in SQLite, and their media in a content-addressed store. Shows
pull setlists from it and push the night's work back to it (see docs/catalogue.md).

This package imports nothing from the rest of ``liveshow``: a community that runs its own
site implements the same HTTP API instead, so the show must only ever talk to it over HTTP.

The factory is ``liveshow.catalogue.app.create_catalogue_app``; this package module stays
empty because ``liveshow.cli`` imports the catalogue's commands before eventlet
monkey-patches (importing Flask here would come first).
"""
