#!/usr/bin/env bash
# The GitHub Action's work (action.yml), as a script a test can run:
# `rewrite --check --format markdown` into a report, `analyze --format
# sarif` into a SARIF file, and their paths and the drift verdict written to
# $GITHUB_OUTPUT. Exit 1 from --check is drift, not a failure of this step
# (the action fails the job later when asked to); exit 2 is an error and
# stops here.
#
# Inputs (environment): DOCKSLIM (the binary, default `dockslim`),
# PATH_INPUT (the repository folder, default .), ARGS_INPUT (extra
# arguments, split on spaces), RUNNER_TEMP (where the files go, default
# a temporary folder), GITHUB_OUTPUT (default: standard output).
set -euo pipefail

dockslim=${DOCKSLIM:-dockslim}
repo=${PATH_INPUT:-.}
out_dir=${RUNNER_TEMP:-$(mktemp -d)}
output=${GITHUB_OUTPUT:-/dev/stdout}
read -r -a extra <<<"${ARGS_INPUT:-}"

report="$out_dir/dockslim.md"
sarif="$out_dir/dockslim.sarif"

status=0
"$dockslim" rewrite "$repo" --check --format markdown "${extra[@]}" >"$report" || status=$?
if [ "$status" -gt 1 ]; then
    echo "dockslim rewrite --check stopped with exit $status" >&2
    exit "$status"
fi
"$dockslim" analyze "$repo" --format sarif "${extra[@]}" >"$sarif"

{
    echo "report=$report"
    echo "sarif=$sarif"
    if [ "$status" -eq 1 ]; then echo "drift=true"; else echo "drift=false"; fi
} >>"$output"
