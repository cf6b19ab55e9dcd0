#!/usr/bin/env bash
# Starts the demo: a CRM backend-for-frontend (www/server.mjs) with its own SQLite database, on the
# embedded simulator. Does its own setup and build, whose output goes to stderr: stdout gets one
# line, `demo ready: http://127.0.0.1:PORT/`, once the demo is up. PORT (default 8080; 0 picks a
# free one) picks the port; FLEXPERTO_API_KEY with FLEXPERTO_TENANT and FLEXPERTO_ENVIRONMENT (or
# FLEXPERTO_BASE_URL) use a real tenant instead (the simulator panel is then hidden).
set -euo pipefail
cd "$(dirname "$0")/.."
FLEXPERTO_SKIP_BROWSER=1 bash scripts/setup.sh >&2
bash scripts/build.sh >&2
bash scripts/install-pkg.sh >&2
exec node www/server.mjs
