"""The loader: valid content loads, and every kind of mistake is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

from tutor.content import load_catalog


def load(root: Path):
    return load_catalog([root], include_builtin=False)


def problems_in(catalog, name: str) -> list[str]:
    return [f"{p.line}: {p.message}" for p in catalog.problems if p.path.name == name]


def test_sample_content_loads_every_kind(sample_catalog):
    counts = sample_catalog.counts()
    assert counts["lessons"] == 2
    assert counts["questions"] == 5
    assert counts["labs"] == 1
    assert counts["exam profiles"] == 1
    assert counts["drills"] == 1
    assert counts["glossary terms"] == 1
    lesson = sample_catalog.lessons["storage"]
    assert [s.anchor for s in lesson.sections] == ["buckets", "versioning"]
    assert "container for objects" in lesson.section("buckets").body


def test_lessons_are_ordered_by_file_prefix(sample_catalog):
    assert list(sample_catalog.lessons) == ["storage", "network"]


def test_unknown_field_is_an_error_with_its_line(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    text = path.read_text().replace("  tags: [buckets]\n", "  tags: [buckets]\n  dificulty: 2\n", 1)
    path.write_text(text)
    catalog = load(content_root)
    found = problems_in(catalog, "storage.yaml")
    assert found == ["7: dificulty: Extra inputs are not permitted"]
    assert "storage-001" not in catalog.questions  # the broken question is skipped...
    assert "storage-002" in catalog.questions  # ...and the rest of the file still loads


def test_yaml_syntax_error_names_the_line(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    lines = path.read_text().splitlines()
    lines[8] = "  options: [In buckets, In tables"  # unclosed flow sequence
    path.write_text("\n".join(lines) + "\n")
    catalog = load(content_root)
    [problem] = [p for p in catalog.problems if p.path.name == "storage.yaml"]
    assert problem.message.startswith("YAML:")
    assert 9 <= problem.line <= 11
    assert catalog.lessons  # one broken file does not stop the rest


def test_answer_letter_outside_the_options_is_rejected(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  answer: A\n", "  answer: E\n", 1))
    found = problems_in(load(content_root), "storage.yaml")
    assert any("answer must be one letter among ABCD" in f for f in found)


def test_choose_count_must_match_the_answer(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  choose: 2\n", "  choose: 3\n"))
    found = problems_in(load(content_root), "storage.yaml")
    assert any("'choose' is 3 but the answer has 2 letters" in f for f in found)


def test_order_answer_must_use_every_letter_once(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  answer: BAC\n", "  answer: BAA\n"))
    assert any("order answer lists every letter" in f for f in problems_in(load(content_root), "storage.yaml"))


def test_duplicate_question_id_names_the_first_definition(content_root):
    extra = content_root / "question_bank" / "zz-more.yaml"  # loaded after storage.yaml
    original = (content_root / "question_bank" / "storage.yaml").read_text()
    first_question = original.split("- id: storage-002")[0].replace("Where do objects live?", "Where are objects kept?")
    extra.write_text(first_question)
    found = problems_in(load(content_root), "zz-more.yaml")
    assert found and "question id 'storage-001' is already defined at" in found[0]


def test_dangling_section_reference_is_reported(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("lesson: storage#buckets", "lesson: storage#bucket-names"))
    found = problems_in(load(content_root), "storage.yaml")
    assert found == ["1: lesson 'storage#bucket-names' does not resolve to a lesson section"]


def test_unknown_domain_is_reported(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(
        path.read_text().replace("{saa: resilient, clf: technology}", "{saa: resilience, clf: technology}", 1)
    )
    found = problems_in(load(content_root), "storage.yaml")
    assert any("'resilience' is not one of secure, resilient, performance, cost" in f for f in found)


def test_task_statements_load_with_their_domains(sample_catalog):
    assert sample_catalog.questions["storage-001"].task == ["saa-2.1", "clf-3.6"]
    assert sample_catalog.questions["storage-001"].tasks_of("clf") == ["clf-3.6"]
    assert sample_catalog.families["saa"].task_domains()["saa-3.4"] == "performance"


def test_a_single_task_may_be_written_without_brackets(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("task: [saa-2.2]", "task: saa-2.2"))
    catalog = load(content_root)
    assert problems_in(catalog, "storage.yaml") == []
    assert catalog.questions["storage-002"].task == ["saa-2.2"]


def test_unknown_task_statement_is_reported(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("task: [saa-2.2]", "task: [saa-2.9, dva-1.1]"))
    found = problems_in(load(content_root), "storage.yaml")
    assert any(f.startswith("27: task 'saa-2.9' is not a task statement of family 'saa'") for f in found), found
    assert any("task 'dva-1.1': unknown exam family 'dva'" in f for f in found), found


def test_task_in_another_domain_than_the_question_is_reported(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("task: [saa-2.2]", "task: [saa-3.4]"))
    found = problems_in(load(content_root), "storage.yaml")
    assert found == ["27: task 'saa-3.4' is in domain 'performance', but the question's domain for saa is 'resilient'"]


def test_malformed_or_repeated_task_is_reported_on_its_line(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    text = path.read_text()
    text = text.replace("task: [saa-2.2]", "task: [saa-2.2, saa-2.2]")
    path.write_text(text.replace("task: [saa-2.1, clf-3.6]", "task: [saa3.1]"))
    found = problems_in(load(content_root), "storage.yaml")
    assert any(f.startswith("11: task.0: String should match pattern") for f in found), found
    assert "27: task: Value error, task saa-2.2 is named twice" in found, found


def test_task_numbers_must_start_with_their_domain_position(content_root):
    path = content_root / "question_bank" / "domains.yaml"
    path.write_text(path.read_text().replace('{id: "3.4", name: Network}', '{id: "4.4", name: Network}'))
    found = problems_in(load(content_root), "domains.yaml")
    assert any("task 4.4 is listed under domain 3 (performance): it must start 3." in f for f in found), found


def test_near_duplicate_prompts_are_reported(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(
        path.read_text()
        + """\
- id: storage-004
  lesson: storage#versioning
  domain: {saa: resilient, clf: technology}
  type: true_false
  difficulty: 1
  prompt: A versioned bucket can go back to the unversioned state!
  answer: false
  explanation: It can only be suspended.
"""
    )
    found = problems_in(load(content_root), "storage.yaml")
    assert any("'storage-004' is a near-duplicate of 'storage-003'" in f for f in found)


def test_lesson_section_without_anchor_is_reported_with_line(content_root):
    path = content_root / "lessons" / "02-network.md"
    path.write_text(path.read_text().replace("## Subnets {#subnets}", "## Subnets"))
    found = problems_in(load(content_root), "02-network.md")
    assert "9: section 'Subnets' has no anchor: add {#some-anchor}" in found


def test_unclosed_block_and_missing_mistakes_are_reported(content_root):
    path = content_root / "lessons" / "02-network.md"
    text = path.read_text().replace("::: mistakes\n- Forgetting the reserved addresses.\n:::\n", "")
    text = text.replace(
        "- Five addresses per subnet are reserved.\n:::\n", "- Five addresses per subnet are reserved.\n"
    )
    path.write_text(text)
    found = problems_in(load(content_root), "02-network.md")
    assert any("'::: takeaways' block is never closed" in f for f in found)
    assert any("lesson has no '::: mistakes' block" in f for f in found)


def test_broken_lesson_link_is_reported(content_root):
    path = content_root / "lessons" / "01-storage.md"
    path.write_text(path.read_text().replace("lesson:storage#versioning", "lesson:storage#versions"))
    assert any(
        "link lesson:storage#versions does not resolve" in f for f in problems_in(load(content_root), "01-storage.md")
    )


def test_lesson_id_must_match_file_name(content_root):
    path = content_root / "lessons" / "02-network.md"
    path.write_text(path.read_text().replace("id: network", "id: networking"))
    found = problems_in(load(content_root), "02-network.md")
    assert any("id 'networking' does not match the file name 'network'" in f for f in found)


def test_lab_python_check_must_name_an_existing_function(content_root):
    path = content_root / "labs" / "versioned-bucket" / "lab.yaml"
    path.write_text(path.read_text().replace("python: checks:tagged", "python: checks:is_tagged"))
    found = problems_in(load(content_root), "lab.yaml")
    assert any("checks.py defines no function 'is_tagged'" in f for f in found)


def test_lab_check_with_bad_jmespath_is_reported_on_its_line(content_root):
    path = content_root / "labs" / "versioned-bucket" / "lab.yaml"
    path.write_text(path.read_text().replace("query: Status", "query: Status[?"))
    found = problems_in(load(content_root), "lab.yaml")
    assert any(f.startswith("16: checks.0.query") and "not valid JMESPath" in f for f in found), found


def test_lab_expect_needs_exactly_one_matcher(content_root):
    path = content_root / "labs" / "versioned-bucket" / "lab.yaml"
    path.write_text(path.read_text().replace("expect: {equals: Enabled}", "expect: {equals: Enabled, exists: true}"))
    found = problems_in(load(content_root), "lab.yaml")
    assert any("exactly one matcher key" in f for f in found)


def test_missing_lab_solution_file_is_reported(content_root):
    (content_root / "labs" / "versioned-bucket" / "solution.py").unlink()
    found = problems_in(load(content_root), "lab.yaml")
    assert any("solution file 'solution.py' is missing" in f for f in found)


def test_extra_content_path_is_loaded_and_validated(content_root, tmp_path, monkeypatch):
    extra = tmp_path / "instructor"
    (extra / "question_bank").mkdir(parents=True)
    (extra / "question_bank" / "mine.yaml").write_text("""\
- id: mine-001
  lesson: storage#buckets
  domain: {saa: cost, clf: billing}
  type: true_false
  difficulty: 1
  prompt: Instructors can add their own questions.
  answer: true
  explanation: Through TUTOR_CONTENT_PATH.
- id: mine-002
  lesson: storage#nowhere
  domain: {saa: cost, clf: billing}
  type: true_false
  difficulty: 1
  prompt: This one points nowhere.
  answer: true
  explanation: It is reported.
""")
    monkeypatch.setenv("TUTOR_CONTENT_PATH", str(extra))
    catalog = load_catalog([content_root])
    assert "mine-001" in catalog.questions
    assert any(p.path.name == "mine.yaml" and "storage#nowhere" in p.message for p in catalog.problems)


def test_questions_and_labs_are_found_by_lesson_and_section(sample_catalog):
    assert {q.id for q in sample_catalog.questions_for("storage")} == {"storage-001", "storage-002", "storage-003"}
    assert {q.id for q in sample_catalog.questions_for("storage#versioning")} == {"storage-002", "storage-003"}
    assert [lab.id for lab in sample_catalog.labs_for("storage#versioning")] == ["versioned-bucket"]
    assert sample_catalog.labs_for("network") == []


def test_question_grading_by_type(sample_catalog):
    q = sample_catalog.questions
    assert q["storage-001"].is_correct("A") and not q["storage-001"].is_correct("B")
    assert q["storage-002"].is_correct(["B", "A"]) and not q["storage-002"].is_correct(["A"])
    assert q["storage-003"].is_correct(False) and not q["storage-003"].is_correct(True)
    assert q["network-001"].is_correct("256") and not q["network-001"].is_correct("255")
    assert q["network-002"].is_correct("BAC") and not q["network-002"].is_correct("ABC")


def test_sandbox_blocks_are_collected_for_testing(sample_catalog):
    [(path, line, commands)] = sample_catalog.sandbox_blocks
    assert path.name == "01-storage.md" and line == 24
    assert commands.splitlines()[0] == "aws s3api create-bucket --bucket demo-versioning"


def _second_lab(content_root, lab_id: str, prerequisites: str) -> None:
    import shutil

    source = content_root / "labs" / "versioned-bucket"
    target = content_root / "labs" / lab_id
    shutil.copytree(source, target)
    text = (target / "lab.yaml").read_text().replace("id: versioned-bucket", f"id: {lab_id}")
    (target / "lab.yaml").write_text(
        text.replace("estimated_minutes: 5", f"estimated_minutes: 5\nprerequisites: {prerequisites}")
    )


def test_lab_prerequisites_must_name_labs(content_root):
    _second_lab(content_root, "second-lab", "[no-such-lab]")
    found = problems_in(load(content_root), "lab.yaml")
    assert any(f.startswith("1: ") and "prerequisite 'no-such-lab' is not a lab" in f for f in found), found


def test_lab_prerequisite_cycles_are_reported(content_root):
    _second_lab(content_root, "second-lab", "[versioned-bucket]")
    first = content_root / "labs" / "versioned-bucket" / "lab.yaml"
    first.write_text(
        first.read_text().replace("estimated_minutes: 5", "estimated_minutes: 5\nprerequisites: [second-lab]")
    )
    found = problems_in(load(content_root), "lab.yaml")
    assert any("go round in a circle" in f for f in found), found


def test_labs_in_order_puts_prerequisites_first_then_easier_labs():
    from tutor.content import load_catalog

    order = [lab.id for lab in load_catalog().labs_in_order()]
    first = load_catalog().labs[order[0]]
    assert first.difficulty == 1 and not first.prerequisites
    for position, lab_id in enumerate(order):
        for prerequisite in load_catalog().labs[lab_id].prerequisites:
            assert order.index(prerequisite) < position, (lab_id, prerequisite)
