# One image for every role: `relocate serve control|region`, `relocate import ...`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY protos ./protos
COPY silo_engine ./silo_engine
COPY wire ./wire
COPY commands ./commands
COPY tools ./tools
COPY control_service ./control_service
COPY region_service ./region_service
COPY orchestrator ./orchestrator
# /output is where the orchestrator writes findings and reports (a volume in docker-compose.yml);
# made here, owned by the user that runs, so that a new volume starts out writable by it.
RUN pip install --no-cache-dir . && useradd --create-home relocate \
    && mkdir /output && chown relocate /output
USER relocate
ENTRYPOINT ["relocate"]
CMD ["--help"]
