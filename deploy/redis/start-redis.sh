#!/bin/sh
# Redis for OpenDay, locked down: the default user is off; each central service has its own
# ACL user with only the keys and commands it needs; the passwords come from secret files
# (Docker secrets) and Redis is given only their sha256. Extra arguments go to redis-server.
#
# A secret file holds one password a line: every line is accepted, services use the first,
# so a password is rotated without refusing anyone (docs/production.md, "Rotating secrets").
# Only the users whose file is set are made; the admin user is for the operator's redis-cli.
set -eu

SYNC_FILE=${REDIS_SYNC_PASSWORD_FILE:-/run/secrets/redis_sync_password}
WORKER_FILE=${REDIS_WORKER_PASSWORD_FILE:-/run/secrets/redis_worker_password}
ADMIN_FILE=${REDIS_ADMIN_PASSWORD_FILE:-}
ACL_FILE=${REDIS_ACL_FILE:-/tmp/openday-users.acl}

# Both services: OpenDay's keys and RQ's, nothing that administers or empties Redis (INFO,
# read-only server figures, is what RQ checks the Redis version with).
COMMANDS="+@all -@admin -@dangerous +info"
# The sync service: every OpenDay key (devices, accounts, sessions, the days' logs).
SYNC_RIGHTS="resetkeys ~od:* ~rq:* resetchannels &od:* &rq:* $COMMANDS"
# A worker: only the days' keys ({day} hash tags), the list of days (read) and the queue; it never reads accounts,
# sessions, device tokens or enrolment codes.
WORKER_RIGHTS="resetkeys ~od:{* %R~od:days ~rq:* resetchannels &od:{* &rq:* $COMMANDS"

passwords() {  # "#<sha256>" for every non-empty line of the file
  [ -s "$1" ] || { echo "start-redis: password file $1 is missing or empty" >&2; exit 1; }
  tr -d '\r' < "$1" | while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] && printf ' #%s' "$(printf %s "$line" | sha256sum | cut -d' ' -f1)"
  done
}

umask 077
{
  echo "user default off"
  echo "user healthcheck on nopass resetkeys resetchannels -@all +ping"
  echo "user openday-sync on$(passwords "$SYNC_FILE") $SYNC_RIGHTS"
  echo "user openday-worker on$(passwords "$WORKER_FILE") $WORKER_RIGHTS"
  if [ -n "$ADMIN_FILE" ]; then
    echo "user openday-admin on$(passwords "$ADMIN_FILE") ~* &* +@all"
  fi
} > "$ACL_FILE"

exec "${REDIS_SERVER:-redis-server}" --aclfile "$ACL_FILE" "$@"
