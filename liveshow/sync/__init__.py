"""The show's side of the catalogue: pull what a show screens, send back what the night made.

``client`` speaks the catalogue's HTTP API (docs/catalogue.md); ``pull`` fills the local cache
before a show; ``items`` turns outbox rows into catalogue items; ``sender`` drains the outbox
(in the running server's background, and from ``liveshow sync``).
"""
