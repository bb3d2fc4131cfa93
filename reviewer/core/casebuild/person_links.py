"""Where the chronology meets the case's people. Facts link to people by plain person id; every place that
shows a linked person's name, or checks that a person exists, goes through these two functions, so that
the people module plugs in here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session


def person_names(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's display name by id. Until the case has people of its own, a person reads as
    "person 12"."""
    return {person_id: f"person {person_id}" for person_id in person_ids}


def check_person(session: Session, person_id: int) -> int:
    """The id of a person a fact may link to (an unknown id is refused once the case has people)."""
    return person_id
