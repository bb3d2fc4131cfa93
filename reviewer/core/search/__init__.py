"""Full-text search over a case: the review query language (query.py), its hits (spans.py, hits.py), the
Whoosh index and backend (index.py, whoosh_backend.py), SQLite filters (filters.py), the service that
joins them (service.py), search term reports (terms.py) and saved searches with history (saved.py)."""
