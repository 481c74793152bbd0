# recbot: the Slack bot for Tencent Cloud CSS recording tasks.
#   docker build -t recbot .
#   docker run --env-file recbot.env -p 3000:3000 recbot          # recbot serve (HTTP mode)
#   docker run --env-file recbot.env recbot recbot doctor          # check the configuration
# Configuration is by environment variables only (README: Configuration).

# The base image is pinned by digest (a python:3.11-slim multi-arch index), so two builds
# start from the same bytes. It is the multi-arch index of python:3.11-slim (3.11.16 on
# Debian trixie, pushed 2026-08-16): the registry was not reachable where this was written,
# so it was cross-checked against public projects that record the same tag and digest. Move
# to a newer 3.11-slim (security fixes) by looking the digest up and replacing it in both
# FROM lines:
#   docker buildx imagetools inspect python:3.11-slim --format '{{json .Manifest.Digest}}'
# Runtime dependencies come from requirements.lock (uv pip compile, with hashes; see
# docs/slack-native.md, "Reproducible image"), never resolved at build time.

# ---- build: install the locked dependencies, then the project, into a venv ---------------
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS build

# tests/ops/test_container.py runs these RUN lines verbatim with VENV pointing at a temp dir.
ARG VENV=/opt/recbot
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when requirements.lock changes,
# not on every change to bot/. --require-hashes: exactly the locked files, or the build fails.
COPY requirements.lock ./
RUN python -m venv "$VENV" \
    && "$VENV/bin/pip" install --no-cache-dir --no-compile --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot

# The project itself (non-editable, no dependency resolution: they are all installed above);
# then every module is compiled to bytecode once, here, instead of at each start.
RUN "$VENV/bin/pip" install --no-cache-dir --no-compile --no-deps . \
    && "$VENV/bin/python" -m compileall -q -j 0 "$VENV/lib"

# ---- runtime: the venv on a clean slim image, as an unprivileged user --------------------
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7 AS runtime

RUN groupadd --system --gid 10001 recbot \
    && useradd --system --uid 10001 --gid recbot --home-dir /var/lib/recbot --create-home \
       --shell /usr/sbin/nologin recbot

COPY --from=build /opt/recbot /opt/recbot

# Bytecode was compiled at build time; the image never writes any at run time.
ENV PATH="/opt/recbot/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    RECBOT_LOG_FORMAT=json \
    RECBOT_DATABASE_URL=sqlite:////var/lib/recbot/recbot.sqlite3

WORKDIR /var/lib/recbot
USER 10001:10001
EXPOSE 3000
VOLUME ["/var/lib/recbot"]

# HTTP mode: /healthz answers 200 once the bot is ready. Socket Mode serves no port; there
# the check passes while the process runs (the container stops when it exits).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; os.environ.get('SLACK_APP_TOKEN') or urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["recbot", "serve"]
