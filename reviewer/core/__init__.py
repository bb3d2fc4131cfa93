"""The Qt-free heart of Reviewer: every capability works headless, from the CLI and from tests."""
