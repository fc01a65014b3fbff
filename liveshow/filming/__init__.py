"""The filming half, server side: connected cameras, takes and their resumable uploads."""
