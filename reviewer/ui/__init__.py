"""The review desktop (PySide6): a thin face over reviewer.core. Start at app.py."""
