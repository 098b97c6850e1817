#!/usr/bin/env bash
# The web UI in a real browser: monday-sim with a generated account, `roster sync`, a review
# campaign, `roster serve` with one key per role (two admins, for four-eyes approval), then Debian's Chromium driven by
# playwright-core (ui.mjs). Screenshots land in target/ui-screenshots/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/target/debug
WORK=$(mktemp -d /tmp/roster-browser.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

first_url() { # waits for a process's first line with http:// in FILE
  for _ in $(seq 1 200); do
    if grep -qo 'http://[^ ]*' "$1" 2>/dev/null; then grep -o 'http://[^ ]*' "$1" | head -1; return 0; fi
    sleep 0.05
  done
  echo "no URL in $1" >&2; cat "$1" >&2; return 1
}

"$BIN/monday-sim" serve --users 300 --boards 60 --seed 7 --port 0 > "$WORK/sim.out" 2>&1 &
PIDS+=($!)
SIM=$(first_url "$WORK/sim.out")/v2

ADMIN_KEY=browser-admin-key-0123456789abcdef
SECOND_ADMIN_KEY=browser-second-admin-key-0123456789abcdef
REVIEWER_KEY=browser-reviewer-key-0123456789abcdef
REQUESTER_KEY=browser-requester-key-0123456789abcdef
hash() { printf '%s' "$1" | "$BIN/roster" key hash; }
cat > "$WORK/roster.toml" <<TOML
[store]
path = "$WORK/roster.db"

[server]
listen = "127.0.0.1:0"
[[server.api_keys]]
name = "ops"
role = "admin"
$(hash "$ADMIN_KEY")
[[server.api_keys]]
name = "sec"
role = "admin"
$(hash "$SECOND_ADMIN_KEY")
[[server.api_keys]]
name = "rita@acme.test"
role = "reviewer"
$(hash "$REVIEWER_KEY")
[[server.api_keys]]
name = "dana"
role = "requester"
$(hash "$REQUESTER_KEY")

[approval]
require = "removals"

[[sod]]
name = "admins own no boards"
entitlements = ["role:admin:assigned", "board:*:owner"]

[[accounts]]
name = "acme"
api_url = "$SIM"
token_env = "ROSTER_BROWSER_TOKEN"
TOML
export ROSTER_BROWSER_TOKEN=sim-admin-token
R=("$BIN/roster" --config "$WORK/roster.toml")
"${R[@]}" sync >/dev/null
# A second sync after a change: the dashboard shows changes and its chart has two points.
"${R[@]}" invite new.hire@acme-example.com --role member >/dev/null
"${R[@]}" sync >/dev/null
"${R[@]}" review create --name "Q4 board access" --due 2099-12-31 --types board --reviewers named \
  --reviewer rita@acme.test --fallback security@acme.test >/dev/null
"${R[@]}" review launch 1 >/dev/null
"${R[@]}" serve > "$WORK/serve.out" 2> "$WORK/serve.err" &
PIDS+=($!)
BASE=$(first_url "$WORK/serve.out"); BASE=${BASE%/api/v1}

mkdir -p "$ROOT/target/ui-screenshots"
BASE=$BASE ADMIN_KEY=$ADMIN_KEY SECOND_ADMIN_KEY=$SECOND_ADMIN_KEY REVIEWER_KEY=$REVIEWER_KEY REQUESTER_KEY=$REQUESTER_KEY \
  SHOTS=$ROOT/target/ui-screenshots NODE_PATH=$ROOT/.referees/node_modules \
  node "$ROOT/tests/browser/ui.cjs"
