"""The chronology's query fields, answered from the case database: has:highlights, and issue:"NAME" (or a
number, or a wildcard) — the documents with a highlight, or cited by a fact, filed under that issue or one
of its sub-issues."""

from __future__ import annotations

from fnmatch import fnmatchcase

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from reviewer.core.casebuild import issues as issue_tree
from reviewer.core.models import Document, FactIssue, FactSource, Highlight, HighlightIssue
from reviewer.core.search.query import Match, QuerySyntaxError


def highlighted_documents() -> Select[int]:
    return select(Highlight.document_id).distinct()


def issue_documents(session: Session, node: Match) -> Select[int]:
    issues = issue_tree.tree(session)
    if "*" in node.value or "?" in node.value:
        pattern = node.value.casefold().replace("[", "[[]")
        chosen = [issue.id for issue in issues if fnmatchcase(issue.name.casefold(), pattern)]
    else:
        try:
            chosen = [issue_tree.find(issues, node.value).id]
        except issue_tree.IssueError:
            listing = "; ".join(issue.label for issue in issues[:12]) or "none yet"
            raise QuerySyntaxError(f"No issue named '{node.value}' in this case", node.column,
                                   f"the issues are: {listing}") from None
    wanted = issue_tree.with_subissues(session, chosen)
    highlighted = (select(Highlight.document_id)
                   .join(HighlightIssue, HighlightIssue.highlight_id == Highlight.id)
                   .where(HighlightIssue.issue_id.in_(wanted)))
    cited = (select(FactSource.document_id).join(FactIssue, FactIssue.fact_id == FactSource.fact_id)
             .where(FactIssue.issue_id.in_(wanted)))
    return select(Document.id).where(or_(Document.id.in_(highlighted), Document.id.in_(cited)))
