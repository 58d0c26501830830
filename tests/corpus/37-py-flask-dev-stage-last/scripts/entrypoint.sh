#!/usr/bin/env bash
set -e

# Arguments that start with "-" are options for gunicorn.
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- gunicorn "$@"
fi

exec "$@"
