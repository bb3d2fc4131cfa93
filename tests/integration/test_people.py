"""People and communications on a mail collection the tests write (tests/people_mail.py): who is merged
with whom and who is not, the counts per pair of people and of organisations, the query fields, the hand
edits and their undo, Reply-To, and building again after more documents or a changed one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from reviewer.cli import main
from reviewer.core import audit
from reviewer.core.case import Case, now
from reviewer.core.casebuild import communications, people, people_build, people_edits
from reviewer.core.casebuild.people import find_people, person_documents, person_names, resolve_person
from reviewer.core.errors import ReviewerError
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import CommunicationMonth, Document, ImportedRecord, PeopleSource, Setting
from reviewer.core.produce import attorneys
from reviewer.core.search.query import QuerySyntaxError
from reviewer.core.search.service import SearchService
from tests.databases import CaseMaker
from tests.people_mail import LELLING, ORGANISATION_PAIRS, PERSON_PAIRS, message, on, write_collection

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module")
def built_source(cases: CaseMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_collection(tmp_path_factory.mktemp("mail"))
    root = tmp_path_factory.mktemp("people") / "case"
    with cases.create(root, name="People matter") as case:
        summary = ingest(case, [folder], IngestOptions(jobs=1))
        assert summary.duplicates == 1 and summary.exceptions == 0
    return case.location


@pytest.fixture
def built(cases: CaseMaker, built_source: Path, tmp_path: Path) -> Iterator[Case]:
    """A copy of the ingested collection, people built by the ingest itself."""
    with Case.open(cases.copy(built_source, tmp_path / "case")) as case:
        yield case


def person_of(case: Case, reference: str) -> int:
    with case.db.reader() as session:
        [found] = find_people(session, reference)
    return found


def by_address(case: Case) -> dict[str, people.PersonInfo]:
    return {address: person for person in people.list_people(case) for address in person.addresses}


def search(case: Case, query: str) -> set[str]:
    with SearchService.open(case) as service, case.db.reader() as session:
        ids = service.matching_ids(query)
        return {control for (control,) in session.execute(
            Document.__table__.select().with_only_columns(Document.control).where(Document.id.in_(ids)))}


# --- who is who ---------------------------------------------------------------------------------------------
def test_usual_forms_of_a_name_are_one_person_and_role_names_are_not(built: Case) -> None:
    listed = by_address(built)
    lelling = listed["andrew.lelling@usao.example"]
    assert lelling.addresses == ["alelling@home.example", "andrew.lelling@usao.example",
                                 "lelling@usao.example"]
    assert lelling.name == "Lelling, Andrew"  # the full name as most often written
    assert listed["jane.roe@globe.example"].id == listed["jroe@globe.example"].id
    assert listed["jose.nunez@mail.example"].id == listed["jnunez@fbi.example"].id  # accents do not count
    # A role mailbox written with a person's name, two "Info"s, a list's name on seven mailboxes: apart.
    assert listed["press@globe.example"].id != listed["jroe@globe.example"].id
    assert listed["info@usao.example"].id != listed["info@globe.example"].id
    assert len({listed[f"js{n}@corp{n}.example"].id for n in range(7)}) == 7
    assert listed["kpark@fbi.example"].name == "Special Agent Kim Park"
    assert listed["kpark@fbi.example"].organisation == "fbi.example"


def test_sent_received_and_every_role_count(built: Case) -> None:
    lelling = by_address(built)["andrew.lelling@usao.example"]
    # Sent m1, m2, m9; received m1 (Cc to his home address), m3, m6, m9, m10; on those and the PDF he
    # wrote (the duplicate of m1 is not a document).
    assert (lelling.sent, lelling.received, lelling.documents) == (3, 5, 7)
    desk = by_address(built)["desk@globe.example"]  # only a Reply-To
    assert (desk.sent, desk.received, desk.documents) == (0, 0, 1)


def test_communications_per_pair_of_people(built: Case) -> None:
    pairs = communications.communications(built, with_months=True)
    found = {(p.from_id, p.to_id): (p.messages, p.first, p.last) for p in pairs}
    expected = {(person_of(built, a), person_of(built, b)):
                (n, first.replace(tzinfo=None), last.replace(tzinfo=None))
                for (a, b), (n, first, last) in PERSON_PAIRS.items()}
    assert found == expected
    lelling, roe = person_of(built, "andrew.lelling@usao.example"), person_of(built, "jroe@globe.example")
    to_roe = next(p for p in pairs if (p.from_id, p.to_id) == (lelling, roe))
    assert to_roe.months == {"2019-04": 2} and to_roe.from_name == "Lelling, Andrew"
    back = next(p for p in pairs if p.to_id == to_roe.from_id and p.from_id == to_roe.to_id)
    assert back.months == {"2019-05": 1, "": 1}  # the undated message counts, under no month


def test_communications_per_pair_of_organisations(built: Case) -> None:
    pairs = communications.communications(built, "organisation")
    assert {(p.from_name, p.to_name): p.messages for p in pairs} == ORGANISATION_PAIRS


def test_a_query_and_a_range_of_months_narrow_the_communications(built: Case) -> None:
    whole = communications.communications(built, with_months=True)
    april = communications.communications(built, start_month="2019-04", end_month="2019-04")
    assert {(p.from_id, p.to_id, p.messages) for p in april} == {
        (p.from_id, p.to_id, p.months["2019-04"]) for p in whole if "2019-04" in p.months}
    with SearchService.open(built) as service:
        embargoed = service.matching_ids("subject:embargoed")
        everything = service.matching_ids("NOT subject:zzz")
    narrowed = communications.communications(built, document_ids=embargoed)
    assert {(p.from_name, p.to_name, p.messages) for p in narrowed} == {
        ("Lelling, Andrew", "Jane Roe", 1), ("Lelling, Andrew", "Special Agent Kim Park", 1)}
    # Counting from the documents gives what is kept for the whole case.
    counted = communications.communications(built, document_ids=everything, with_months=True)
    assert counted == whole


@pytest.mark.parametrize("months", [{}, {"start_month": "2019-04", "end_month": "2019-05"}])
def test_the_overview_is_the_busiest_and_the_mail_among_them(built: Case, months: dict[str, str]) -> None:
    pairs = communications.communications(built, **months)
    volume: dict[int, int] = {}
    for pair in pairs:
        volume[pair.from_id] = volume.get(pair.from_id, 0) + pair.messages
        volume[pair.to_id] = volume.get(pair.to_id, 0) + pair.messages
    if not months:  # the whole case's people by the messages they sent and received
        volume = {person.id: person.sent + person.received for person in people.list_people(built)}
    view = communications.overview(built, top=4, **months)
    assert [(node, count) for node, _name, count in view.nodes] == sorted(
        volume.items(), key=lambda item: (-item[1], item[0]))[:4]
    shown = {node for node, _name, _count in view.nodes}
    assert view.pairs == [p for p in pairs if p.from_id in shown and p.to_id in shown]
    assert view.total_pairs == len(pairs)
    with SearchService.open(built) as service:
        every = service.matching_ids("NOT subject:zzz")
    counted = communications.overview(built, top=4, document_ids=every, **months)
    assert counted.total_pairs == view.total_pairs
    if months:  # a query's view ranks by its pairs, as a range of months does
        assert counted == view


def test_messages_of_a_pair(built: Case) -> None:
    lelling, roe = person_of(built, "Andrew Lelling"), person_of(built, "jroe@globe.example")
    with built.db.reader() as session:  # the role mailbox written as "Jane Roe" is found by that name too
        assert find_people(session, "Jane Roe") == {roe, person_of(built, "press@globe.example")}
    one_way = communications.pair_messages(built, "person", lelling, roe)
    assert [m.subject for m in one_way] == ["Press release", "Embargoed"]
    both = communications.pair_messages(built, "person", lelling, roe, both_ways=True)
    assert [m.subject for m in both] == ["Press release", "Embargoed", "Question", "Undated follow-up"]


# --- query fields -------------------------------------------------------------------------------------------
def test_person_domain_and_between_fields(built: Case) -> None:
    lelling_docs = search(built, 'person:"Lelling, Andrew"')
    assert lelling_docs == search(built, "person:lelling@usao.example") == search(built, "person:lell*")
    assert len(lelling_docs) == 7 and search(built, "person:andrew.lelling@usao.example") == lelling_docs
    assert search(built, f"person:{person_of(built, 'Andrew Lelling')}") == lelling_docs
    subjects = {control: subject for control, subject in _subjects(built).items()}
    assert {subjects[c] for c in search(built, 'between:("Andrew Lelling", "Roe, Jane")')} == {
        "Press release", "Embargoed", "Question", "Undated follow-up"}
    assert {subjects[c] for c in search(built, "between:(@fbi.example, @globe.example)")} == {
        "Inquiry", "Background"}
    assert {subjects[c] for c in search(built, "domain:globe.example AND domain:fbi.example")} == {
        "Inquiry", "Background", "Embargoed"}  # FW: Background holds the Globe only in its attachment
    assert search(built, "domain:corp3.example") == search(built, "person:js3@corp3.example")
    with pytest.raises(QuerySyntaxError, match="No person 'Nobody Here'"):
        search(built, 'person:"Nobody Here"')
    with pytest.raises(QuerySyntaxError, match="No address at 'nowhere.example'"):
        search(built, "domain:nowhere.example")


def _subjects(case: Case) -> dict[str, str]:
    with case.db.reader() as session:
        return {control: subject or title for control, subject, title in session.execute(
            Document.__table__.select().with_only_columns(Document.control, Document.subject,
                                                          Document.title))}


# --- hand edits ---------------------------------------------------------------------------------------------
def test_merge_keeps_the_survivors_id_resolves_old_ids_and_undoes(built: Case) -> None:
    roe, press = person_of(built, "jroe@globe.example"), person_of(built, "press@globe.example")
    before = communications.communications(built)
    assert people_edits.merge_people(built, [roe, press]) == roe
    with built.db.reader() as session:
        assert resolve_person(session, press) == roe and resolve_person(session, 999) is None
        assert person_names(session, [press, roe, 999]) == {press: "Jane Roe", roe: "Jane Roe"}
        assert len(person_documents(session, [roe])) == 6
    merged = by_address(built)["press@globe.example"]
    assert merged.id == roe and merged.sent == 3 and "press@globe.example" in merged.addresses
    to_park = {(p.from_id, p.to_id): p.messages for p in communications.communications(built)}
    assert to_park[(roe, person_of(built, "kpark@fbi.example"))] == 1
    assert audit.undo(built) == 'Undid merging "Jane Roe" into "Jane Roe".'
    assert communications.communications(built) == before
    with built.db.reader() as session:
        assert resolve_person(session, press) == press
    assert by_address(built)["press@globe.example"].id == press


def test_split_rename_and_flags_are_undoable(built: Case) -> None:
    lelling = person_of(built, "Andrew Lelling")
    [home] = people_edits.split_person(built, lelling, ["alelling@home.example"])
    listed = by_address(built)
    assert listed["alelling@home.example"].id == home != listed["lelling@usao.example"].id == lelling
    # Mail from Lelling to his home address is now a communication between two people.
    assert any((p.from_id, p.to_id) == (lelling, home) for p in communications.communications(built))
    assert people_edits.rename_person(built, home, "A. Lelling (home)") == "A. Lelling (home)"
    assert people_edits.flag_person(built, lelling, "prosecution")
    assert not people_edits.flag_person(built, lelling, "prosecution")  # already so
    assert people_edits.flag_domain(built, "globe.example", "press")
    assert people_edits.label_domain(built, "globe.example", "The Globe")
    listed = by_address(built)
    assert listed["andrew.lelling@usao.example"].flags == ["prosecution"]
    roe = listed["jroe@globe.example"]
    assert roe.flags == ["press"] and roe.organisation == "The Globe"
    with pytest.raises(ReviewerError, match="through their domain"):
        people_edits.flag_person(built, listed["jroe@globe.example"].id, "press", on=False)
    for expected in ('Undid labelling globe.example "The Globe".', "Undid flagging globe.example as press.",
                     'Undid flagging "Lelling, Andrew" as prosecution.',
                     'Undid renaming "Andrew E. Lelling" to "A. Lelling (home)".'):
        assert audit.undo(built) == expected
    assert by_address(built)["alelling@home.example"].name == "Andrew E. Lelling"
    assert audit.undo(built).startswith("Undid splitting 1 address off")
    assert by_address(built)["alelling@home.example"].id == lelling
    with built.db.reader() as session:
        assert resolve_person(session, home) == lelling  # the split-off id still means someone


def test_attorney_flag_is_the_attorneys_list(built: Case) -> None:
    roe = person_of(built, "jroe@globe.example")
    assert people_edits.flag_person(built, roe, "attorney")
    assert set(attorneys.attorneys(built)) == {"jane.roe@globe.example", "jroe@globe.example"}
    assert "attorney" in by_address(built)["jroe@globe.example"].flags
    people_edits.flag_person(built, roe, "attorney", on=False)
    assert attorneys.attorneys(built) == []
    attorneys.add(built, ["@usao.example"])
    assert "attorney" in by_address(built)["info@usao.example"].flags
    assert "attorney" in next(d for d in people.list_domains(built) if d.domain == "usao.example").flags


def test_bad_edits_are_refused_with_a_reason(built: Case) -> None:
    lelling = person_of(built, "Andrew Lelling")
    with pytest.raises(ReviewerError, match="two or more different people"):
        people_edits.merge_people(built, [lelling, lelling])
    with pytest.raises(ReviewerError, match="No person 999"):
        people_edits.merge_people(built, [lelling, 999])
    with pytest.raises(ReviewerError, match="not an address or name of"):
        people_edits.split_person(built, lelling, ["someone@else.example"])
    with pytest.raises(ReviewerError, match="That is every address"):
        people_edits.split_person(built, person_of(built, "kpark@fbi.example"), ["kpark@fbi.example"])
    with pytest.raises(ReviewerError, match="not a flag"):
        people_edits.flag_person(built, lelling, "witness")
    assert audit.next_undo(built) is None


# --- building again -----------------------------------------------------------------------------------------
def test_hand_edits_survive_building_from_new_documents(built: Case, tmp_path: Path) -> None:
    roe, press = person_of(built, "jroe@globe.example"), person_of(built, "press@globe.example")
    people_edits.merge_people(built, [roe, press])
    people_edits.rename_person(built, roe, "Roe (Globe reporter)")
    lelling = person_of(built, "Andrew Lelling")
    [home] = people_edits.split_person(built, lelling, ["alelling@home.example"])
    more = tmp_path / "more"
    more.mkdir()
    (more / "m11.eml").write_bytes(message("Jane Roe <press@globe.example>", LELLING[1], "Again", on(8, 1))
                                   .as_bytes())
    (more / "m12.eml").write_bytes(message("Andrew Lelling <alelling@home.example>",
                                           "Jane Roe <jroe@globe.example>", "From home", on(8, 2)).as_bytes())
    ingest(built, [more], IngestOptions(jobs=1))
    listed = by_address(built)
    press_box = listed["press@globe.example"]
    assert press_box.id == roe and press_box.name == "Roe (Globe reporter)"
    assert listed["alelling@home.example"].id == home != listed["lelling@usao.example"].id
    pairs = {(p.from_id, p.to_id): p.messages for p in communications.communications(built)}
    assert pairs[(roe, home)] == 1 and pairs[(home, roe)] == 1


def test_new_mail_is_added_to_what_is_kept_exactly(built: Case, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    recounts: list[str] = []
    monkeypatch.setattr(people_build, "refresh_communications",
                        lambda _session, level, _ids: recounts.append(level))
    more = tmp_path / "more"
    more.mkdir()
    mails = [message(LELLING[0], "Jane Roe <jroe@globe.example>, New Person <new@globe.example>", "Added 1",
                     on(8, 3), cc="Special Agent Kim Park <kpark@fbi.example>"),
             message("New Person <new@globe.example>", LELLING[2], "Added 2", on(9, 1)),
             message("Other Stranger <other@elsewhere.example>", "Kim Park <kpark@fbi.example>", "Added 3",
                     None)]
    for number, mail in enumerate(mails):
        (more / f"added{number}.eml").write_bytes(mail.as_bytes())
    ingest(built, [more], IngestOptions(jobs=1))
    assert recounts == []  # only new mail, nobody merged: added to what is kept, nothing counted again
    monkeypatch.undo()
    kept = communications.communications(built, with_months=True)
    people_now = people.list_people(built)
    with SearchService.open(built) as service:
        every = service.matching_ids("NOT subject:zzz")
    assert communications.communications(built, document_ids=every, with_months=True) == kept
    with built.db.session() as session:  # count everything again from the documents
        people_build.refresh_people(session, None)
        communications.refresh_communications(session, "organisation", None)
    assert communications.communications(built, with_months=True) == kept
    assert people.list_people(built) == people_now
    assert by_address(built)["new@globe.example"].sent == 1


def test_a_changed_document_is_read_again(built: Case) -> None:
    lelling, park = person_of(built, "Andrew Lelling"), person_of(built, "kpark@fbi.example")
    with built.db.session() as session:  # what an overlay of an imported production does to its documents
        doc_id = session.scalar(select(Document.id).where(Document.subject == "Press release"))
        session.execute(update(Document).where(Document.id == doc_id).values(email_to="kpark@fbi.example"))
    assert people_build.build_people(built).documents == 0  # ingest never changes a document it recorded
    with built.db.session() as session:
        session.add(ImportedRecord(document_id=doc_id, beg_bates="GOV0001", added=now()))
    summary = people_build.build_people(built)
    assert summary.documents == 1
    pairs = {(p.from_id, p.to_id): p.messages for p in communications.communications(built)}
    assert pairs[(lelling, park)] == 2 and pairs[(lelling, person_of(built, "jroe@globe.example"))] == 1


def test_a_build_stopped_before_counting_is_finished_by_the_next(built: Case) -> None:
    before = communications.communications(built, "organisation")
    with built.db.session() as session:  # a run killed after reading documents, before regrouping
        session.execute(delete(CommunicationMonth))
        session.add(Setting(key="people_pending", value="1"))
    assert people_build.needs_build(built)
    people_build.ensure_built(built)
    assert communications.communications(built, "organisation") == before
    assert not people_build.needs_build(built)


def test_reply_to_is_recorded_and_read_back_for_older_cases(built: Case) -> None:
    with built.db.reader() as session:
        replies = {s: r for s, r in session.execute(Document.__table__.select().with_only_columns(
            Document.subject, Document.email_reply_to))}
    assert replies["Question"] == "Globe Desk <desk@globe.example>" and replies["Embargoed"] == ""
    with built.db.session() as session:  # as a case ingested before Reply-To was recorded
        session.execute(update(Document).values(email_reply_to=None))
        session.execute(delete(PeopleSource))
    people_build.ensure_built(built)
    with built.db.reader() as session:
        assert {s: r for s, r in session.execute(Document.__table__.select().with_only_columns(
            Document.subject, Document.email_reply_to))} == replies
    assert by_address(built)["desk@globe.example"].documents == 1


# --- the commands -------------------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


def test_people_and_comms_commands(built: Case, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = str(built.location)
    code, out, _ = run(capsys, "people", path, "--json")
    listed = {p["addresses"][0] if p["addresses"] else p["name"]: p for p in json.loads(out)}
    lelling = listed["alelling@home.example"]
    assert code == 0
    assert set(lelling) >= {"id", "name", "addresses", "organisation", "flags", "sent", "received"}
    assert (lelling["sent"], lelling["received"], lelling["organisation"]) == (3, 5, "usao.example")
    roe, press = listed["jane.roe@globe.example"]["id"], listed["press@globe.example"]["id"]
    assert run(capsys, "people-merge", path, str(roe), str(press))[0] == 0
    assert run(capsys, "people-flag", path, str(roe), "press")[2] == f"Flagged person {roe} press."
    assert run(capsys, "people-flag", path, str(roe), "press", "--remove")[2] == \
        f"Took the flag press off person {roe}."
    assert run(capsys, "domain-label", path, "fbi.example", "Federal Bureau")[0] == 0
    code, out, _ = run(capsys, "people", path, "--find", "Jane Roe", "--json")
    assert [p["addresses"] for p in json.loads(out)] == [
        ["jane.roe@globe.example", "jroe@globe.example", "press@globe.example"]]
    report = tmp_path / "comms.csv"
    assert run(capsys, "comms", path, "--by", "organisation", "--csv", str(report))[0] == 0
    rows = report.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "from,to,from_name,to_name,messages,first,last"
    assert len(rows) == 1 + len(ORGANISATION_PAIRS)
    assert any(row.split(",")[2:5] == ["Federal Bureau", "globe.example", "1"] for row in rows)
    code, out, _ = run(capsys, "comms", path, "--query", "subject:embargoed", "--json")
    assert sorted((p["from_name"], p["to_name"], p["messages"], p["months"]) for p in json.loads(out)) == [
        ("Lelling, Andrew", "Jane Roe", 1, {"2019-04": 1}),
        ("Lelling, Andrew", "Special Agent Kim Park", 1, {"2019-04": 1})]
    code, out, _ = run(capsys, "comms-messages", path, str(lelling["id"]), str(roe), "--json")
    assert [m["subject"] for m in json.loads(out)] == ["Press release", "Embargoed"]
    assert run(capsys, "comms", path, "--since", "April")[2] == \
        "error: 'April' is not a month; write YYYY-MM, e.g. 2019-04."
    code, _, err = run(capsys, "people-merge", path, str(roe), "4242")
    assert code == 1 and "No person 4242 in this case" in err
    assert run(capsys, "people-rebuild", path)[2].startswith("Read 0 new or changed documents;")
    code, out, _ = run(capsys, "history", path, "--all", "--json")
    trail = json.loads(out)
    assert trail[0]["summary"].startswith("people built again") and not trail[0]["undoable"]
    assert trail[1]["summary"] == 'labelling fbi.example "Federal Bureau"'
    assert run(capsys, "undo", path)[2] == 'Undid labelling fbi.example "Federal Bureau".'


def test_a_case_from_before_people_is_built_on_first_use(built: Case,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with built.db.session() as session:
        session.execute(delete(PeopleSource))
        session.execute(delete(CommunicationMonth))
    code, out, _ = run(capsys, "comms", str(built.location), "--json")
    assert code == 0 and len(json.loads(out)) == len(PERSON_PAIRS)


def test_month_span(built: Case) -> None:
    assert communications.month_span(built) == ("2019-03", "2019-07")
