#!/usr/bin/env bash
# Property-based testing of a running Switchboard with schemathesis: the served $metadata is
# rendered to OpenAPI by OASIS odata-openapi, and every entity set and operation in it is
# called with examples and generated data (fixed seed). Fails on any 5xx outside the
# deliberate fault samples, any dropped connection, and any error without the OData error
# JSON (checks in tests/schemathesis/switchboard_checks.py).
# The test suite runs it with 25 cases per operation; before a release run more, e.g.
#   scripts/schemathesis.sh http://127.0.0.1:5555 "$TOKEN" 500 examples,coverage,fuzzing,stateful
# Usage: scripts/schemathesis.sh BASE_URL TOKEN [CASES_PER_OPERATION] [PHASES] [SEED]
# Installs into $CLIENTS_BUILD (default /tmp/clients-build): a Python venv with schemathesis
# and the npm package odata-openapi, once.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 BASE_URL TOKEN [CASES] [PHASES] [SEED]" >&2; exit 2; }
base="${1%/}"; token="$2"; cases="${3:-25}"; phases="${4:-examples,fuzzing}"; seed="${5:-42}"
SCHEMATHESIS_VER=4.32.5
ODATA_OPENAPI_VER=0.29.0
build="${CLIENTS_BUILD:-/tmp/clients-build}"

venv="$build/py/schemathesis-$SCHEMATHESIS_VER"
if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VER"
fi
npm_dir="$build/odata-openapi-$ODATA_OPENAPI_VER"
if [ ! -f "$npm_dir/node_modules/odata-openapi/lib/cli.js" ]; then
  mkdir -p "$npm_dir"
  (cd "$npm_dir" && npm init -y >/dev/null 2>&1 \
    && npm install --no-audit --no-fund --loglevel=error "odata-openapi@$ODATA_OPENAPI_VER" >&2)
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
curl -sS -f -H "Authorization: Bearer $token" -H 'Accept: application/xml' \
  -o "$work/metadata.xml" "$base/api/data/v9.2/\$metadata"
node "$npm_dir/node_modules/odata-openapi/lib/cli.js" -p -o 3.0.2 --basePath /api/data/v9.2 \
  --scheme http --host localhost -t "$work/openapi.json" "$work/metadata.xml" >&2

# Run from the scratch folder: schemathesis keeps a cache in its working directory.
cd "$work"
PYTHONPATH="$here/tests/schemathesis" SCHEMATHESIS_HOOKS=switchboard_checks \
  "$venv/bin/schemathesis" run "$work/openapi.json" \
  --url "$base/api/data/v9.2" -H "Authorization: Bearer $token" \
  --phases "$phases" --max-examples "$cases" --seed "$seed" --workers 2 \
  --checks no_server_error,odata_error_body --request-timeout 30 \
  --generation-database none --no-color
