"""Analytics over a case's documents: prioritized review (continuous active learning) and its validation.

Modules here import their numerical libraries (numpy, scipy, scikit-learn) inside the functions that need
them, so that importing the package costs nothing.
"""
