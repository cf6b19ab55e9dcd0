#!/usr/bin/env bash
# Starts the demo: a CRM backend-for-frontend (www/server.mjs) on the embedded simulator.
# Does its own setup and build. PORT (default 8080) picks the port; FLEXPERTO_API_KEY with
# FLEXPERTO_TENANT and FLEXPERTO_ENVIRONMENT (or FLEXPERTO_BASE_URL) use a real tenant instead.
set -euo pipefail
cd "$(dirname "$0")/.."
FLEXPERTO_SKIP_BROWSER=1 bash scripts/setup.sh
bash scripts/build.sh
bash scripts/install-pkg.sh
exec node www/server.mjs
