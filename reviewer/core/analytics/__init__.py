"""Analytics that group documents for review: email threads with their inclusive emails, and near-duplicate
groups. Kept light on purpose: import the module you need (threads, neardups, groups, run)."""
