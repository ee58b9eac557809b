"""The workshop pack: the starter validates, mistakes are reported with file and line, the bundle is stable."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tutor.cli.commands import app
from tutor.workshop.pack import bundle, check_pack, load_pack, sha256, unpack

runner = CliRunner()


def _starter(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["workshop", "new", str(tmp_path / "pack")])
    assert result.exit_code == 0, result.output
    return tmp_path / "pack"


def _edit(pack: Path, old: str, new: str) -> None:
    file = pack / "workshop.yaml"
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def _line_of(pack: Path, fragment: str) -> int:
    return next(i for i, line in enumerate((pack / "workshop.yaml").read_text().splitlines(), 1) if fragment in line)


def test_starter_pack_validates_with_its_own_question(tmp_path):
    pack = _starter(tmp_path)
    result = runner.invoke(app, ["workshop", "validate", str(pack)])
    assert result.exit_code == 0, result.output
    assert "7 agenda items, all valid" in result.output
    check = check_pack(pack)
    assert check.catalog is not None and "pack-001" in check.catalog.questions  # the pack's own content resolved


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["workshop", "new", str(tmp_path / "busy")])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_unknown_key_and_missing_field_name_their_line(tmp_path):
    pack = _starter(tmp_path)
    _edit(pack, "title: Messaging", "titel: Messaging")
    _, problems = load_pack(pack)
    messages = {(p.line, p.message.split(":")[0]) for p in problems}
    assert (_line_of(pack, "titel:"), "titel") in messages
    assert any(p.message.startswith("title: Field required") for p in problems)


def test_unresolved_references_are_reported_at_their_lines(tmp_path):
    pack = _starter(tmp_path)
    _edit(pack, "lab: sqs-dead-letter", "lab: sqs-dead-lettr")
    _edit(pack, "profile: quick", "profile: quik")
    _edit(pack, "count: 5, seed: 7", "count: 200, seed: 7")
    result = check_pack(pack)
    got = {(p.line, p.message.split(":")[0]) for p in result.problems}
    assert got == {
        (_line_of(pack, "sqs-dead-lettr"), "lab"),
        (_line_of(pack, "quik"), "exam.profile"),
        (_line_of(pack, "count: 200"), "questions.count"),
    }
    cli = runner.invoke(app, ["workshop", "validate", str(pack)])
    assert cli.exit_code == 1
    assert f"workshop.yaml:{_line_of(pack, 'sqs-dead-lettr')}: lab: no lab 'sqs-dead-lettr'" in cli.output


def test_an_agenda_item_of_no_known_kind_is_an_error(tmp_path):
    pack = _starter(tmp_path)
    _edit(pack, "  - drills: [sqs-visibility-timeout-and-dlq]", "  - quiz: [sqs-visibility-timeout-and-dlq]")
    _, problems = load_pack(pack)
    assert [p.line for p in problems] == [_line_of(pack, "- quiz:")]
    assert "one of: lesson, lab, questions, exam, drills" in problems[0].message


def test_end_before_start_and_naive_times_are_errors(tmp_path):
    pack = _starter(tmp_path)
    text = (pack / "workshop.yaml").read_text()
    starts = next(line for line in text.splitlines() if line.startswith("starts:"))
    _edit(pack, starts, "starts: 2030-01-01T09:00:00")
    _, problems = load_pack(pack)
    assert any("timezone" in p.message for p in problems), problems


def test_broken_pack_content_is_reported_in_its_own_file(tmp_path):
    pack = _starter(tmp_path)
    bad = pack / "content" / "question_bank" / "extra.yaml"
    bad.write_text("- id: extra-1\n  lesson: messaging#dead-letter-queues\n")
    result = check_pack(pack)
    assert result.problems and all(p.path == bad for p in result.problems)


def test_bundle_is_byte_stable_and_unpacks_only_after_its_hash_matches(tmp_path):
    pack = _starter(tmp_path)
    parsed, _ = load_pack(pack)
    first = bundle(pack, parsed)
    (pack / "content" / "question_bank" / "pack.yaml").touch()  # a new mtime changes nothing
    assert bundle(pack, parsed) == first
    out = unpack(first, sha256(first), tmp_path / "out")
    assert (out / "workshop.yaml").read_text() == (pack / "workshop.yaml").read_text()
    assert (out / "content" / "question_bank" / "pack.yaml").is_file()
    import pytest

    from tutor.workshop.pack import WorkshopError

    with pytest.raises(WorkshopError, match="does not match"):
        unpack(first + b"x", sha256(first), tmp_path / "other")
    assert not (tmp_path / "other").exists()
