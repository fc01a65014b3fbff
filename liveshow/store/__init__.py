"""SQLite storage: schema migrations, the one writer, the event log."""
