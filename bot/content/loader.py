"""Loading and validating a pack folder, with errors that name the file, entry and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.schema import Kind, PackInfo, Phase, Principle, Question, QuestionFile

PACK_FILE = "pack.yaml"


class PackError(Exception):
    """Everything wrong with a pack, one problem a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Pack:
    info: PackInfo
    questions: tuple[Question, ...]
    path: Path
    by_id: dict[str, Question] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.info.id

    def summary(self) -> str:
        kinds = {k: sum(q.kind == k for q in self.questions) for k in Kind}
        counted = ", ".join(f"{n} {k.value}" for k, n in kinds.items() if n)
        return (
            f"{self.info.id} {self.info.version}: {len(self.questions)} questions ({counted}), "
            f"{len(self.info.principles)} principles, {len(self.info.phases)} phases"
        )

    def question(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def principle(self, principle_id: str) -> Principle | None:
        return next((p for p in self.info.principles if p.id == principle_id), None)

    def phase_for(self, days_before: int) -> Phase | None:
        """The phase that covers a day `days_before` the interview, if any does."""
        for phase in self.info.phases:
            if phase.days_before_min <= days_before <= phase.days_before_max:
                return phase
        return None


def load_pack(folder: Path) -> Pack:
    """Load one pack folder, or raise PackError listing every problem found."""
    problems: list[str] = []
    info_path = folder / PACK_FILE
    if not folder.is_dir():
        raise PackError([f"{folder}: not a folder"])
    if not info_path.exists():
        raise PackError([f"{info_path}: missing; every pack folder needs a {PACK_FILE}"])

    info = None
    raw_info = _read_yaml(info_path, problems)
    if raw_info is not None:
        try:
            info = PackInfo.model_validate(raw_info)
        except ValidationError as err:
            problems += _explain(info_path, raw_info, err)

    questions: list[tuple[Path, Question]] = []
    for path in sorted(folder.glob("*.y*ml")):
        if path.name == PACK_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        try:
            parsed = QuestionFile.model_validate(raw)
        except ValidationError as err:
            problems += _explain(path, raw, err)
            continue
        questions += [(path, q) for q in parsed.questions]

    if info is not None:
        problems += _cross_check(info, questions)
    if problems:
        raise PackError(problems)
    assert info is not None
    ordered = tuple(q for _, q in questions)
    return Pack(info=info, questions=ordered, path=folder, by_id={q.id: q for q in ordered})


def load_packs(roots: Iterable[Path]) -> dict[str, Pack]:
    """Every pack under the given content folders; a folder may also be a pack itself."""
    packs: dict[str, Pack] = {}
    problems: list[str] = []
    for root in roots:
        folders = [root] if (root / PACK_FILE).exists() else sorted(root.glob(f"*/{PACK_FILE}"))
        for item in folders:
            folder = item if item.is_dir() else item.parent
            try:
                pack = load_pack(folder)
            except PackError as err:
                problems += err.problems
                continue
            if pack.id in packs:
                problems.append(
                    f"{folder}: pack id {pack.id!r} is already used by {packs[pack.id].path}"
                )
                continue
            packs[pack.id] = pack
    if problems:
        raise PackError(problems)
    return packs


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(err, "problem", None) or str(err)
        problems.append(f"{path}:{where}: not valid YAML: {reason}")
        return None
    except (OSError, UnicodeDecodeError) as err:
        problems.append(f"{path}: cannot read: {err}")
        return None
    if not isinstance(data, dict):
        problems.append(
            f"{path}: expected a mapping at the top (like 'questions:'), found {type(data).__name__}"
        )
        return None
    return data


def _explain(path: Path, raw: dict[str, Any], err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        loc = list(e["loc"])
        entry = ""
        if (
            len(loc) >= 2
            and loc[0] in ("questions", "principles", "phases")
            and isinstance(loc[1], int)
        ):
            items = raw.get(str(loc[0])) or []
            item = items[loc[1]] if loc[1] < len(items) else None
            ident = item.get("id") if isinstance(item, dict) else None
            kind = str(loc[0])[:-1]
            entry = f" {kind} {ident!r}" if ident else f" {kind} #{loc[1] + 1}"
            loc = loc[2:]
        field_name = _dotted(loc) or "(entry)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        out.append(f"{path}:{entry} field '{field_name}': {msg}")
    return out


def _dotted(loc: list[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _cross_check(info: PackInfo, questions: list[tuple[Path, Question]]) -> list[str]:
    problems: list[str] = []
    principle_ids = {p.id for p in info.principles}
    phase_ids = {p.id for p in info.phases}
    for name, ids in (
        ("principle", [p.id for p in info.principles]),
        ("phase", [p.id for p in info.phases]),
    ):
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{PACK_FILE}: {name} {dup!r}: field 'id': used more than once")
    for phase in info.phases:
        if phase.days_before_min > phase.days_before_max:
            problems.append(
                f"{PACK_FILE}: phase {phase.id!r}: field 'days_before_min': "
                f"{phase.days_before_min} is after days_before_max {phase.days_before_max}"
            )
    seen: dict[str, Path] = {}
    for path, q in questions:
        if q.id in seen:
            problems.append(
                f"{path}: question {q.id!r}: field 'id': duplicate, also in {seen[q.id].name}"
            )
        seen.setdefault(q.id, path)
        for p in q.principles:
            if p not in principle_ids:
                problems.append(
                    f"{path}: question {q.id!r}: field 'principles': unknown principle {p!r}"
                    f" (known: {', '.join(sorted(principle_ids)) or 'none'})"
                )
        for ph in q.phases:
            if ph not in phase_ids:
                problems.append(
                    f"{path}: question {q.id!r}: field 'phases': unknown phase {ph!r}"
                    f" (known: {', '.join(sorted(phase_ids))})"
                )
        if q.kind == Kind.behavioral and not q.principles:
            problems.append(
                f"{path}: question {q.id!r}: field 'principles': a behavioral question needs one"
            )
    return problems
