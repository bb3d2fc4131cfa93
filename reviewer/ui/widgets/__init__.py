"""Widgets the panes are built from: rendered pages, hit-marked text, the date histogram."""
