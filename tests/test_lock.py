"""The lock files install what pyproject.toml asks for, each file checked by its hash.

requirements.lock is what the Docker image and a service install, requirements-test.lock
what CI installs (both made by scripts/lock.sh); `pip install --require-hashes` refuses a
file whose hash is not listed, so a swapped package on the index cannot slip in.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
RUNTIME, TEST = ROOT / "requirements.lock", ROOT / "requirements-test.lock"
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes); fails on any line that is not a hashed pin."""
    text = re.sub(r"\\\n", " ", lock.read_text())
    found: dict[str, tuple[Version, int]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        first, *rest = line.split()
        requirement = Requirement(first)
        [spec] = requirement.specifier
        assert spec.operator == "==", f"{lock.name}: {first} is not pinned"
        assert rest and all(HASH.fullmatch(part) for part in rest), f"{lock.name}: {line}"
        found[canonicalize_name(requirement.name)] = (Version(spec.version), len(rest))
    return found


def declared(*extras: str) -> list[Requirement]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = config["project"]["dependencies"] + config["build-system"]["requires"]
    for extra in extras:
        wanted += config["project"]["optional-dependencies"][extra]
    return [Requirement(line) for line in wanted]


@pytest.mark.parametrize(("lock", "extras"), [(RUNTIME, ()), (TEST, ("test",))])
def test_every_declared_dependency_is_pinned_in_its_range_with_hashes(lock, extras):
    pinned = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock.name} does not pin {requirement}"
        version, hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside {requirement}"
        )
        assert hashes >= 1


def test_the_runtime_lock_is_the_test_locks_versions_without_the_test_tools():
    runtime, test = pins(RUNTIME), pins(TEST)
    assert {name: version for name, (version, _) in runtime.items()} == {
        name: test[name][0] for name in runtime
    }
    names = [{canonicalize_name(r.name) for r in declared(*extras)} for extras in [("test",), ()]]
    tools = names[0] - names[1] - {"packaging"}  # packaging: matplotlib's as well
    assert not tools & set(runtime), "the Docker image would carry test tools"
