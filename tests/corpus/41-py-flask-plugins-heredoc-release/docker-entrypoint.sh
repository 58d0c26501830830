#!/bin/bash
set -euo pipefail

WORKERS=${WORKERS:-1}
ACCESS_LOG=${ACCESS_LOG:--}
ERROR_LOG=${ERROR_LOG:--}
WORKER_TEMP_DIR=${WORKER_TEMP_DIR:-/dev/shm}
SECRET_KEY=${SECRET_KEY:-}

# Several workers must share one key: refuse to start without it.
if [ ! -f .scoreboard_secret_key ] && [ -z "$SECRET_KEY" ]; then
    if [ "$WORKERS" -gt 1 ]; then
        echo "[ ERROR ] Set SECRET_KEY or create .scoreboard_secret_key to use more than 1 worker."
        exit 1
    fi
fi

# Create or upgrade the database
python manage.py db upgrade

echo "Starting scoreboard"
exec gunicorn 'scoreboard:create_app()' \
    --bind '0.0.0.0:8000' \
    --workers "$WORKERS" \
    --worker-tmp-dir "$WORKER_TEMP_DIR" \
    --access-logfile "$ACCESS_LOG" \
    --error-logfile "$ERROR_LOG"
