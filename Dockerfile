FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY causegraph causegraph
COPY ingest ingest
COPY graph graph
COPY cypher cypher
COPY correlate correlate
COPY api api
RUN pip install --no-cache-dir .
USER 65534
ENTRYPOINT ["causegraph"]
