"""The audience: devices and consent, terms, prompts, submissions and moderation, limits."""
