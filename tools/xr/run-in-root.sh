#!/usr/bin/env bash
# Run a command inside the cached XR test root (built by tools/xr/root.sh), with this repository
# bind-mounted read-write at /src. Exit status is the command's.
#
# Usage: tools/xr/run-in-root.sh CMD [ARG...]      (as root), e.g.
#        tools/xr/run-in-root.sh python -m pytest -q tests/xr
#
# Inside: cwd /src, PYTHONPATH=/src, PATH with /opt/prosector-venv/bin first, HOME=/root,
# XDG_RUNTIME_DIR=/tmp/run (mode 700), LANG=C.UTF-8, and nothing else from the caller except TERM,
# CI, PYTEST_ADDOPTS and PROSECTOR_* variables.
#
# Isolation: the command runs in its own mount and PID namespaces (unshare). Every mount made here
# (/src, /proc, a fresh tmpfs /tmp and /dev/shm) exists only in that namespace, so nothing can be left
# mounted on the host, whatever happens to this script; and when the command ends, the kernel kills
# whatever it left running (a monado-service or Xvfb orphaned by a crashed test), because the first
# process of a PID namespace takes all the others with it. Two runs at once do not share /tmp, so they
# do not see each other's runtime sockets; they do share the network (ports, X display numbers).
set -euo pipefail

HERE=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -P -- "$HERE/../.." && pwd)
ROOT=${PROSECTOR_XR_ROOT:-/var/cache/prosector/xr-root}
VENV=/opt/prosector-venv
STAMP_NAME=.prosector-xr-stamp
# The namespace stage re-runs this script; this variable tells it which half it is.
STAGE_VAR=_PROSECTOR_XR_IN_NAMESPACE

log() { printf '[xr-run] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---------------------------------------------------------------------------- inside the namespace

mount_run_filesystems() {
	mount --bind "$REPO" "$ROOT/src"
	mount -t proc -o nosuid,nodev,noexec proc "$ROOT/proc"   # shows only this namespace's processes
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$ROOT/tmp"
	install -d "$ROOT/dev/shm"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$ROOT/dev/shm"
	install -d -m 700 "$ROOT/tmp/run"
}

# The whitelist of caller variables that reach the command (as NAME=VALUE words for env).
passed_env() {
	local name
	for name in $(compgen -e); do
		case $name in
			TERM | CI | PYTEST_ADDOPTS | PROSECTOR_*) printf '%s=%s\0' "$name" "${!name}" ;;
		esac
	done
}

# PID 1 of the new namespace: start the command, forward signals to it, return its status.
namespace_main() {
	local child rc=0 extra=()
	mount_run_filesystems
	mapfile -d '' extra < <(passed_env)
	chroot "$ROOT" /usr/bin/env -i -C /src \
		PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin" HOME=/root XDG_RUNTIME_DIR=/tmp/run \
		PYTHONPATH=/src PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8 "${extra[@]}" "$@" &
	child=$!
	# The command is a background job (so that this trap can run while it does): it ignores SIGINT,
	# so every signal reaches it as SIGTERM.
	trap 'kill -TERM "$child" 2>/dev/null || true' TERM HUP
	wait_for "$child" || rc=$?
	return "$rc"
}

# wait returns early (status > 128) when a trapped signal arrives: keep waiting for the real exit.
wait_for() {
	local pid=$1 rc=0
	while true; do
		rc=0
		wait "$pid" || rc=$?
		kill -0 "$pid" 2>/dev/null || return "$rc"
	done
}

# ---------------------------------------------------------------------------- on the host

# Called with the lock held, so a build in progress is finished (or failed) by now.
check_root() {
	[[ -f $ROOT/$STAMP_NAME ]] || die "no XR root at $ROOT: run tools/xr/root.sh first"
	[[ -d $ROOT/src ]] || mkdir -p "$ROOT/src"
}

# unshare --fork blocks SIGTERM/SIGINT while it waits, so the signal goes to its child, our PID 1.
# Always as SIGTERM: the namespace was started as a background job, so it ignores SIGINT, and a
# signal ignored when a shell starts cannot be trapped there.
forward_to_namespace() {
	local pid=$1 init
	for init in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
		kill -TERM "$init" 2>/dev/null || true
	done
}

host_main() {
	local ns rc=0
	(($#)) || die "usage: $0 CMD [ARG...]"
	[[ $EUID -eq 0 ]] || die "must run as root (chroot and mount need it)"
	[[ -d $(dirname -- "$ROOT") ]] || die "no XR root at $ROOT: run tools/xr/root.sh first"
	# Shared lock: root.sh takes it exclusively before replacing the root under us.
	exec 9>"$ROOT.lock"
	flock -s 9
	check_root
	# --kill-child: if unshare itself dies, the namespace's PID 1 (and so everything) goes too.
	env "$STAGE_VAR=1" unshare --mount --propagation private --pid --fork --kill-child \
		-- "$HERE/run-in-root.sh" "$@" 9>&- &
	ns=$!
	trap 'forward_to_namespace "$ns"' TERM INT HUP
	wait_for "$ns" || rc=$?
	return "$rc"
}

if [[ ${!STAGE_VAR:-} == 1 ]]; then
	unset "$STAGE_VAR"
	namespace_main "$@"
else
	host_main "$@"
fi
