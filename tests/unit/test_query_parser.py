"""The review query language: every operator, precedence, fields, ranges and the errors a reviewer sees."""

from __future__ import annotations

from datetime import datetime

import pytest

from reviewer.core.search.query import (
    And,
    DateRange,
    Match,
    MatchPair,
    Near,
    Not,
    NumberRange,
    Or,
    Phrase,
    QuerySyntaxError,
    Word,
    explain,
    parse,
)


def understood(query: str) -> str:
    return explain(parse(query))


def error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value


# --- words -------------------------------------------------------------------------------------------------
def test_a_word_is_lowercased_and_never_stemmed() -> None:
    assert parse("Mergers") == Word("text", "mergers")


def test_words_keep_their_joining_punctuation() -> None:
    assert parse("O'Brien") == Word("text", "o'brien")
    assert parse("ada@quill-law.example") == Word("text", "ada@quill-law.example")
    assert parse("2018-04-01") == Word("text", "2018-04-01")


def test_text_that_splits_into_several_words_is_a_phrase() -> None:
    assert parse("foo/bar") == Phrase("text", (Word("text", "foo"), Word("text", "bar")))
    assert understood("10:30") == '"10 30"'


def test_surrounding_punctuation_is_ignored() -> None:
    assert parse("merger,") == Word("text", "merger")


def test_wildcards() -> None:
    assert parse("confid*") == Word("text", "confid*", "wildcard")
    assert parse("Wom?n") == Word("text", "wom?n", "wildcard")
    assert parse("*ability") == Word("text", "*ability", "wildcard")
    assert parse("confid*.") == Word("text", "confid*", "wildcard")


def test_fuzzy_defaults_to_one_edit() -> None:
    assert parse("recieve~") == Word("text", "recieve", "fuzzy", 1)
    assert parse("recieve~2") == Word("text", "recieve", "fuzzy", 2)


def test_exact_phrase_with_wildcard_inside() -> None:
    assert parse('"Breach of confid*"') == Phrase(
        "text", (Word("text", "breach"), Word("text", "of"), Word("text", "confid*", "wildcard")))


def test_operators_inside_quotes_are_words() -> None:
    assert understood('"to be or not to be"') == '"to be or not to be"'


def test_a_one_word_phrase_is_the_word() -> None:
    assert parse('"merger"') == Word("text", "merger")


# --- boolean operators and precedence --------------------------------------------------------------------
def test_space_means_and() -> None:
    assert parse("acme merger") == And((Word("text", "acme"), Word("text", "merger")))


def test_operators_in_any_case() -> None:
    assert understood("a and b or not c") == "(a AND b) OR NOT c"


def test_and_binds_tighter_than_or() -> None:
    assert understood("a b OR c") == "(a AND b) OR c"
    assert understood("a OR b c") == "a OR (b AND c)"
    assert understood("a OR b AND c OR d") == "a OR (b AND c) OR d"


def test_not_forms() -> None:
    assert parse("a AND NOT b") == And((Word("text", "a"), Not(Word("text", "b"))))
    assert understood("a NOT b") == "a AND NOT b"
    assert understood("NOT a") == "NOT a"
    assert understood("NOT NOT a") == "NOT NOT a"


def test_not_applies_to_a_whole_proximity_expression() -> None:
    assert understood("NOT a w/5 b") == "NOT (a w/5 b)"


def test_nested_parentheses() -> None:
    assert understood("((a OR b) AND (c OR (d e)))") == "(a OR b) AND (c OR (d AND e))"
    assert understood("(((a)))") == "a"


def test_same_operators_are_flattened() -> None:
    assert parse("a AND (b AND c)") == And((Word("text", "a"), Word("text", "b"), Word("text", "c")))


# --- proximity ---------------------------------------------------------------------------------------------
def test_within_is_unordered_and_pre_is_ordered() -> None:
    assert parse("hospital w/3 negligence") == Near(Word("text", "hospital"), Word("text", "negligence"), 3)
    assert parse("hospital PRE/3 negligence") == Near(
        Word("text", "hospital"), Word("text", "negligence"), 3, ordered=True)


def test_not_within() -> None:
    assert parse("a NOT w/5 b") == Near(Word("text", "a"), Word("text", "b"), 5, negated=True)


def test_proximity_binds_tighter_than_and_and_or() -> None:
    assert understood("a w/5 b OR c") == "(a w/5 b) OR c"
    assert understood("x a w/5 b") == "x AND (a w/5 b)"


def test_proximity_between_phrases_and_or_groups() -> None:
    assert understood('(acme OR apex) w/5 "price list"') == '(acme OR apex) w/5 "price list"'


def test_proximity_chains_to_the_left() -> None:
    assert understood("a w/5 b pre/3 c") == "(a w/5 b) pre/3 c"


@pytest.mark.parametrize("distance", [1, 1000])
def test_proximity_distance_limits_are_accepted(distance: int) -> None:
    assert isinstance(parse(f"a w/{distance} b"), Near)


@pytest.mark.parametrize("query", ["a w/0 b", "a w/1001 b"])
def test_proximity_distance_outside_the_limits_is_refused(query: str) -> None:
    assert error(query).column == 3


def test_proximity_cannot_join_and_or_filters() -> None:
    assert "joins only words" in str(error("a w/5 (b AND c)"))
    assert "joins only words" in str(error("a w/5 tag:hot"))


def test_proximity_needs_the_same_field_on_both_sides() -> None:
    failure = error("subject:a w/3 b")
    assert failure.column == 11
    assert "same field" in str(failure)
    assert understood("subject:(a w/3 b)") == "subject:a w/3 subject:b"


# --- fields -------------------------------------------------------------------------------------------------
def test_text_fields() -> None:
    assert parse("from:ada@quill-law.example") == Word("from", "ada@quill-law.example")
    assert parse("Subject:Merger") == Word("subject", "merger")
    assert parse("sender:ada") == Word("from", "ada")


def test_quotes_inside_fields() -> None:
    assert parse('subject:"board meeting"') == Phrase("subject", (Word("subject", "board"),
                                                                  Word("subject", "meeting")))
    assert parse('tag:"Attorney Client"') == Match("tag", "Attorney Client", quoted=True)


def test_a_field_applies_to_a_whole_group() -> None:
    assert understood("subject:(merger OR acquisition) acme") == (
        "(subject:merger OR subject:acquisition) AND acme")
    assert understood("custodian:(reyes OR okafor)") == "custodian:reyes OR custodian:okafor"


def test_fields_cannot_be_nested() -> None:
    assert "cannot be nested" in str(error("subject:(a from:b)"))


def test_metadata_filters() -> None:
    assert parse("custodian:Reyes") == Match("custodian", "Reyes")
    assert parse("ext:.PDF") == Match("ext", "PDF")
    assert parse("kind:email") == Match("type", "email")
    assert parse("control:DOC-000123") == Match("control", "DOC-000123")
    assert parse("family:DOC-000123") == Match("family", "DOC-000123")
    assert parse('saved:"Hot docs"') == Match("saved", "Hot docs", quoted=True)


def test_review_state_filters() -> None:
    assert understood("NOT tag:any") == "NOT tag:any"
    assert parse('tag:"any"') == Match("tag", "any", quoted=True)
    assert parse("has:notes") == Match("has", "notes")
    assert parse("is:Duplicate") == Match("is", "duplicate")


def test_dates_cover_whole_days_months_and_years() -> None:
    assert parse("date:2018-04-01") == DateRange("date", datetime(2018, 4, 1), datetime(2018, 4, 2))
    assert parse("date:2018-12") == DateRange("date", datetime(2018, 12, 1), datetime(2019, 1, 1))
    assert parse("sent:2018") == DateRange("sent", datetime(2018, 1, 1), datetime(2019, 1, 1))


def test_date_ranges_include_both_ends() -> None:
    assert parse("date:[2018-01-01 TO 2018-12-31]") == DateRange("date", datetime(2018, 1, 1),
                                                                  datetime(2019, 1, 1))
    assert parse("date:[2018-06 to *]") == DateRange("date", datetime(2018, 6, 1), None)


def test_date_comparisons() -> None:
    assert parse("date>=2018-04-01") == DateRange("date", datetime(2018, 4, 1), None)
    assert parse("date>2018-04-01") == DateRange("date", datetime(2018, 4, 2), None)
    assert parse("date<2018-04-01") == DateRange("date", None, datetime(2018, 4, 1))
    assert parse("date<=2018-04") == DateRange("date", None, datetime(2018, 5, 1))


def test_page_counts() -> None:
    assert parse("pages>10") == NumberRange("pages", 11, None)
    assert parse("pages<=3") == NumberRange("pages", None, 3)
    assert parse("pages:5") == NumberRange("pages", 5, 5)
    assert parse("pages:[2 TO 4]") == NumberRange("pages", 2, 4)


def test_filters_combine_with_text() -> None:
    assert understood('merger date:[2018 TO 2018] NOT tag:"privileged"') == (
        'merger AND date:[2018-01-01 TO 2018-12-31] AND NOT tag:"privileged"')
    assert isinstance(parse("tag:hot OR merger"), Or)


# --- errors: what and where ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "column", "what"), [
    ('merger w/5 "acme corp', 12, "Unbalanced quote"),
    ("(merger OR acme", 1, "Unbalanced parenthesis"),
    ("merger) acme", 7, "Unbalanced parenthesis"),
    ("merger AND", 8, "Missing search term after 'AND'"),
    ("AND merger", 1, "Missing search term before 'AND'"),
    ("a OR OR b", 3, "Missing search term after 'OR'"),
    ("w/5 merger", 1, "Missing search term before 'w/5'"),
    ("merger w/x acme", 8, "not a proximity operator"),
    ("()", 1, "Empty parentheses"),
    ("foo:bar", 1, "Unknown field 'foo:'"),
    ("subject:", 1, "Missing value after 'subject:'"),
    ("date:2018-13-01", 6, "is not a date"),
    ("date:[2019 TO 2018]", 6, "ends before it starts"),
    ("date:[2018-01-01 2018-12-31]", 6, "Malformed range"),
    ("date:[2018", 6, "Unclosed range"),
    ("subject:[a TO b]", 9, "takes no range"),
    ("pages>ten", 7, "not a whole number"),
    ("has:cheese", 5, "Unknown 'has:cheese'"),
    ("*", 1, "matches every word"),
    ("word~3", 1, "Bad fuzzy distance"),
    ('"a b"~2', 6, "A phrase cannot be fuzzy"),
    ("&", 1, "Nothing to search for"),
    ('a ""', 3, "Phrase without words"),
    ("subject>x", 1, "Cannot compare 'subject'"),
    ("[1 TO 2]", 1, "Range without a field"),
])
def test_malformed_queries_say_what_and_where(query: str, column: int, what: str) -> None:
    failure = error(query)
    assert failure.column == column
    assert what in str(failure)
    assert f"at column {column}" in str(failure)


def test_an_empty_query_is_refused() -> None:
    assert "empty" in str(error("   "))


# --- fields about people ------------------------------------------------------------------------------------
def test_person_and_domain_are_value_fields() -> None:
    assert parse('person:"Lelling, Andrew"') == Match("person", "Lelling, Andrew", quoted=True)
    assert parse("domain:example.org") == Match("domain", "example.org")
    assert understood('person:"Lelling, Andrew" domain:example.org') == \
        'person:"Lelling, Andrew" AND domain:example.org'


def test_between_takes_a_pair_of_values() -> None:
    assert parse('between:("Lelling, Andrew", "Jane Roe")') == \
        MatchPair("between", ("Lelling, Andrew", "Jane Roe"))
    assert parse("between:(ada@x.example, Ben Ortiz)") == MatchPair("between", ("ada@x.example", "Ben Ortiz"))
    assert parse('between:("A B","C")') == MatchPair("between", ("A B", "C"))
    assert understood('between:(@doj.example, @globe.example) AND NOT leak') == \
        'between:("@doj.example", "@globe.example") AND NOT leak'


@pytest.mark.parametrize(("query", "message"), [
    ('between:"A"', "'between:' takes two values in parentheses at column 1"),
    ("between:(A)", "'between:' takes exactly two values, not 1"),
    ("between:(A, B, C)", "'between:' takes exactly two values, not 3"),
    ("between:(A, , B)", "Missing value in between:(…) at column 13"),
    ("between:(A, B", "Unbalanced parenthesis at column 9"),
    ("between:(A, (B))", "Unexpected '(' in between:(…)"),
])
def test_a_malformed_pair_is_refused(query: str, message: str) -> None:
    assert message in str(error(query))
