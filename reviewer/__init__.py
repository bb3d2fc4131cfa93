"""Reviewer: offline desktop evidence and discovery review."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reviewer")
except PackageNotFoundError:  # running from a source tree or a bundle without metadata
    __version__ = "0.1.0"
