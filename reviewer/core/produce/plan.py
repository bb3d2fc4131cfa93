"""Which documents a production holds, in which order, and how each is treated.

Documents go out with their whole families, parent first and attachments in order, families in the order
of their parents' control numbers. Mailbox files (MBOX, PST) are left out: their messages are documents
of their own.

Treatment rules, in order:
  1. Tagged "Privileged" with redactions          -> produced with redactions (unless withhold_privileged)
  2. Tagged "Privileged" with a privilege basis    -> withheld: one slip sheet, and a privilege log row
     (with withhold_privileged: every Privileged document is withheld, redacted or not)
  3. Tagged "Privileged" with neither              -> QC blocks the production until a basis is recorded
                                                      or the document is redacted
  4. Redactions (for any reason, such as PII)      -> produced with redactions
  5. A spreadsheet, CSV or a file Reviewer cannot render (media and the like)
                                                   -> produced in native form, with a slip sheet
  6. Everything else                               -> produced as page images
A family holding withheld and produced documents is split; QC blocks it unless the production says how:
split="produce-others" produces the other members and slip-sheets the withheld ones, and
split="withhold-family" withholds the whole family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from reviewer.core.case import Case
from reviewer.core.choices import SplitRule
from reviewer.core.models import Document
from reviewer.core.produce.facts import DocumentFacts, load_facts
from reviewer.core.sql import given_ids

PRODUCED = "produced"
REDACTED = "redacted"
WITHHELD = "withheld"
NATIVE = "native"
TREATMENTS = (PRODUCED, REDACTED, WITHHELD, NATIVE)
# How the treatment reads in the load file and the privilege log.
TREATMENT_LABELS = {
    PRODUCED: "Produced",
    REDACTED: "Produced with redactions",
    WITHHELD: "Withheld - Privileged",
    NATIVE: "Produced in native format",
}

# What happens to a document that cannot be made into page images (its text defeats the layout, its file
# defeats MuPDF): produced natively with a slip sheet, imaged from its text in a plain layout, or the
# production stops until it is dealt with.

_MAILBOX_KINDS = frozenset({"mbox", "pst"})
_NATIVE_KINDS = frozenset({"xlsx", "csv", "unknown"})
_SPREADSHEET_MIMES = frozenset({"application/vnd.ms-excel"})
_CHUNK = 10_000


@dataclass
class PlannedDocument:
    facts: DocumentFacts
    treatment: str
    why: str  # the rule that chose the treatment, for previews
    unimageable: str = ""  # why it cannot be imaged as usual, when it cannot
    plain_text: bool = False  # imaged from its text in the plain layout (imaging.plain_text_pages)

    @property
    def control(self) -> str:
        return self.facts.control


@dataclass
class Plan:
    documents: list[PlannedDocument] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # controls of mailbox files
    split_families: list[list[PlannedDocument]] = field(default_factory=list)  # unresolved splits

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(TREATMENTS, 0)
        for planned in self.documents:
            counts[planned.treatment] += 1
        return counts


def build_plan(case: Case, doc_ids: list[int], withhold_privileged: bool = False,
               split: SplitRule = "ask") -> Plan:
    """The production's documents (the given ones and their families) in order, each with its treatment."""
    facts = load_facts(case, _with_families(case, doc_ids))
    plan = Plan()
    for family in _families_in_order(facts):
        members = []
        for member in family:
            if member.kind in _MAILBOX_KINDS:
                plan.left_out.append(member.control)
                continue
            members.append(PlannedDocument(member, *treatment_of(member, withhold_privileged)))
        withheld = [m for m in members if m.treatment == WITHHELD]
        if withheld and len(withheld) < len(members):
            if split == "withhold-family":
                for planned in members:
                    if planned.treatment != WITHHELD:
                        planned.treatment, planned.why = WITHHELD, "family of a withheld privileged document"
            elif split == "ask":
                plan.split_families.append(members)
        plan.documents.extend(members)
    return plan


def treatment_of(facts: DocumentFacts, withhold_privileged: bool) -> tuple[str, str]:
    if facts.privileged:
        if facts.marks and not withhold_privileged:
            return REDACTED, "privileged, with redactions"
        if facts.privilege_basis or withhold_privileged:
            return WITHHELD, "privileged"
        return PRODUCED, "privileged, but neither a privilege basis nor redactions"
    if facts.marks:
        return REDACTED, "has redactions"
    if facts.kind in _NATIVE_KINDS or facts.mime in _SPREADSHEET_MIMES:
        return NATIVE, "spreadsheet or file without pages"
    return PRODUCED, "produced as images"


def _with_families(case: Case, doc_ids: list[int]) -> set[int]:
    root = func.coalesce(Document.family_id, Document.id)
    found: set[int] = set()
    wanted = sorted(set(doc_ids))
    with case.db.reader() as session:
        for start in range(0, len(wanted), _CHUNK):
            given = given_ids(wanted[start:start + _CHUNK])
            roots = select(root).where(Document.id.in_(given))
            found.update(session.scalars(select(Document.id).where(root.in_(roots))))
    return found


def _families_in_order(facts: dict[int, DocumentFacts]) -> list[list[DocumentFacts]]:
    """Families by their top document's control number; within one, depth first: each document followed
    by its attachments (and theirs), in the order they were found."""
    children: dict[int | None, list[DocumentFacts]] = {}
    for document in sorted(facts.values(), key=lambda d: d.id):
        parent = document.parent_id if document.parent_id in facts else None
        children.setdefault(parent, []).append(document)

    def depth_first(document: DocumentFacts) -> list[DocumentFacts]:
        ordered = [document]
        for child in children.get(document.id, []):
            ordered.extend(depth_first(child))
        return ordered

    return [depth_first(top) for top in sorted(children.get(None, []), key=lambda d: d.control)]
