"""The contribution terms an audience member accepts before contributing. Versioned: the
version and the time of acceptance are stored with every contribution."""

from __future__ import annotations

TERMS_VERSION = "2026-11-1"

TERMS_TEXT = """\
You keep ownership of what you make tonight.
By sending it, you allow the company and its art community to show it, keep it in the
community's catalogue, and remix it into new works, credited to your artist handle.
If a finished piece that uses your work earns money, the profit is split 50/50 between the
company and the contributing artists, and you are paid your share.
Only send what you made yourself. The crew may decline anything without giving a reason."""

# What the terms allow, as the consent receipt sent with each contribution names it.
TERMS_PURPOSES = ("screening", "archive", "remix", "payment")
