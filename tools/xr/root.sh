#!/usr/bin/env bash
# Build, once, and cache the Debian trixie root that the XR tests run in.
#
# Why a root at all: Monado (the OpenXR runtime the tests use) exists only in Debian trixie, and
# trixie's libraries do not load on the bookworm host, so both the runtime and the Python client run
# inside this root (see docs in tools/xr/README.md and /work/shared/platform/openxr-monado.md).
#
# Usage: tools/xr/root.sh [--force]      (as root)
#   PROSECTOR_XR_ROOT    where the root lives (default /var/cache/prosector/xr-root)
#   PROSECTOR_XR_MIRROR  Debian mirror URL (default: the host's own apt mirror)
#
# The root carries a stamp: a hash of the package list, tools/xr/requirements.txt (without comments)
# and RECIPE_VERSION.
# When the stamp matches, this script does nothing. Otherwise it builds a fresh root beside the old
# one ("$ROOT.build") and swaps it in only once it is complete, so a failed build never leaves a
# half-made root behind a valid stamp.
set -euo pipefail

HERE=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=${PROSECTOR_XR_ROOT:-/var/cache/prosector/xr-root}
REQUIREMENTS=$HERE/requirements.txt
SUITE=trixie
VENV=/opt/prosector-venv
STAMP_NAME=.prosector-xr-stamp
# Bump when the build steps change in a way the package lists do not show.
RECIPE_VERSION=1

PACKAGES=(
	monado-service monado-cli libopenxr1-monado libopenxr-loader1 openxr-layer-corevalidation
	mesa-vulkan-drivers libgl1-mesa-dri libegl1 libegl-mesa0 libglx-mesa0 libgl1 libopengl0
	xvfb xauth x11-apps python3 python3-venv ca-certificates fonts-noto-cjk
)

MOUNTED=()  # mount points made by this script, unmounted by cleanup() whatever happens

log() { printf '[xr-root] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# Run "$@" and log how long it took (the build's steps are what make a first run slow).
timed() {
	local start
	start=$(now_ms)
	"$@"
	log "step '$1' took $(since "$start") s"
}

# ---------------------------------------------------------------------------- stamp

wanted_stamp() {
	{
		echo "recipe=$RECIPE_VERSION suite=$SUITE venv=$VENV"
		printf '%s\n' "${PACKAGES[@]}"
		echo "--- requirements"
		sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$REQUIREMENTS"  # comments do not count
	} | sha256sum | cut -d' ' -f1
}

current_stamp() { cat "$ROOT/$STAMP_NAME" 2>/dev/null || true; }

# ---------------------------------------------------------------------------- host side

# The mirror the host already uses (deb822 first, then the classic list); the only registry we reach.
host_mirror() {
	local url=""
	if [[ -n ${PROSECTOR_XR_MIRROR:-} ]]; then
		url=$PROSECTOR_XR_MIRROR
	elif [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
		url=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
	fi
	if [[ -z $url && -r /etc/apt/sources.list ]]; then
		url=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
			/etc/apt/sources.list)
	fi
	echo "${url:-http://deb.debian.org/debian}"
}

ensure_debootstrap() {
	command -v debootstrap >/dev/null && return
	log "installing debootstrap on the host"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
}

# Mount points at or below $1, deepest first (findmnt -r escapes a space as \x20).
mounts_under() {
	local escaped=${1// /\\x20}
	findmnt -rn -o TARGET | P=$escaped awk 'BEGIN { p = ENVIRON["P"] }
		$0 == p || index($0, p "/") == 1' | sort -r
}

unmount_all_under() {
	local m
	while read -r m; do
		[[ -n $m ]] && umount -l "$(printf '%b' "$m")" || true
	done < <(mounts_under "$1")
}

# rm -rf a root, but never through a mount: a stale bind of /dev would otherwise wipe the host's /dev.
safe_remove() {
	[[ -e $1 ]] || return 0
	unmount_all_under "$1"
	[[ -z $(mounts_under "$1") ]] || die "refusing to delete $1: something is still mounted below it"
	rm -rf --one-file-system -- "$1"
}

cleanup() {
	local i
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" 2>/dev/null || true
	done
	MOUNTED=()
}

# ---------------------------------------------------------------------------- inside the new root

# Run a command in the root being built, with a clean environment.
in_root() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# apt's maintainer scripts want /proc and /dev; they are mounted only for the apt and pip steps.
mount_for_apt() {
	local root=$1
	mount -t proc proc "$root/proc"
	MOUNTED+=("$root/proc")
	mount --bind /dev "$root/dev"
	MOUNTED+=("$root/dev")
}

debootstrap_base() {
	local root=$1 mirror
	mirror=$(host_mirror)
	log "debootstrap $SUITE from $mirror"
	debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
		|| { tail -20 "$root.debootstrap.log" >&2; die "debootstrap failed (log: $root.debootstrap.log)"; }
	rm -f "$root.debootstrap.log"
}

configure_base() {
	local root=$1
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# Never start daemons from maintainer scripts: a daemon left running would keep the mounts busy.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	# pip checks TLS against this bundle: the host's trust store may hold an extra (proxy) certificate
	# that trixie's ca-certificates lacks, and pip then fails with CERTIFICATE_VERIFY_FAILED.
	install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/prosector/host-ca.crt"
	install -d -m 755 "$root/src"        # run-in-root.sh binds the repository here
	install -d -m 1777 "$root/tmp"
}

apt_install() {
	local root=$1
	in_root "$root" apt-get update -qq
	in_root "$root" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
	in_root "$root" apt-get clean
	rm -rf "$root"/var/lib/apt/lists/*
}

pip_install() {
	local root=$1
	install -D -m 644 "$REQUIREMENTS" "$root/usr/local/share/prosector/requirements.txt"
	in_root "$root" python3 -m venv "$VENV"
	in_root "$root" PIP_CERT=/usr/local/share/prosector/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
		"$VENV/bin/pip" install -q --no-cache-dir -r /usr/local/share/prosector/requirements.txt
}

# Fail the build, not the first test, when the root is missing a piece.
smoke_check() {
	local root=$1
	in_root "$root" sh -c 'command -v monado-service && command -v Xvfb && command -v xwd' >/dev/null
	in_root "$root" "$VENV/bin/python" -c '
import sys
import glfw, numpy, OpenGL, PIL, pydantic, pytest, trimesh, xr, yaml
print("python", sys.version.split()[0], "| pyopenxr", xr.__version__, "| numpy", numpy.__version__)'
}

build_root() {
	local stage=$1
	safe_remove "$stage"
	timed debootstrap_base "$stage"
	configure_base "$stage"
	mount_for_apt "$stage"
	timed apt_install "$stage"
	timed pip_install "$stage"
	smoke_check "$stage" >&2
	cleanup
	wanted_stamp >"$stage/$STAMP_NAME"
}

# Replace the cached root with the freshly built one.
swap_in() {
	local stage=$1
	safe_remove "$ROOT.old"
	[[ -e $ROOT ]] && mv -- "$ROOT" "$ROOT.old"
	mv -- "$stage" "$ROOT"
	safe_remove "$ROOT.old"
}

main() {
	local force=0 start
	case ${1:-} in
		--force) force=1 ;;
		"") ;;
		*) die "usage: $0 [--force]" ;;
	esac
	[[ $EUID -eq 0 ]] || die "must run as root (debootstrap, chroot and mount need it)"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	mkdir -p -- "$(dirname -- "$ROOT")"
	# Exclusive lock: run-in-root.sh holds it shared while a command runs in the root.
	exec 9>"$ROOT.lock"
	flock -n 9 || { log "waiting for the lock on $ROOT"; flock 9; }

	if ((!force)) && [[ $(current_stamp) == "$(wanted_stamp)" ]]; then
		log "root is up to date: $ROOT"
		return 0
	fi
	start=$(now_ms)
	log "building $ROOT (stamp $(wanted_stamp | cut -c1-12))"
	ensure_debootstrap
	build_root "$ROOT.build"
	swap_in "$ROOT.build"
	log "root ready in $(since "$start") s: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"
}

main "$@"
