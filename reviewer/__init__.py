"""Reviewer: offline desktop evidence and discovery review."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the package metadata when first asked for: importing reviewer (every
    # command does) should not pay for importlib.metadata.
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("reviewer")
    except PackageNotFoundError:  # running from a source tree or a bundle without metadata
        found = "0.1.0"
    globals()["__version__"] = found
    return found
