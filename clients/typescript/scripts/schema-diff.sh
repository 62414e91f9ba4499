#!/usr/bin/env bash
# Prints what changed in the GraphQL schema since a base commit (default
# HEAD~1; set SCHEMA_BASE to compare with another, e.g. origin/main), as
# graphql-inspector sees it: breaking, dangerous and safe changes, including
# new deprecations. A report only: it never fails on changes.
set -euo pipefail
cd "$(dirname "$0")/.."

root="$(git rev-parse --show-toplevel)"
schema="$root/schema.graphql"
base="${SCHEMA_BASE:-HEAD~1}"

echo "schema diff: ${base}:schema.graphql -> working tree schema.graphql"
if ! git -C "$root" rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  echo "schema diff: skipped (no commit ${base}: this is the first commit, or the clone is shallow)"
  exit 0
fi
old="$(mktemp --suffix=.graphql)"
trap 'rm -f "$old"' EXIT
if ! git -C "$root" show "${base}:schema.graphql" >"$old" 2>/dev/null; then
  echo "schema diff: skipped (schema.graphql did not exist at ${base})"
  exit 0
fi
if cmp -s "$old" "$schema"; then
  echo "schema diff: no changes since ${base}"
else
  status=0
  npx --no-install graphql-inspector diff "$old" "$schema" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "schema diff: graphql-inspector exited ${status} (breaking changes, or schemas it could not read; see above)."
    echo "schema diff: report only; see docs/clients.md for the deprecation policy"
  fi
fi

deprecated="$(grep -c '@deprecated' "$schema" || true)"
echo "schema diff: ${deprecated} @deprecated element(s) in the current schema"
if [ "$deprecated" -gt 0 ]; then
  grep -n -B1 '@deprecated' "$schema" | sed 's/^/  /'
fi
