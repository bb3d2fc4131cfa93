"""Facts and their cites: fuzzy dates in chronology order, a fact made from a highlight in one step, edits
and deletes undone, and citations before and after a production and on an imported production."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core import audit
from reviewer.core.case import Case
from reviewer.core.casebuild import facts, highlights, people
from reviewer.core.casebuild.facts import FactError, SourceRef
from reviewer.core.casebuild.fuzzy_dates import DateError
from reviewer.core.importing.importer import ImportOptions, import_production
from reviewer.core.produce.production import ProductionSettings, produce
from tests.casebuild_matter import control_of, make_matter

pytestmark = pytest.mark.both_databases


@pytest.fixture
def matter(case: Case, tmp_path: Path) -> dict[str, int]:
    return make_matter(case, tmp_path / "files")


def test_the_chronology_is_in_date_order_with_partial_dates_first_and_shown_as_entered(case: Case) -> None:
    entered = ["2019-04-02", "April 2019", "2019", "~2019-04-02", "2019-03-31", "", "2019-04-02 14:30",
               "2019-04-02 to 2019-04-09", "2018-12-24", "4/1/2019"]
    for position in random.Random(3).sample(range(len(entered)), len(entered)):
        facts.add_fact(case, entered[position], f"fact {position}")
    assert [fact.date for fact in facts.list_facts(case)] == [
        "2018-12-24", "2019", "2019-03-31", "April 2019", "4/1/2019", "2019-04-02", "2019-04-02 14:30",
        "2019-04-02 to 2019-04-09", "~2019-04-02", ""]
    with pytest.raises(DateError):
        facts.add_fact(case, "the spring", "too vague")


def test_one_step_makes_a_fact_from_a_highlight(case: Case, matter) -> None:
    placement = highlights.place_phrase(case, matter["tip.eml"], "the indictment is sealed until Friday")[0]
    marked = highlights.add_highlight(case, placement, ["2"], "the leak itself")
    fact = facts.fact_from_highlight(case, marked.id)
    assert (fact.date, fact.text, fact.issues, fact.status) == (
        "2021-06-14", "the indictment is sealed until Friday", ("Improper disclosures to the press",),
        "undisputed")
    assert [(s.highlight_id, s.control, s.page) for s in fact.sources] == [
        (marked.id, control_of(case, matter["tip.eml"]), None)]
    assert audit.next_undo(case) == 'adding the fact 2021-06-14 "the indictment is sealed until Friday"'


def test_a_fact_is_edited_and_deleted_and_each_step_undone(case: Case, matter) -> None:
    memo = control_of(case, matter["memo.pdf"])
    first, second = people.list_people(case)[:2]
    fact = facts.add_fact(case, "2021-06", "Marlow briefs the Gazette", issues=["2"],
                          people=[first.id, second.id], sources=[SourceRef.parse(f"{memo}:1-2")], key=True)
    assert (fact.people, fact.people_names, fact.key, fact.cites) == (
        (first.id, second.id), (first.name, second.name), True, f"{memo} at 1–2")
    with pytest.raises(FactError, match="no person 9999"):
        facts.add_fact(case, "2021-06", "about nobody", people=[9999])
    original = facts.get_fact(case, fact.id)
    facts.edit_fact(case, fact.id, date="2021-06-14", status="disputed by the prosecution", key=False,
                    issues=["1", "2"], people=[second.id], sources=[SourceRef(document_id=matter["tip.eml"])])
    edited = facts.get_fact(case, fact.id)
    assert (edited.date, edited.status_label, edited.key, len(edited.issues), edited.people) == (
        "2021-06-14", "Disputed by the prosecution", False, 2, (second.id,))
    facts.delete_facts(case, [fact.id])
    assert facts.list_facts(case) == []
    audit.undo(case)
    assert facts.get_fact(case, fact.id) == edited
    audit.undo(case)
    assert facts.get_fact(case, fact.id) == original
    assert audit.undo(case) == 'Undid adding the fact 2021-06 "Marlow briefs the Gazette".'
    assert facts.list_facts(case) == []
    with pytest.raises(FactError, match="no page 7"):
        facts.add_fact(case, "2021", "x", sources=[SourceRef.parse(f"{memo}:7")])
    with pytest.raises(FactError, match="No document DOC-999999"):
        facts.add_fact(case, "2021", "x", sources=[SourceRef.parse("DOC-999999:1")])
    with pytest.raises(FactError, match="not a status"):
        facts.add_fact(case, "2021", "x", status="probably")


def test_cites_follow_a_production_made_later(case: Case, matter, tmp_path: Path) -> None:
    memo = control_of(case, matter["memo.pdf"])
    fact = facts.add_fact(case, "2021-06", "Marlow briefs the Gazette",
                          sources=[SourceRef.parse(f"{memo}:2"), SourceRef.parse(f"{memo}:1-2"),
                                   SourceRef(document_id=matter["memo.pdf"])])
    assert fact.cites == f"{memo} at 2; {memo} at 1–2; {memo}"
    out = tmp_path / "out"
    produce(case, [matter["memo.pdf"]], ProductionSettings(name="First", prefix="DEF", out_dir=out, digits=7,
                                                           start=456))
    assert facts.get_fact(case, fact.id).cites == "DEF0000457; DEF0000456–57; DEF0000456–57"
    produce(case, [matter["memo.pdf"]], ProductionSettings(name="Again", prefix="DEF", out_dir=out, digits=7))
    # The first production's numbers stay: what the other side was first given.
    assert facts.get_fact(case, fact.id).cites == "DEF0000457; DEF0000456–57; DEF0000456–57"


def test_cites_on_an_imported_production_use_the_numbers_stamped_on_its_pages(tmp_path: Path) -> None:
    with Case.create(tmp_path / "government", name="Government") as government:
        ids = make_matter(government, tmp_path / "files")
        volume = produce(government, [ids["memo.pdf"], ids["tip.eml"]], ProductionSettings(
            name="GOV-1", prefix="GOV", out_dir=tmp_path / "out", digits=7, start=456)).volume_dir
    with Case.create(tmp_path / "defense", name="Defense") as case:
        import_production(case, volume, ImportOptions(ocr=False))
        assert volume is not None
        sources = [SourceRef.parse(text) for text in ("GOV0000456:2", "GOV0000456:1-2", "GOV0000456")]
        fact = facts.add_fact(case, "2021-06-14", "The memo", sources=sources)
        assert fact.cites == "GOV0000457; GOV0000456–57; GOV0000456–57"


def test_the_fact_commands(case: Case, matter, capsys) -> None:
    path = str(case.location)
    memo = control_of(case, matter["memo.pdf"])
    person = people.list_people(case)[0].id
    assert main(["highlight", path, memo, "--text", "sealed indictment", "--issue", "2"]) == 0
    assert main(["fact-add", path, "--highlight", "1", "--key", "--json"]) == 0
    out, _err = capsys.readouterr()
    made = json.loads(out)[0]
    assert made["text"] == "sealed indictment" and made["key"] and made["issues"] == [
        "Improper disclosures to the press"]
    assert main(["fact-add", path, "--date", "~2021-05", "--text", "The feud starts", "--source", f"{memo}:1",
                 "--issue", "1", "--person", str(person), "--status", "unsure"]) == 0
    assert main(["fact-add", path, "--text", "No date given"]) == 1
    assert "A fact needs --date" in capsys.readouterr().err
    assert main(["facts", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(f["date"], f["status"], f["people"]) for f in listed] == [("~2021-05", "unsure", [person]),
                                                                       ("", "undisputed", [])]
    assert listed[0]["sources"][0]["cite"] == f"{memo} at 1"
    assert main(["fact-edit", path, str(made["id"]), "--date", "2021-06-01", "--not-key", "--no-issues"]) == 0
    assert main(["facts", path, "--issue", "1", "--json"]) == 0
    assert [f["text"] for f in json.loads(capsys.readouterr().out)] == ["The feud starts"]
    assert main(["facts", path, "--key-only", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["fact-delete", path, str(made["id"])]) == 0
    assert main(["undo", path]) == 0
    assert 'Undid deleting the fact 2021-06-01 "sealed indictment"' in capsys.readouterr().err
    assert main(["facts", path, "--json"]) == 0
    texts = [f["text"] for f in json.loads(capsys.readouterr().out)]
    assert texts == ["The feud starts", "sealed indictment"]
