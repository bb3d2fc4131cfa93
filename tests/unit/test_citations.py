"""Citations as an attorney writes them, from a document's numbers: stamped Bates, our production, or
control number and page."""

from __future__ import annotations

from reviewer.core.casebuild.citations import DocumentNumbers, Produced, compact_range
from reviewer.core.produce.bates import Numbering


def test_ranges_leave_off_the_digits_their_ends_share() -> None:
    assert compact_range("GOV0000456", "GOV0000458") == "GOV0000456–58"
    assert compact_range("GOV0000456", "GOV0000457") == "GOV0000456–57"
    assert compact_range("GOV0000456", "GOV0000512") == "GOV0000456–512"
    assert compact_range("GOV0000999", "GOV0001001") == "GOV0000999–1001"
    assert compact_range("GOV0000456", "GOV0000456") == "GOV0000456"
    assert compact_range("GOV0000456", "DEF0000458") == "GOV0000456–DEF0000458"


def test_a_page_is_cited_by_its_stamp_then_our_production_then_control_and_page() -> None:
    unproduced = DocumentNumbers("DOC-000123", 6, {}, None)
    assert unproduced.cite(4) == "DOC-000123 at 4"
    assert unproduced.cite(4, 5) == "DOC-000123 at 4–5"
    assert unproduced.cite() == "DOC-000123"
    produced = DocumentNumbers("DOC-000123", 6, {}, Produced(Numbering("DEF", 6), 101, 106, native=False))
    assert produced.cite(4) == "DEF000104"
    assert produced.cite(4, 6) == "DEF000104–06"
    assert produced.cite() == "DEF000101–06"
    assert produced.range() == "DEF000101–DEF000106"
    assert produced.cite(9) == "DOC-000123 at 9"  # past the pages produced: never a wrong number
    native = DocumentNumbers("DOC-000124", 3, {}, Produced(Numbering("DEF", 6), 107, 107, native=True))
    assert native.cite(2) == "DEF000107 (native) at 2"
    received = DocumentNumbers("GOV0000456", 3, {1: "GOV0000456", 2: "GOV0000457", 3: "GOV0000458"},
                               Produced(Numbering("DEF", 6), 1, 3, native=False))
    assert received.cite(2, 3) == "GOV0000457–58"
    assert received.cite() == "GOV0000456–58"
