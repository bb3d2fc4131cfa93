"""Team review: batches a review is divided into, QC of reviewers' decisions, who acts and what they may do
(reviewer.core.team.access); sharing a case on PostgreSQL and users with roles join them here."""
