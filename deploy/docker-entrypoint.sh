#!/bin/sh
# Entrypoint of every service image (deploy/Dockerfile): optional migration, then the service.
#
#   docker run IMAGE                      -> crm-$SERVICE serve --host 0.0.0.0 (all roles)
#   docker run IMAGE --role consumers     -> crm-$SERVICE serve --host 0.0.0.0 --role consumers
#   docker run IMAGE migrate|dlq ...|asyncapi|revision ...  -> that subcommand, as is
#
# MIGRATE_ON_START=1 applies the Alembic chain first; migrations hold a PostgreSQL advisory lock, so
# several containers starting at once are safe.
set -eu

: "${SERVICE:?SERVICE is not set (the image is built with --build-arg SERVICE=<name>)}"

case "${1:-}" in
    migrate | dlq | asyncapi | revision)
        exec "crm-${SERVICE}" "$@"
        ;;
esac

if [ "${MIGRATE_ON_START:-0}" = "1" ]; then
    echo "docker-entrypoint: crm-${SERVICE} migrate" >&2
    "crm-${SERVICE}" migrate
fi

exec "crm-${SERVICE}" serve --host 0.0.0.0 "$@"
