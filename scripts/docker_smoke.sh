#!/usr/bin/env bash
# Docker smoke test, for a maintainer: minutes long, so not in the default suite.
# Builds the image (on BASE_IMAGE, or on a Debian base made here with debootstrap when
# Docker Hub cannot be reached: from debootstrap's default mirror, or DEBIAN_MIRROR), then
# runs scripts/docker_journey.py: start against the fakes as compose.yaml runs it (read-only,
# no capabilities), health, a decision from tap to outcome, private files, the chart, a
# clean stop; it removes the container and its volume. Needs a running dockerd, debootstrap
# (for the local base) and the project's test venv active.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  base=desk-base:bookworm
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"}
    tar -C "$rootfs" -c . | docker import - "$base"
    rm -rf "$rootfs"
  fi
fi

# the image may not reach the package index: every wheel of requirements.lock, checked
# against its hashes, for the base's CPython 3.11
trap 'rm -rf .wheels' EXIT
rm -rf .wheels
python -m pip download --quiet --require-hashes --only-binary=:all: --python-version 3.11 \
  -d .wheels -r requirements.lock
docker build --quiet --build-arg BASE_IMAGE="$base" \
  --build-arg PIP_ARGS="--no-index --find-links=/src" -t cancellation-desk:smoke .
python scripts/docker_journey.py cancellation-desk:smoke
