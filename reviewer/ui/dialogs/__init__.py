"""Dialogs: adding documents with progress, and the start screen."""
