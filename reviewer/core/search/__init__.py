"""Full-text search over a case: the Whoosh index and (later) the review query language."""
