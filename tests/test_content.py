"""F9: packs validate against the schema; broken packs name the file, the entry and the field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import Pack, PackError, load_pack
from bot.content.schema import Kind
from tests.harness import CONTENT

PACK = CONTENT / "amazon-backend-developer"
GUIDE_QUESTIONS = {
    "rate-limiting-design",
    "rest-vs-graphql",
    "db-migrations-production",
    "cap-theorem",
    "authn-authz",
    "error-handling-logging",
    "horizontal-vs-vertical-scaling",
    "microservices-tradeoffs",
    "securing-api-endpoint",
    "message-queues-event-driven",
}
PRINCIPLES = {
    "customer-obsession",
    "ownership",
    "invent-and-simplify",
    "are-right-a-lot",
    "learn-and-be-curious",
    "hire-and-develop-the-best",
    "insist-on-the-highest-standards",
    "think-big",
    "bias-for-action",
    "frugality",
    "earn-trust",
    "dive-deep",
    "have-backbone-disagree-and-commit",
    "deliver-results",
    "strive-to-be-earths-best-employer",
    "success-and-scale-bring-broad-responsibility",
}


def studybot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_the_amazon_pack_covers_the_guide(packs: dict[str, Pack]) -> None:
    pack = packs["amazon-backend-developer"]
    for qid in GUIDE_QUESTIONS:
        q = pack.by_id[qid]
        assert q.kind == Kind.technical
        assert len(q.rubric) >= 5 and len(q.follow_ups) >= 2 and q.model_answer, qid
    assert {p.id for p in pack.info.principles} == PRINCIPLES
    for principle in PRINCIPLES:
        assert any(
            q.kind == Kind.behavioral and principle in q.principles for q in pack.questions
        ), principle
    phases = {p.id: p for p in pack.info.phases}
    assert {"research", "practice", "mock", "review"} <= set(phases)
    assert all(p.checklist for p in phases.values())
    assert (phases["research"].days_before_max, phases["review"].days_before_min) == (28, 0)
    assert len(pack.info.tips) >= 5


def test_validate_exits_zero_with_a_one_line_summary() -> None:
    out = studybot("content", "validate", str(PACK))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n") == 1 and "amazon-backend-developer" in out.stdout


def test_list_shows_the_installed_packs() -> None:
    out = studybot("content", "list")
    assert out.returncode == 0 and out.stdout.startswith("amazon-backend-developer\t")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "my-pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "id: my-pack\ntitle: Mine\nversion: '1.0'\ndescription: test\n"
        "principles:\n  - {id: ownership, name: Ownership, summary: Acts on behalf of the company}\n"
        "phases:\n  - {id: practice, name: Practice, days_before_max: 21, days_before_min: 8,"
        " serves: [technical], goal: practise daily}\n"
    )
    return folder


GOOD_Q = "  - id: {id}\n    kind: technical\n    prompt: What is a database index for?\n    phases: [{phase}]\n"


def problems(folder: Path) -> str:
    with pytest.raises(PackError) as err:
        load_pack(folder)
    return "\n".join(err.value.problems)


def test_bad_yaml_names_the_file_and_line(broken: Path) -> None:
    (broken / "q.yaml").write_text("questions:\n  - id: a\n    prompt: [unclosed\n")
    text = problems(broken)
    assert "q.yaml" in text and "line" in text and "not valid YAML" in text


def test_a_missing_field_names_the_entry_and_field(broken: Path) -> None:
    (broken / "q.yaml").write_text(
        "questions:\n  - id: idx-1\n    kind: technical\n    phases: [practice]\n"
    )
    assert "q.yaml: question 'idx-1': field 'prompt': required field is missing" in problems(broken)


def test_a_misspelled_field_is_an_error(broken: Path) -> None:
    (broken / "q.yaml").write_text(
        "questions:\n" + GOOD_Q.format(id="idx-1", phase="practice") + "    folow_ups: [x]\n"
    )
    assert "question 'idx-1': field 'folow_ups': unknown field" in problems(broken)


def test_a_duplicate_id_across_files(broken: Path) -> None:
    (broken / "a.yaml").write_text("questions:\n" + GOOD_Q.format(id="idx-1", phase="practice"))
    (broken / "b.yaml").write_text("questions:\n" + GOOD_Q.format(id="idx-1", phase="practice"))
    assert "b.yaml: question 'idx-1': field 'id': duplicate, also in a.yaml" in problems(broken)


def test_an_unknown_phase_and_principle(broken: Path) -> None:
    (broken / "q.yaml").write_text(
        "questions:\n"
        + GOOD_Q.format(id="idx-1", phase="someday")
        + "  - id: lp-1\n    kind: behavioral\n    prompt: Tell me about a time you owned it.\n"
        "    phases: [practice]\n    principles: [frugalness]\n"
    )
    text = problems(broken)
    assert "question 'idx-1': field 'phases': unknown phase 'someday' (known: practice)" in text
    assert "question 'lp-1': field 'principles': unknown principle 'frugalness'" in text


def test_a_bad_value_names_the_field_path(broken: Path) -> None:
    (broken / "q.yaml").write_text(
        GOOD_Q.format(id="idx-1", phase="practice").join(
            ["questions:\n", "    difficulty: extreme\n"]
        )
    )
    assert "question 'idx-1': field 'difficulty'" in problems(broken)


def test_the_cli_exits_non_zero_and_lists_every_problem(broken: Path) -> None:
    (broken / "q.yaml").write_text(
        "questions:\n"
        + GOOD_Q.format(id="Bad Id", phase="practice")
        + GOOD_Q.format(id="ok-1", phase="nope")
    )
    out = studybot("content", "validate", str(broken))
    assert out.returncode == 1
    assert (
        "question 'Bad Id': field 'id'" in out.stderr
        and "question 'ok-1': field 'phases'" in out.stderr
    )


def test_an_organizer_pack_copied_from_the_amazon_one_validates(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(PACK, mine)
    text = (mine / "pack.yaml").read_text().replace("id: amazon-backend-developer", "id: mine", 1)
    (mine / "pack.yaml").write_text(text)
    assert load_pack(mine).id == "mine"
