"""Who may import whom: the layering of the desk, read from the source (nothing imported).

A rule a file breaks today is a strict xfail naming it; once the file is mended the run
fails until its entry is taken off, so a rule never quietly stops holding.
"""

from __future__ import annotations

import ast

import pytest

from tests.source_tree import (
    Import,
    Source,
    cases,
    imports,
    is_module,
    is_ours,
    private,
    report,
    sources,
    within,
)

#: The desk's domain: its records, enums and pure rules. storage/ may import these and no
#: other module of bot/, and they import nothing of the desk outside this set.
DOMAIN = frozenset({"bot.domain"})
#: The rehearsal and the simulated Market it runs on: never needed by the real desk.
DEMO = frozenset({"bot.demo", "bot.simulator"})
#: The one module that may load the demo, and only lazily, for the `demo` command.
DEMO_COMMAND = "bot/__main__.py"

PRODUCTION = [source for source in sources("bot", "storage") if not within(source.module, DEMO)]
DOMAIN_SOURCES = [source for source in sources("bot") if within(source.module, DOMAIN)]


@pytest.mark.parametrize("files", cases(sources("storage")))
def test_storage_imports_only_the_domain_of_bot(files: list[Source]) -> None:
    broken = [
        f"{source.name}:{found.line}: imports {found.target}"
        for source in files
        for found in imports(source)
        if found.target.split(".")[0] == "bot" and not within(found.target, DOMAIN)
    ]
    assert not broken, report(
        "storage/ may import only the domain of bot/ "
        f"({', '.join(sorted(DOMAIN))}): pass what else it needs in as domain values, "
        "or move the record or rule it needs into the domain",
        broken,
    )


def test_the_domain_is_where_the_rules_say() -> None:
    missing = sorted(module for module in DOMAIN if not is_module(module))
    assert not missing, (
        f"DOMAIN names modules that do not exist: {missing}; after a move, update DOMAIN in "
        "tests/test_layering.py (or the storage and domain rules check nothing there)"
    )


@pytest.mark.parametrize("files", cases(DOMAIN_SOURCES))
def test_the_domain_imports_nothing_else_of_the_desk(files: list[Source]) -> None:
    broken = [
        f"{source.name}:{found.line}: imports {found.target}"
        for source in files
        for found in imports(source)
        if is_ours(found.target) and not within(found.target, DOMAIN)
    ]
    assert not broken, report(
        "the domain must stay pure (records, enums, rules): it may import only itself; "
        "move the dependency out, or pass its value in",
        broken,
    )


def _loads_the_demo(source: Source, found: Import) -> bool:
    if not within(found.target, DEMO):
        return False
    return not (source.name == DEMO_COMMAND and found.lazy)


@pytest.mark.parametrize("files", cases(PRODUCTION))
def test_the_production_code_does_not_import_the_demo(files: list[Source]) -> None:
    broken = [
        f"{source.name}:{found.line}: imports {found.target}"
        for source in files
        for found in imports(source)
        if _loads_the_demo(source, found)
    ]
    assert not broken, report(
        f"only the demo itself ({', '.join(sorted(DEMO))}) and a lazy import in "
        f"{DEMO_COMMAND} for the `demo` command may load the demo: let the demo pass what "
        "it needs in (as it passes its Bot), or move the shared piece out of the demo",
        broken,
    )


def _module_names(source: Source) -> dict[str, str]:
    """The local names `source` binds to modules of ours, and the module each one is."""
    names = {found.local: found.bound for found in imports(source)}
    return {name: module for name, module in names.items() if module and is_ours(module)}


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _private_uses(source: Source) -> list[str]:
    uses = [
        f"{source.name}:{found.line}: from {found.module} import {found.name}"
        for found in imports(source)
        if found.name and private(found.name) and is_ours(found.module)
    ]
    modules = _module_names(source)
    for node in source.nodes if modules else ():
        if isinstance(node, ast.Attribute) and private(node.attr):
            owner = _dotted(node.value)
            head, _, rest = (owner or "").partition(".")
            if head in modules:
                module = ".".join(filter(None, [modules[head], rest]))
                uses.append(f"{source.name}:{node.lineno}: {module}.{node.attr}")
    return uses


@pytest.mark.parametrize("files", cases(sources()))
def test_no_module_uses_another_modules_private_names(files: list[Source]) -> None:
    broken = [use for source in files for use in _private_uses(source)]
    assert not broken, report(
        "a name with a leading underscore is its module's own: make it public (and give it "
        "a docstring), or move what needs it into that module",
        broken,
    )
