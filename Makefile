# The README's two commands: `make demo` and `make test`. Each creates .venv when it is missing, with a
# Python >= 3.12 found by scripts/find-python.sh (override: make test PYTHON=/path/to/python3.12).
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LINT    := tools/cypher-lint/node_modules/.installed

.PHONY: demo test lint typecheck cypher-lint unit bench clean neo4j neo4j-stop

$(BIN)/python:
	@py=$$(scripts/find-python.sh) || exit 1; \
	echo "creating $(VENV) with $$py"; \
	$$py -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

$(LINT): tools/cypher-lint/package.json tools/cypher-lint/package-lock.json
	cd tools/cypher-lint && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: $(STAMP)
	$(BIN)/causegraph demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

cypher-lint: $(LINT)
	node tools/cypher-lint/lint.mjs cypher/*.cypher

test: $(STAMP) $(LINT)
	scripts/ensure-chromium.sh
	scripts/ensure-alertmanager.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	node tools/cypher-lint/lint.mjs cypher/*.cypher
	$(BIN)/pytest

# A local Neo4j 5 Community on loopback (Java 17+ and Maven); prints `bolt://127.0.0.1:PORT neo4j PASSWORD`.
neo4j:
	scripts/neo4j-local.sh start .causegraph/neo4j

neo4j-stop:
	scripts/neo4j-local.sh stop .causegraph/neo4j

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	-scripts/neo4j-local.sh stop .causegraph/neo4j
	rm -rf $(VENV) tools/cypher-lint/node_modules tools/neo4j/target .causegraph
