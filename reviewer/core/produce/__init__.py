"""Redaction and production: Bates-numbered page images, text, natives, load files and the privilege log."""
