"""Building the motion from the review: people and communications, issues, highlights, facts and the
chronology, exhibit lists and binders."""
