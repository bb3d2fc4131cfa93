"""Splitting email bodies at quoted-header blocks, in the forms Outlook, Gmail, Apple Mail, Yahoo and
Lotus Notes write them."""

from __future__ import annotations

from datetime import datetime

from reviewer.core.analytics.segments import (
    FORWARD,
    REPLY,
    normal_subject,
    parse_date,
    same_person,
    same_time,
    split_body,
    split_document,
)

OWN = "Thanks, I will bring both files and the timeline to the hearing."
FIRST = "The hearing on the motion moved to Thursday at ten. Bring the warrant file."


def test_outlook_original_message_block() -> None:
    body = (
        f"{OWN}\n\n-----Original Message-----\nFrom: Quill, Ada [mailto:ada@quill-law.example]\n"
        "Sent: Tuesday, March 5, 2024 9:00 AM\nTo: Ortiz, Ben\nSubject: Hearing moved\n\n" + FIRST
    )
    split = split_body(body)
    assert len(split.segments) == 2
    quoted = split.quoted[0]
    assert quoted.kind == REPLY and quoted.subject == "Hearing moved"
    assert quoted.date == datetime(2024, 3, 5, 9, 0) and not quoted.utc
    assert same_person(quoted.author, "Ada Quill <ada@quill-law.example>")
    assert quoted.key == split_body(FIRST).own.key


def test_gmail_attribution_wrapped_over_two_lines_and_quote_marks() -> None:
    body = (
        f"{OWN}\n\nOn Tue, Mar 5, 2024 at 9:00 AM Ada Quill <\nada@quill-law.example> wrote:\n"
        "> The hearing on the motion moved\n> to Thursday at ten.\n>\n> Bring the warrant file.\n"
    )
    split = split_body(body)
    assert [s.kind for s in split.segments] == ["", REPLY]
    assert split.quoted[0].key == split_body(FIRST).own.key  # line breaks and quote marks do not count


def test_outlook_underscore_block_apple_and_gmail_forwards() -> None:
    for separator, kind in (
        ("________________________________", REPLY),
        ("Begin forwarded message:", FORWARD),
        ("---------- Forwarded message ---------", FORWARD),
    ):
        body = (
            f"{OWN}\n\n{separator}\nFrom: Ada Quill <ada@quill-law.example>\n"
            "Date: Tue, 5 Mar 2024 09:00:00 +0000\nSubject: Hearing moved\nTo: Ben Ortiz\n\n" + FIRST
        )
        split = split_body(body)
        assert len(split.segments) == 2, separator
        assert split.quoted[0].kind == kind
        assert split.quoted[0].utc and split.quoted[0].date == datetime(2024, 3, 5, 9, 0)


def test_lotus_notes_forward_chain_nests() -> None:
    body = (
        "FYI\n---------------------- Forwarded by Ben Ortiz/HOU/ECT on 03/05/2024 \n"
        "10:00 AM ---------------------------\n\n\nAda Quill <ada@quill-law.example> on 03/05/2024 "
        "09:00:12 AM\nTo: Ben Ortiz/HOU/ECT@ECT\ncc:  \nSubject: Hearing moved\n\n" + FIRST
    )
    split = split_body(body)
    assert len(split.segments) == 2
    assert split.quoted[0].kind == FORWARD
    assert split.quoted[0].key == split_body(FIRST).own.key
    assert split.quoted[0].date == datetime(2024, 3, 5, 9, 0, 12)


def test_lotus_notes_indented_header_with_sent_by() -> None:
    body = (
        "Please call him.\n\n\n\tAda Quill\n\tSent by: Ben Ortiz\n\t03/05/2024 09:00 AM\n\t\t \n"
        "\t\t To: Cy Park/HOU/ECT@ECT\n\t\t cc: Dee Marsh/HOU/ECT@ECT, Ben \nOrtiz/HOU/ECT@ECT\n"
        "\t\t Subject: Hearing moved\n\n" + FIRST
    )
    quoted = split_body(body).quoted
    assert len(quoted) == 1 and quoted[0].key == split_body(FIRST).own.key
    assert quoted[0].author == "Ada Quill" and quoted[0].date == datetime(2024, 3, 5, 9, 0)
    assert quoted[0].subject == "Hearing moved"


def test_lotus_notes_header_table_inside_a_forward() -> None:
    table = (
        "                    Ada Quill\n"
        "                    <ada@quill-la        To:     ben@ortiz.example\n"
        "                    w.example>           cc:\n"
        "                                         Subject:     Hearing moved to\n"
        "Thursday\n"
        "                    03/05/2024\n"
        "                    09:00 AM\n"
        "\n\n"
    )
    body = (
        "FYI\n\n----- Forwarded by Ben Ortiz/HOU/ECT on 03/05/2024\n10:00 AM -----\n"
        f"{' ' * 40}\n{table}{FIRST}"
    )
    quoted = split_body(body).quoted
    assert len(quoted) == 1 and quoted[0].kind == FORWARD
    assert quoted[0].key == split_body(FIRST).own.key
    assert quoted[0].author == "Ada Quill" and quoted[0].date == datetime(2024, 3, 5, 9, 0)
    assert quoted[0].subject == "Hearing moved to Thursday"


def test_wrapped_from_and_subject_lines_stay_in_the_header() -> None:
    body = (
        f"{OWN}\n\n-----Original Message-----\nFrom: clerk.of.the.court.notifications@westmarch.example\n"
        "[mailto:clerk.of.the.court.notifications@westmarch.example]\nSent: Tuesday, March 5, 2024 9:00 AM\n"
        "To: Ortiz, Ben\nSubject: Re: the hearing on the motion to dismiss, moved from Monday to\n"
        "Thursday\n\n" + FIRST
    )
    quoted = split_body(body).quoted[0]
    assert quoted.key == split_body(FIRST).own.key and quoted.date == datetime(2024, 3, 5, 9, 0)
    assert quoted.subject.endswith("from Monday to Thursday")


def test_a_disclaimer_appended_below_leaves_the_shorter_message_findable() -> None:
    """The tail holds the keys of the last segment up to each paragraph break, so a message that ends
    where a gateway's disclaimer starts is still found whole."""
    disclaimer = "This message is confidential.\n\nIf you received it by mistake, delete it."
    body = f"{OWN}\n\n{outlook_quote_block()}\n{FIRST}\n\n\n{disclaimer}\n"
    split = split_body(body)
    assert split.quoted[0].key != split_body(FIRST).own.key
    assert split_body(FIRST).own.key in split.tail
    assert split_body(FIRST + "\n\nThis message is confidential.").own.key in split.tail


def outlook_quote_block() -> str:
    return (
        "-----Original Message-----\nFrom: Quill, Ada\nSent: Tuesday, March 5, 2024 9:00 AM\n"
        "To: Ortiz, Ben\nSubject: Hearing moved\n"
    )


def test_running_text_is_not_a_header() -> None:
    body = "From: the point of view of the defence, this is weak.\nOn balance we should wait.\n"
    assert len(split_body(body).segments) == 1


def test_a_printed_email_is_a_message_and_a_memo_is_not() -> None:
    split, header = split_document(
        "From: Ada Quill\nSent: Tuesday, March 5, 2024 9:00 AM\nTo: Ben Ortiz\n"
        "Subject: Hearing moved\n\n" + FIRST
    )
    assert header is not None and header.subject == "Hearing moved"
    assert split.own.key == split_body(FIRST).own.key and split.own.date == datetime(2024, 3, 5, 9, 0)
    assert split_document("MEMORANDUM\nTo: file\n\n" + FIRST)[1] is None


def test_dates_people_and_subjects() -> None:
    assert parse_date("11/28/2000 06:39:28 PM")[0] == datetime(2000, 11, 28, 18, 39, 28)
    assert parse_date("Monday, December 24, 2001 11:28 PM")[0] == datetime(2001, 12, 24, 23, 28)
    assert parse_date("Tue, 28 Nov 2000 15:01:00 -0600") == (datetime(2000, 11, 28, 21, 1), True)
    # 09:00 in New York is 14:00 UTC; 09:07 is no whole time zone away.
    assert same_time(datetime(2024, 3, 5, 9, 0), False, datetime(2024, 3, 5, 14, 0))
    assert not same_time(datetime(2024, 3, 5, 9, 7), False, datetime(2024, 3, 5, 14, 0))
    assert same_person("Quill, Ada", "Ada Quill <aq@firm.example>")
    assert same_person("Ada Quill/HOU/ECT@ECT", "ada.quill@enron.example")
    assert not same_person("Ada Quill", "Ben Ortiz <ben@ortiz.example>")
    assert normal_subject("RE: Fw: [EXTERNAL] Hearing  moved") == "hearing moved"
