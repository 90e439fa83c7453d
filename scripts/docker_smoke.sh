#!/usr/bin/env bash
# Docker smoke test, for a maintainer: minutes long, so not in the default suite.
# Builds the image (on BASE_IMAGE, or on a Debian base made here with debootstrap when
# Docker Hub cannot be reached), then runs scripts/docker_journey.py: start against the
# fakes, health, a decision from tap to outcome, a clean stop. Needs a running dockerd,
# debootstrap (for the local base) and the project's test venv active.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  base=desk-base:bookworm
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" http://deb.debian.org/debian
    tar -C "$rootfs" -c . | docker import - "$base"
    rm -rf "$rootfs"
  fi
fi

rm -rf .wheels build
# the image may not reach the package index: the project, its dependencies and its build tools
python -m pip wheel --quiet -w .wheels . "setuptools>=68" wheel
docker build --quiet --build-arg BASE_IMAGE="$base" \
  --build-arg PIP_ARGS="--no-index --find-links=/src" -t cancellation-desk:smoke .
rm -rf .wheels build
python scripts/docker_journey.py cancellation-desk:smoke
