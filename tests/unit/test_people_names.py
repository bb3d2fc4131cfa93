"""Reading address fields back into parties, and when two display names are the same person."""

from __future__ import annotations

import pytest

from reviewer.core.casebuild.names import ADDRESS, NAME, Party, is_role_address, name_key, parse_parties


@pytest.mark.parametrize("written", [
    "Lelling, Andrew", "Andrew Lelling", "ANDREW LELLING", "Andrew E. Lelling", "Lelling, Andrew E.",
    "Dr. Andrew Lelling", "Andrew Lelling (USAO)", "'Andrew Lelling'", "andrew  lelling",
    "Andrew Lelling, Esq.",
])
def test_the_usual_forms_of_a_name_have_one_key(written: str) -> None:
    assert name_key(written) == "andrew lelling"


def test_accents_case_and_apostrophes_do_not_count() -> None:
    assert name_key("José Núñez") == name_key("Nunez, Jose") == name_key("JOSE NUNEZ") == "jose nunez"
    assert name_key("Siobhán O’Brien") == name_key("O'Brien, Siobhan") == "siobhan o'brien"
    assert name_key("Mary-Ann Smith") == "mary-ann smith"


def test_generations_stay_part_of_the_name() -> None:
    assert name_key("John Smith Jr.") == name_key("Smith, John, Jr.") == name_key("Smith Jr., John") \
        == "john smith jr"
    assert name_key("John Smith Jr.") != name_key("John Smith")


@pytest.mark.parametrize("written", [
    "Info", "Lelling", "J. Smith", "Press Office", "Clerk of Court", "Enron Announcements", "Acme, Inc.",
    "Help Desk", "Marketing Team", "Undisclosed recipients", "Agent 007", "ada@quill.example", "",
])
def test_what_is_not_a_full_name_has_no_key(written: str) -> None:
    assert name_key(written) is None


def test_role_mailboxes() -> None:
    assert all(map(is_role_address, ["info@x.example", "press@x.example", "no-reply@x.example",
                                     "noreply-alerts@x.example", "postmaster@x.example"]))
    assert not any(map(is_role_address, ["jroe@x.example", "andrew.lelling@x.example", "pressley@x.example"]))


def test_an_address_field_as_ingest_stores_it() -> None:
    parsed = parse_parties('Lelling, Andrew <Andrew.Lelling@USAO.example>; bob@x.example; '
                           '"Info" <info@y.example>; Bare Name; Bare Name <>; mailto:c@z.example')
    assert parsed == [
        Party(ADDRESS, "andrew.lelling@usao.example", "Lelling, Andrew", "usao.example"),
        Party(ADDRESS, "bob@x.example", "", "x.example"),
        Party(ADDRESS, "info@y.example", "Info", "y.example"),
        Party(NAME, "bare name", "Bare Name"),
        Party(ADDRESS, "c@z.example", "", "z.example"),
    ]


def test_odd_entries_become_names_or_addresses_never_garbage() -> None:
    assert parse_parties("a@x.example, b@y.example") == [Party(ADDRESS, "a@x.example", "", "x.example"),
                                                        Party(ADDRESS, "b@y.example", "", "y.example")]
    assert parse_parties("Tim Belden/Enron@EnronXGate") == [Party(NAME, "tim belden", "Tim Belden")]
    assert parse_parties("/O=ENRON/OU=NA/CN=RECIPIENTS/CN=KLAY") == [Party(NAME, "klay", "KLAY")]
    assert parse_parties("'x@y.example' <x@y.example>") == [Party(ADDRESS, "x@y.example", "", "y.example")]
    assert parse_parties("Smith, John") == [Party(NAME, "john smith", "Smith, John")]
    assert parse_parties("  ;; ") == []
    assert len(parse_parties("N" * 5000)[0].value) <= 320  # a key, not a whole header
