"""Building the motion from the review: people and communications, issues, highlights, facts and their
chronology, citations, and the exports an attorney files (chronologies, exhibit lists and binders)."""
