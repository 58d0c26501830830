#!/bin/sh
set -eu

# For each name below, NAME_FILE=/run/secrets/x fills NAME from that file.
for name in SESSION_SECRET API_TOKEN; do
  file_var="${name}_FILE"
  eval "file_path=\${$file_var:-}"
  if [ -n "$file_path" ]; then
    if [ ! -r "$file_path" ]; then
      echo "docker-entrypoint: cannot read $file_path for $name" >&2
      exit 1
    fi
    export "$name=$(cat "$file_path")"
    unset "$file_var"
  fi
done

exec "$@"
