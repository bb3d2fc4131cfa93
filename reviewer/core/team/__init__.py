"""Working as a team: a case shared on a PostgreSQL server with its evidence in a shared folder, the
batches a review is divided into, and QC of reviewers' decisions.

casefile.py   the small `.reviewer` file a team member opens (server, port, database, evidence folder)
server.py     connecting: the login, where the password comes from, one sentence when it fails
advisory.py   PostgreSQL advisory locks: the case writer lock of the long jobs, the index repair lock
share.py      `reviewer share` (a case folder copied to a server and a shared folder, verified) and
              `reviewer join` (a case file for a shared case)
access.py     who acts in a case and whether they may: roles (admin, reviewer, qc), assigned-only reviewers
users.py      the members of a shared case (`reviewer users`, `user-add`, `user-remove`)
grants.py     the same roles enforced by PostgreSQL: a group role per case role, and its grants
batch_sets.py, batches.py, qc.py, qc_report.py, search_fields.py   batches and QC
"""
