#!/usr/bin/env bash
# Install the project with its test tools into .venv, then lint and run the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# buf lints the protos (tests/test_contract.py); it comes from the npm registry.
if ! command -v buf >/dev/null && [ ! -x .tools/node_modules/.bin/buf ]; then
  mkdir -p .tools
  (cd .tools && [ -f package.json ] || echo '{"private": true}' > package.json
   npm install --silent --no-audit --no-fund @bufbuild/buf@1.75.0)
fi

.venv/bin/ruff check .          # includes C901: no function over complexity 12
.venv/bin/mypy                   # the packages listed in pyproject.toml [tool.mypy]
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
# Two workers: most tests wait on PostgreSQL and gRPC, so two keep a 2-core machine busy
# (RELOCATE_TEST_WORKERS=0 runs them in this process, as plain pytest does).
.venv/bin/python -m pytest -n "${RELOCATE_TEST_WORKERS:-2}" "$@"
