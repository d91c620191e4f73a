"""Bahasa Indonesia (formal *Anda*), the default language. Keys are the English source strings."""

CATALOG: dict[str, str] = {}
