# studybot: the bot and its content packs. Configure with environment variables
# (see .env.example); with no platform tokens it runs the console adapter.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STUDYBOT_DATA=/data

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY adapters ./adapters
# The built-in packs ship inside the package (setup.py maps content/ to studybot_packs).
COPY content ./content
RUN pip install . && useradd --create-home --uid 10001 studybot && mkdir -p /data && chown studybot /data

USER studybot
VOLUME ["/data"]
# Fail the build early if a pack is broken.
RUN studybot content validate
CMD ["studybot", "run"]
