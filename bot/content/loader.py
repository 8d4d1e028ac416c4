"""Loading and validating a pack folder, with errors that name the file, entry and field."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.schema import Kind, PackInfo, Phase, Principle, Question, QuestionFile

log = logging.getLogger(__name__)

PACK_FILE = "pack.yaml"
# The built-in packs ship inside the package under this name (content/ in a checkout).
BUILTIN_PACKAGE = "studybot_packs"
# libyaml's loader when PyYAML was built with it: packs load several times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        questions += _questions(path, raw, problems)

    if info is not None:
        problems += _cross_check(info, questions)
    if problems:
        raise PackError(problems)
    assert info is not None
    ordered = tuple(q for _, q in questions)
    return Pack(info=info, questions=ordered, path=folder, by_id={q.id: q for q in ordered})


def builtin_root() -> Path | None:
    """The folder of the built-in packs, wherever the package is installed (None when the
    package is missing, e.g. a bare copy of the source without content/)."""
    try:
        root = resources.files(BUILTIN_PACKAGE)
    except ModuleNotFoundError:
        return None
    # An installed wheel or an editable checkout is a folder on disk; packs are read as files.
    return Path(str(root)) if Path(str(root)).is_dir() else None


def load_packs(roots: Iterable[Path]) -> dict[str, Pack]:
    """Every pack under the given content folders; a folder may also be a pack itself.

    Two packs with one id in the same root are an error; a later root's pack replaces an
    earlier root's one of the same id, with a warning (an organiser's newer copy of a
    built-in pack, say)."""
    packs: dict[str, Pack] = {}
    problems: list[str] = []
    for root in roots:
        seen_here: set[str] = set()
        folders = [root] if (root / PACK_FILE).exists() else sorted(root.glob(f"*/{PACK_FILE}"))
        for item in folders:
            folder = item if item.is_dir() else item.parent
            try:
                pack = load_pack(folder)
            except PackError as err:
                problems += err.problems
                continue
            if pack.id in seen_here:
                problems.append(
                    f"{folder}: pack id {pack.id!r} is already used by {packs[pack.id].path}"
                )
                continue
            if pack.id in packs:
                log.warning(
                    "pack %r from %s replaces the one from %s",
                    pack.id,
                    folder,
                    packs[pack.id].path,
                    extra={"pack": pack.id},
                )
            seen_here.add(pack.id)
            packs[pack.id] = pack
    if problems:
        raise PackError(problems)
    return packs


def _questions(path: Path, raw: dict[str, Any], problems: list[str]) -> list[tuple[Path, Question]]:
    """Each entry validated on its own, so one bad entry does not hide the others' problems."""
    try:
        QuestionFile.model_validate({**raw, "questions": []})
    except ValidationError as err:
        problems += _explain(path, raw, err)
        return []
    entries = raw.get("questions")
    if not isinstance(entries, list):
        problems.append(f"{path}: field 'questions': must be a list of questions")
        return []
    out = []
    for i, entry in enumerate(entries):
        try:
            out.append((path, Question.model_validate(entry)))
        except ValidationError as err:
            problems += _explain(path, raw, err, prefix=("questions", i))
    return out


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
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


def _explain(
    path: Path, raw: dict[str, Any], err: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[str]:
    out = []
    for e in err.errors():
        loc = [*prefix, *e["loc"]]
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
        out.append(f"{path}:{entry}{':' if entry else ''} field '{field_name}': {msg}")
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
