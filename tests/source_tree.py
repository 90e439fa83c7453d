"""The repository's Python files read as syntax trees, for the tests that keep its shape.

Nothing here imports the desk: the rules are checked on the source, so a module that cannot
even be imported is still held to them, and all the checks take about a second.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The top-level packages of the repository: an import of one of these is an import of ours.
OURS = frozenset({"bot", "storage", "scripts", "bench", "tests"})
#: Folders that hold no source of ours: build output, caches, virtual environments.
_NOT_SOURCE = frozenset({"__pycache__", "build", "dist", "node_modules"})


@dataclass(frozen=True)
class Source:
    """One Python file of the repository."""

    path: Path

    @property
    def name(self) -> str:
        """The path from the repository's root, as failure messages show it."""
        return self.path.relative_to(ROOT).as_posix()

    @property
    def module(self) -> str:
        parts = self.path.relative_to(ROOT).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    @property
    def nodes(self) -> tuple[ast.AST, ...]:
        """Every node of the tree, walked once for all the rules."""
        return _walk(self.path)

    def lines(self) -> int:
        """Counted as `wc -l` counts them, like the hook that checks a change."""
        return self.path.read_bytes().count(b"\n")


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), filename=str(path))


@cache
def _walk(path: Path) -> tuple[ast.AST, ...]:
    return tuple(ast.walk(_parse(path)))


def sources(*folders: str) -> list[Source]:
    """Every .py file under `folders` (all of the repository without any), sorted."""
    found = sorted(
        path
        for top in [ROOT / folder for folder in folders] or [ROOT]
        for path in _python_files(top)
    )
    assert found, f"no Python files under {folders}: the rules would hold vacuously"
    return [Source(path) for path in found]


def _python_files(folder: Path) -> Iterator[Path]:
    for entry in folder.iterdir():
        if entry.is_dir():
            if not _skipped(entry):
                yield from _python_files(entry)
        elif entry.suffix == ".py":
            yield entry


def _skipped(folder: Path) -> bool:
    name = folder.name
    return (
        name.startswith(".")
        or name in _NOT_SOURCE
        or name.endswith(".egg-info")
        or (folder / "pyvenv.cfg").exists()
    )


@cache
def is_module(dotted: str) -> bool:
    """Whether `dotted` names a module or package of the repository."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def is_ours(dotted: str) -> bool:
    return dotted.split(".")[0] in OURS


def within(module: str, packages: frozenset[str] | set[str]) -> bool:
    """Whether `module` is one of `packages` or inside one of them."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True)
class Import:
    """One name an import statement binds: `import a.b` or `from a import b`."""

    line: int
    module: str  # `a.b`, or `a` of `from a import b`, relative imports resolved
    name: str | None  # `b` of `from a import b`; None for `import a.b`
    lazy: bool  # inside a function: run when it is called, not when the module loads
    alias: str | None = None  # `c` of `import a.b as c` or `from a import b as c`

    @property
    def local(self) -> str:
        """The name the import binds in the importing module."""
        if self.alias:
            return self.alias
        return self.name if self.name is not None else self.module.split(".")[0]

    @property
    def submodule(self) -> str | None:
        """`a.b` for `from a import b` when b is a module of ours; None otherwise."""
        if self.name is None or not is_module(f"{self.module}.{self.name}"):
            return None
        return f"{self.module}.{self.name}"

    @property
    def target(self) -> str:
        """The module this loads."""
        return self.submodule or self.module

    @property
    def bound(self) -> str | None:
        """The module `local` names; None when it names something a module defines."""
        if self.name is None:
            return self.module if self.alias else self.module.split(".")[0]
        return self.submodule


def imports(source: Source) -> list[Import]:
    """Every import of `source`, at module level or inside functions."""
    return _imports(source.path)


@cache
def _imports(path: Path) -> list[Import]:
    source = Source(path)
    found: list[Import] = []
    for node, lazy in statements(source):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(node, source)
            found += [Import(node.lineno, module, a.name, lazy, a.asname) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [Import(node.lineno, a.name, None, lazy, a.asname) for a in node.names]
    return found


def statements(source: Source) -> list[tuple[ast.stmt, bool]]:
    """Every statement of `source` in order, and whether it is inside a function; cheaper
    than walking every expression, for the rules about imports and functions."""
    return _statements(source.path)


@cache
def _statements(path: Path) -> list[tuple[ast.stmt, bool]]:
    found: list[tuple[ast.stmt, bool]] = []
    _collect(_parse(path).body, False, found)
    return found


def _collect(body: list[ast.stmt], lazy: bool, found: list[tuple[ast.stmt, bool]]) -> None:
    for node in body:
        found.append((node, lazy))
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        parts = [*getattr(node, "handlers", ()), *getattr(node, "cases", ())]  # try, match
        blocks = [getattr(node, field, []) for field in ("body", "orelse", "finalbody")]
        blocks += [part.body for part in parts]
        for block in blocks:
            _collect(block, inner, found)


def _absolute(node: ast.ImportFrom, source: Source) -> str:
    if not node.level:
        return node.module or ""
    package = source.module.split(".")
    if source.path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def functions(source: Source) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node
        for node, _ in statements(source)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def length(node: ast.stmt) -> int:
    """Lines from a definition's `def` to its last line, docstring included."""
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def cases(files: list[Source], known: dict[str, str] | None = None) -> list:
    """Parameters of a rule's test: the files that keep it, then one strict xfail for each
    file `known` to break it today (the value says where and why). A known file that keeps
    the rule after all, or no longer exists, fails the run: take it off the list."""
    known = known or {}
    by_name = {source.name: source for source in files}
    keep = [source for source in files if source.name not in known]
    params = [pytest.param(keep, id="the-rest")]
    for name, reason in sorted(known.items()):
        broken = [by_name[name]] if name in by_name else []
        reason = f"{reason} [once mended, take {name} off this rule's known offenders]"
        strict = pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
        params.append(pytest.param(broken, id=name, marks=strict))
    return params


def report(rule: str, broken: list[str]) -> str:
    """A rule's failure: what it asks and what to do, then one `file:line` per breach."""
    return f"{rule}:\n" + "\n".join(f"  {line}" for line in broken)
