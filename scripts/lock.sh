#!/usr/bin/env bash
# The one command that updates the lock files from pyproject.toml (after `pip install -e '.[dev]'`):
#   scripts/lock.sh              after a change to pyproject.toml; other pins stay
#   scripts/lock.sh --upgrade    every pin to the newest version its range admits
# requirements-test.lock: the desk, its build backend and the test extra (CI, development).
# requirements.lock: the same versions without the test extra (the Docker image, a service),
# constrained by the first, so both come from one resolution. Both are for CPython 3.11 on
# Linux (x86_64 and aarch64) and carry the hashes of every file of each version.
set -euo pipefail
cd "$(dirname "$0")/.."

# setuptools builds the desk itself (pip install --no-build-isolation): pinned and hashed too
build=$(python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")')
common=(--quiet --generate-hashes --python-version 3.11 --python-platform linux
  --custom-compile-command scripts/lock.sh)
uv pip compile "${common[@]}" "$@" --extra test -o requirements-test.lock pyproject.toml - <<<"$build"
uv pip compile "${common[@]}" -c requirements-test.lock -o requirements.lock pyproject.toml - <<<"$build"
