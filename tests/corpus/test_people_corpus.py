"""Communications on the corpus's Enron mail (REVIEWER_CORPUS, else skipped), against counts this test
works out from the messages' own headers: one message per Message-ID (a copy in another folder is a
duplicate), recipients To, Cc and Bcc, each message once per sender → recipient pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import pytest

from reviewer.core.case import Case
from reviewer.core.casebuild import communications, people
from reviewer.core.casebuild.people import find_people
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.search.service import SearchService

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def enron(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    with Case.create(tmp_path_factory.mktemp("enron-people") / "case") as case:
        ingest(case, [corpus / "enron" / "maildir"], IngestOptions(custodian_from_folder=True, jobs=2))
        yield case


def _addresses(values: list[str]) -> set[str]:
    # Stray quotes around an address are the sender's typing ("'monaco@enron.com"), not part of it.
    return {address.strip(" '\"").lower() for _name, address in getaddresses(values) if "@" in address}


def _messages(maildir: Path) -> dict[str, tuple[set[str], set[str], datetime | None]]:
    """Message-ID → (senders, recipients, sent), read by the standard library from each file's headers."""
    parser = BytesHeaderParser(policy=compat32)
    found: dict[str, tuple[set[str], set[str], datetime | None]] = {}
    for path in sorted(p for p in maildir.rglob("*") if p.is_file()):
        headers = parser.parsebytes(path.read_bytes())
        sent = parsedate_to_datetime(headers["Date"]).astimezone(UTC).replace(tzinfo=None)
        recipients = _addresses([value for field in ("To", "Cc", "Bcc")
                                 for value in headers.get_all(field, [])])
        found.setdefault(headers["Message-ID"], (_addresses(headers.get_all("From", [])), recipients, sent))
    return found


def test_enron_communications_match_the_headers(corpus: Path, enron: Case) -> None:
    messages = _messages(corpus / "enron" / "maildir")
    assert len(messages) > 900
    with enron.db.reader() as session:
        person_of: dict[str, int] = {}

        def person(address: str) -> int:
            if address not in person_of:
                [person_of[address]] = find_people(session, address)
            return person_of[address]

        expected: dict[tuple[int, int], list[datetime | None]] = defaultdict(list)
        for senders, recipients, sent in messages.values():
            pairs = {(person(s), person(r)) for s in senders for r in recipients} - {
                (p, p) for p in person_of.values()}
            for pair in pairs:
                expected[pair].append(sent)
    pairs = communications.communications(enron)
    found = {(p.from_id, p.to_id): (p.messages, p.first, p.last) for p in pairs}
    assert found == {pair: (len(dates), min(dates), max(dates)) for pair, dates in expected.items()}
    assert len(found) > 500
    # The busiest sender's count is what a search finds from their address.
    busiest = max(people.list_people(enron), key=lambda p: p.sent)
    with SearchService.open(enron) as service:
        from_them = service.matching_ids(f"from:{busiest.addresses[0]}")
    assert busiest.sent == len(from_them) == sum(
        1 for senders, _r, _s in messages.values() if busiest.addresses[0] in senders)


def test_enron_organisations(enron: Case) -> None:
    pairs = {(p.from_name, p.to_name): p.messages
             for p in communications.communications(enron, "organisation")}
    internal = pairs[("enron.com", "enron.com")]
    assert internal == max(pairs.values())  # most of a company's mail stays inside it
