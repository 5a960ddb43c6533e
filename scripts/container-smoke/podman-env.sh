# shellcheck shell=bash
# Sourced by the container smoke test: installs Podman and its helpers when missing and
# points Podman at settings and storage of its own.
# Everything lives under one scratch directory so that nothing piles up in
# /var/lib/containers, and so that the stand-in base images can be kept between runs.

SMOKE_CACHE_DIR="${CONTAINER_SMOKE_CACHE:-/var/tmp/token-broker-container-smoke}"

ensure_debian_packages() {
  local missing=()
  local binary package
  # netavark and aardvark-dns arrive only as Recommends of Podman's common files; without
  # them Podman falls back to CNI networks in which containers cannot resolve each other.
  # netavark runs iptables (only a Suggests) for every network: without it no container
  # on a compose network starts ("netavark: No such file or directory").
  for pair in podman:podman buildah:buildah runc:runc fuse-overlayfs:fuse-overlayfs \
    slirp4netns:slirp4netns newuidmap:uidmap debootstrap:debootstrap \
    podman-compose:podman-compose docker-compose:docker-compose curl:curl \
    pg_isready:postgresql-client psql:postgresql-client \
    /usr/lib/podman/netavark:netavark /usr/lib/podman/aardvark-dns:aardvark-dns \
    /usr/sbin/iptables:iptables; do
    binary="${pair%%:*}"
    package="${pair#*:}"
    # type -P: a binary on PATH (or at that path). `command -v` would also accept the
    # smoke test's own `podman` shell function, and Podman would never be installed.
    type -P "$binary" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

configure_podman() {
  mkdir -p "$SMOKE_CACHE_DIR/storage" "$SMOKE_CACHE_DIR/run" "$SMOKE_CACHE_DIR/networks" \
    "$SMOKE_CACHE_DIR/tmp"
  # The host's hard limit on open files is lower than Podman's default request, and crun
  # does not support this machine's hybrid cgroups: both settings are needed here.
  cat >"$SMOKE_CACHE_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
events_logger = "file"
events_logfile_path = "$SMOKE_CACHE_DIR/events.log"
tmp_dir = "$SMOKE_CACHE_DIR/tmp"

[network]
# Podman keeps CNI for a storage directory that already holds images unless told otherwise.
network_backend = "netavark"
network_config_dir = "$SMOKE_CACHE_DIR/networks"
EOF
  cat >"$SMOKE_CACHE_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$SMOKE_CACHE_DIR/storage"
runroot = "$SMOKE_CACHE_DIR/run"
EOF
  rm -f "$SMOKE_CACHE_DIR/events.log"
  export CONTAINERS_CONF="$SMOKE_CACHE_DIR/containers.conf"
  export CONTAINERS_STORAGE_CONF="$SMOKE_CACHE_DIR/storage.conf"
  # Images whose name has no registry resolve to docker.io, as with Docker.
  cat >"$SMOKE_CACHE_DIR/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
EOF
  export CONTAINERS_REGISTRIES_CONF="$SMOKE_CACHE_DIR/registries.conf"
}

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
debian_mirror() {
  local mirror
  mirror="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{print $2}' | grep -E '/debian/?$' | head -n 1)"
  if [ -z "$mirror" ]; then
    mirror="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '{print $2}' | grep -E '/debian/?$' | head -n 1)"
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}
