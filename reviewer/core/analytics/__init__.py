"""Analytics over a case's documents: email threads with their inclusive emails and near-duplicate groups
(threads, neardups, groups, run); prioritized review (continuous active learning) and its validation
(decisions, prioritize, training, features, stopping, validation, intervals, validation_report, scores).
Kept light on purpose: import the module you need; the numerical libraries (numpy, scipy, scikit-learn)
are imported inside the functions that use them."""
