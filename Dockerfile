# The desk in a container: `docker compose up -d` (see compose.yaml and the README).
#
# BASE_IMAGE: any Debian-like image with python3 (3.11+) and its venv module. PIP_ARGS: extra
# pip options, e.g. `--no-index --find-links=/src` to install wheels put in `.wheels/` of the
# build context, where the build cannot reach the package index (scripts/docker_smoke.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG PIP_ARGS=
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/desk/bin:$PATH \
    DATABASE_PATH=/data/desk.db

# .wheel[s]: the folder is optional; its wheels, if any, land in /src
COPY pyproject.toml README.md .wheel[s] /src/
COPY bot /src/bot
COPY storage /src/storage
RUN python3 -m venv /opt/desk \
    && /opt/desk/bin/pip install --no-cache-dir ${PIP_ARGS} /src \
    && rm -rf /src \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin desk \
    && mkdir -p /data && chown desk:desk /data

USER desk
WORKDIR /data
VOLUME /data
STOPSIGNAL SIGTERM
# the same rule as /healthz, read from the database alone: no HTTP port needed
HEALTHCHECK --interval=60s --timeout=10s --start-period=3m --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
