# The desk in a container: `docker compose up -d` (see compose.yaml and the README).
#
# BASE_IMAGE: any Debian-like image with python3 (3.11+) and its venv module. PIP_ARGS: extra
# pip options, e.g. `--no-index --find-links=/src` to install wheels put in `.wheels/` of the
# build context, where the build cannot reach the package index (scripts/docker_smoke.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG PIP_ARGS=
# MPLCONFIGDIR: matplotlib's cache for the digest's chart, on the /tmp that compose mounts
# (the root file system is read-only there)
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/desk/bin:$PATH \
    DATABASE_PATH=/data/desk.db \
    MPLCONFIGDIR=/tmp/matplotlib

# Every package at the version and with the hashes of requirements.lock (scripts/lock.sh),
# setuptools included: the desk itself is built without fetching anything unpinned.
# .wheel[s]: the folder is optional; its wheels, if any, land in /src
COPY requirements.lock .wheel[s] /src/
RUN python3 -m venv /opt/desk \
    && /opt/desk/bin/pip install --no-cache-dir --require-hashes ${PIP_ARGS} \
        -r /src/requirements.lock
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY storage /src/storage
# /data 0700: a new volume takes the mode and owner of the folder it is mounted on
RUN /opt/desk/bin/pip install --no-cache-dir --no-deps --no-build-isolation ${PIP_ARGS} /src \
    && rm -rf /src \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin desk \
    && mkdir -p /data && chown desk:desk /data && chmod 0700 /data

USER desk
WORKDIR /data
VOLUME /data
STOPSIGNAL SIGTERM
# the same rule as /healthz, read from the database alone: no HTTP port needed
HEALTHCHECK --interval=60s --timeout=10s --start-period=3m --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
