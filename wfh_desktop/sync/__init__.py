"""Offline-first sync with the central server (SYNC.md): the outbox pushed exactly once, the
change feed pulled into the local database. No Qt here: the CLI, the tray app and the
background job share it."""
