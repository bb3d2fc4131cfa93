"""Quality control before a production writes anything: the problems that must be fixed first, each said
in a sentence that names the document and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from reviewer.core.case import Case
from reviewer.core.choices import Unimageable
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Production
from reviewer.core.produce import bates, imaging, redact
from reviewer.core.produce.plan import (
    NATIVE,
    PRODUCED,
    REDACTED,
    WITHHELD,
    Plan,
    PlannedDocument,
)
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress


@dataclass(frozen=True)
class Issue:
    control: str  # "" for a problem with the production as a whole
    problem: str

    def __str__(self) -> str:
        return f"{self.control}: {self.problem}" if self.control else self.problem


class QcBlocked(ReviewerError):
    """Quality control found problems; nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        listed = "\n".join(f"  - {issue}" for issue in issues[:50])
        more = f"\n  … and {len(issues) - 50:,} more" if len(issues) > 50 else ""
        super().__init__(f"Quality control stopped the production ({len(issues):,} "
                         f"problem{'s' if len(issues) != 1 else ''}); nothing was written:\n{listed}{more}")


def check(case: Case, plan: Plan, name: str, volume_dir: Path, prefix: str, start: int | None,
          progress: Progress = no_progress, cancel: CancelToken | None = None,
          unimageable: Unimageable = "native") -> list[Issue]:
    """Every problem that would stop the production, in the order a reviewer fixes them. Documents that
    cannot be imaged are given the `unimageable` treatment in the plan (see treat_unimageable)."""
    issues = _imaging_problems(case, plan, unimageable, progress, cancel)
    if not plan.documents:
        issues.append(Issue("", "No documents to produce: the search found none (or only mailbox files)."))
    with case.db.reader() as session:
        if session.scalar(select(func.count()).where(func.lower(Production.name) == name.lower())):
            issues.append(Issue("", f'There is already a production named "{name}"; choose another name.'))
    if volume_dir.exists() and any(volume_dir.iterdir()):
        issues.append(Issue("", f"{volume_dir} already exists and is not empty; choose another --out or "
                                "--volume."))
    if start is not None:
        issues.extend(Issue("", f"Bates number {bates.Numbering(prefix).label(start)} is taken: {clash}.")
                      for clash in bates.collisions(case, prefix, start, start))
    for planned in plan.documents:
        facts = planned.facts
        if facts.privileged and planned.treatment in (PRODUCED, NATIVE):
            issues.append(Issue(facts.control, "is tagged Privileged but would be produced without redaction "
                                "or withholding: record a privilege basis (reviewer privilege) to withhold "
                                "it, or redact it."))
        if planned.treatment != WITHHELD and facts.kind == "pdf" and facts.pages:
            for mark in facts.marks:
                if mark.page is not None and mark.page > facts.pages:
                    issues.append(Issue(facts.control, f"has a redaction box on page {mark.page}, but only "
                                        f"{facts.pages} pages; remove it (reviewer redactions --remove "
                                        f"{mark.id})."))
    for family in plan.split_families:
        withheld = ", ".join(m.control for m in family if m.treatment == WITHHELD)
        others = ", ".join(m.control for m in family if m.treatment != WITHHELD)
        issues.append(Issue(family[0].control, f"its family is split: {withheld} would be withheld and "
                            f"{others} produced. Decide with --split-families produce-others (slip-sheet the "
                            "withheld) or --split-families withhold-family."))
    issues.extend(_redactions_that_miss(case, plan, cancel))
    issues.extend(_changed_originals(case, plan, progress, cancel))
    return issues


def _imaging_problems(case: Case, plan: Plan, unimageable: Unimageable, progress: Progress,
                      cancel: CancelToken | None) -> list[Issue]:
    """Every document to be imaged is rendered now, before any number is given out; those that cannot be
    are given the treatment asked for, or become issues when it is "stop" or cannot apply to them."""
    issues = []
    imaged = [p for p in plan.documents if p.treatment in (PRODUCED, REDACTED)]
    for done, planned in enumerate(imaged, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        reason = imaging.problem(case, planned.facts)
        if reason is not None:
            problem = treat_unimageable(planned, reason, unimageable)
            if problem:
                issues.append(Issue(planned.control, problem))
        progress(ProgressUpdate("check imaging", done, len(imaged)))
    return issues


def treat_unimageable(planned: PlannedDocument, reason: str, unimageable: Unimageable) -> str:
    """Give a document that cannot be imaged (for `reason`) the treatment asked for; what stops it instead
    ("" when it is dealt with)."""
    planned.unimageable = reason
    cannot = f"cannot be imaged: {reason}."
    if unimageable == "stop":
        return (f"{cannot} Produce it as a native with a slip sheet (--unimageable native) or image its text "
                "in a plain layout (--unimageable text).")
    if planned.treatment == REDACTED:
        if unimageable == "native":
            return (f"{cannot} It has redactions, so it cannot go out native: image its text in a plain "
                    "layout (--unimageable text) or withhold it.")
        if any(mark.rect is not None for mark in planned.facts.marks):
            return (f"{cannot} Its redaction boxes were drawn on pages it cannot have; redact it by phrase "
                    "instead (reviewer redact --text) or withhold it.")
    if unimageable == "native":
        planned.treatment, planned.why = NATIVE, f"cannot be imaged ({reason})"
    else:
        planned.plain_text, planned.why = True, f"imaged from its text in a plain layout ({reason})"
    return ""


def _redactions_that_miss(case: Case, plan: Plan, cancel: CancelToken | None) -> list[Issue]:
    """A Privileged document may go out only redacted: one whose redactions cover nothing on its pages
    (a phrase it does not contain, say) would go out as it is."""
    issues = []
    for planned in plan.documents:
        if planned.treatment == REDACTED and planned.facts.privileged:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if planned.unimageable and not planned.plain_text:
                continue  # reported as an imaging problem
            rendering = imaging.render(case, planned.facts, planned.plain_text)
            try:
                if not redact.locate(rendering.pdf, planned.facts.marks):
                    issues.append(Issue(planned.control, "is Privileged and set to be produced redacted, but "
                                        "none of its redactions covers anything on its pages; fix them, or "
                                        "withhold it (--withhold-privileged)."))
            except redact.RedactionError as error:
                if not (planned.facts.kind == "pdf" and planned.facts.pages):  # else reported above
                    issues.append(Issue(planned.control, str(error)))
            except imaging.MUPDF_ERRORS:
                issues.append(Issue(planned.control, "is Privileged and set to be produced redacted, but its "
                                    "pages cannot be read to check the redactions; withhold it."))
            finally:
                rendering.pdf.close()
    return issues


def _changed_originals(case: Case, plan: Plan, progress: Progress, cancel: CancelToken | None) -> list[Issue]:
    """Originals are hashed again: what goes out must be what was collected."""
    issues = []
    total = len(plan.documents)
    for done, planned in enumerate(plan.documents, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        problem = case.natives.verify(planned.facts.sha256)
        if problem is not None:
            issues.append(Issue(planned.control, f"{problem}; it cannot be produced."))
        progress(ProgressUpdate("check originals", done, total))
    return issues
