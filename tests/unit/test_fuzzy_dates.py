"""Chronology dates: every form a paralegal types, what each means, and the order a chronology puts them
in."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from reviewer.core.casebuild.fuzzy_dates import DateError, of_datetime, parse


@pytest.mark.parametrize(("entered", "start", "end", "precision", "approximate"), [
    ("2019", date(2019, 1, 1), date(2019, 12, 31), "year", False),
    ("2019-04", date(2019, 4, 1), date(2019, 4, 30), "month", False),
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29), "month", False),
    ("2019-04-02", date(2019, 4, 2), date(2019, 4, 2), "day", False),
    ("~2019-04-02", date(2019, 4, 2), date(2019, 4, 2), "day", True),
    ("c. 2019", date(2019, 1, 1), date(2019, 12, 31), "year", True),
    ("circa April 2019", date(2019, 4, 1), date(2019, 4, 30), "month", True),
    ("April 2, 2019", date(2019, 4, 2), date(2019, 4, 2), "day", False),
    ("2 Apr 2019", date(2019, 4, 2), date(2019, 4, 2), "day", False),
    ("4/2/2019", date(2019, 4, 2), date(2019, 4, 2), "day", False),
    ("04/2019", date(2019, 4, 1), date(2019, 4, 30), "month", False),
    ("2019-04-02 to 2019-04-10", date(2019, 4, 2), date(2019, 4, 10), "day", False),
    ("2019-04 – 2019-06", date(2019, 4, 1), date(2019, 6, 30), "month", False),
    ("2019-04-02..2019-04-03", date(2019, 4, 2), date(2019, 4, 3), "day", False),
])
def test_each_form_means_its_period_and_reads_as_entered(entered: str, start: date, end: date, precision: str,
                                                         approximate: bool) -> None:
    parsed = parse(entered)
    assert (parsed.start, parsed.end, parsed.precision, parsed.approximate) == (start, end, precision,
                                                                                approximate)
    assert parsed.shown == entered


def test_a_time_follows_the_date_or_comes_apart() -> None:
    assert parse("2019-04-02 14:30").time == "14:30"
    assert parse("2019-04-02 2:30 pm").time == "14:30"
    assert parse("2019-04-02", "9:05").shown == "2019-04-02 09:05"
    assert parse("2019-04-02 12:10 am").time == "00:10"


@pytest.mark.parametrize("entered", ["2019-13", "2019-02-30", "yesterday", "2019-04-10 to 2019-04-02",
                                     "Smarch 2019", "2019-04-02 25:00", "1 to 2 to 3"])
def test_a_date_that_cannot_be_read_is_refused_with_how_to_write_it(entered: str) -> None:
    with pytest.raises(DateError) as raised:
        parse(entered)
    assert entered.split()[0] in str(raised.value)


def test_partial_dates_sort_before_the_exact_dates_of_their_period_and_undated_last() -> None:
    expected = ["2018-12", "2019", "c. 2019", "2019-03-31", "2019-04", "2019-04-01", "2019-04-02",
                "2019-04-02 09:00", "2019-04-02 to 2019-04-05", "~2019-04-02", "2019-04-03", "2020", ""]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert [d.shown for d in sorted((parse(text) for text in shuffled), key=lambda d: d.sort_key)] == expected


def test_a_document_date_is_its_day() -> None:
    assert of_datetime(datetime(2019, 4, 2, 23, 59)).text == "2019-04-02"
    assert of_datetime(None).start is None
