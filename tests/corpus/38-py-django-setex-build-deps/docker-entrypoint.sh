#!/bin/sh
set -e

case "$DATABASE_URL" in
  postgres://*)
    until psql "$DATABASE_URL" -c '\q' 2>/dev/null; do
      >&2 echo "Postgres is unavailable - sleeping"
      sleep 1
    done
    >&2 echo "Postgres is up - continuing"
    ;;
esac

if [ "$1" = '/venv/bin/gunicorn' ]; then
    /venv/bin/python manage.py migrate --noinput
    chown -R 1000:2000 /code/data
fi

exec "$@"
