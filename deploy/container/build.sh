#!/usr/bin/env bash
# Builds the Mesh container image (localhost/mesh:dev and localhost/mesh:VERSION) with buildah, reaching no container
# registry: the base is a Debian minbase root file system made by debootstrap from the same Debian mirror apt uses on
# this machine, cached under .mesh/container/ so that a second build only republishes and re-copies the binaries.
#
#   sudo deploy/container/build.sh            # needs root (debootstrap, chroot) and: apt-get install buildah podman debootstrap clang zlib1g-dev
#   MESH_IMAGE=localhost/mesh:test deploy/container/build.sh
#   MESH_CONTAINER_FRESH=1 deploy/container/build.sh   # make the base root file system again (e.g. for security updates)
#
# Environment: MESH_IMAGE (default localhost/mesh:dev), MESH_DEBIAN_MIRROR / MESH_DEBIAN_SECURITY_MIRROR (default: the
# ones in /etc/apt/sources.list*), MESH_DEBIAN_SUITE (default: this machine's release), MESH_BUILD_LOCK (default
# /tmp/mesh-build.lock: dotnet publish waits for it, so builds sharing a small machine take turns; empty for none, as
# when the caller already holds it). Prints the image id and size last. docs/deploy.md, "Container image".
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

image=${MESH_IMAGE:-localhost/mesh:dev}
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)
suite=${MESH_DEBIAN_SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
# What mesh and its agents need at run time beyond minbase (libc, libstdc++, coreutils, apt, passwd):
#   ca-certificates  the system trust store (and, through openssl, libssl3, which .NET's TLS loads);
#   git              agents work in git worktrees under [worktree] default_root;
#   tini             PID 1 that reaps orphaned processes (agents' children) and forwards signals to mesh.
# No libicu: mesh and actor are built with InvariantGlobalization.
# MESH_CONTAINER_PACKAGES replaces the list (e.g. ca-certificates,tini without git saves about 80 MiB: git and perl).
packages=${MESH_CONTAINER_PACKAGES:-ca-certificates,git,tini}
cache=.mesh/container
context=$cache/context
started=$(date +%s)
base_s=0

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root: debootstrap and chroot make the base, and the image goes to root's podman storage (sudo $0)"
for tool in buildah podman debootstrap dotnet npm; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install buildah podman debootstrap; dotnet and npm as for ./test.sh)"
done

# The mirror apt uses here, for a suite: the first URI of a deb822 stanza or a one-line entry that lists it.
mirror_for() {
  local wanted=$1 file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    case "$file" in
      *.sources)
        awk -v s="$wanted" '
          /^[[:space:]]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
          END { if (uri != "" && hit) print uri }' "$file" ;;
      *)
        awk -v s="$wanted" '$1 == "deb" { u = ""; for (i = 2; i <= NF; i++) { if ($i ~ /^\[/) continue; if (u == "") { u = $i; continue } if ($i == s) { print u; exit } break } }' "$file" ;;
    esac
  done | head -n1
}
mirror=${MESH_DEBIAN_MIRROR:-$(mirror_for "$suite")}
security=${MESH_DEBIAN_SECURITY_MIRROR:-$(mirror_for "$suite-security")}
[ -n "$mirror" ] || die "no apt mirror for '$suite' in /etc/apt/sources.list*; set MESH_DEBIAN_MIRROR"

# 1. The base root file system, cached: made again only when the suite, mirrors or packages change.
mkdir -p "$cache"
key="suite=$suite mirror=$mirror security=$security packages=$packages layout=1"
if [ -n "${MESH_CONTAINER_FRESH:-}" ] || [ ! -f "$cache/rootfs.tar" ] || [ "$(cat "$cache/rootfs.key" 2>/dev/null)" != "$key" ]; then
  say "base: debootstrap --variant=minbase $suite from $mirror (+ $packages)"
  rootfs=$cache/rootfs
  rm -rf "$rootfs" "$cache/rootfs.tar" "$cache/rootfs.key"
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$suite" "$suite"
    [ -z "$security" ] || printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security" "$suite"
  } > "$rootfs/etc/apt/sources.list.d/debian.sources"
  : > "$rootfs/etc/apt/sources.list"
  # Derived images (FROM localhost/mesh:dev, apt-get install an agent's tools) stay small too.
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/locale/locale.alias\n' \
    > "$rootfs/etc/dpkg/dpkg.cfg.d/excludes"
  # Security and point-release updates on top of the release debootstrap installed.
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
  chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold upgrade && apt-get clean' >> "$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log" >&2; die "apt-get upgrade in the base failed (log: $cache/debootstrap.log)"; }
  umount "$rootfs/proc"
  trap - EXIT
  # What a container does not need: package lists, caches, logs, documentation (copyright files stay), the host's resolver.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* \
    "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  : > "$rootfs/etc/resolv.conf"
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$cache/rootfs.tar" .
  rm -rf "$rootfs"
  echo "$key" > "$cache/rootfs.key"
  base_s=$(( $(date +%s) - started ))
else
  say "base: cached $cache/rootfs.tar ($key)"
fi

# 2. mesh, self-contained (no .NET runtime in the image) and ReadyToRun as run.sh ships it; the web assets come from npm.
if [ ! -f src/Hub/node_modules/htmx.org/package.json ]; then
  (cd src/Hub && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
command -v clang >/dev/null && [ -e /usr/include/zlib.h ] || die "the actor CLI is Native AOT: apt-get install clang zlib1g-dev"
rm -rf "$context" && mkdir -p "$context"
ln "$cache/rootfs.tar" "$context/rootfs.tar"
lock=${MESH_BUILD_LOCK-/tmp/mesh-build.lock}
say "publish: mesh (self-contained, ReadyToRun) and actor (Native AOT)${lock:+, under $lock}"
waited=$(date +%s)
if [ -n "$lock" ]; then exec 9>"$lock" && flock 9; fi
waited=$(( $(date +%s) - waited ))
published=$(date +%s)
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
  -o "$context/mesh" -nologo -v:q -clp:NoSummary
# 3. actor, the CLI agents call on every step, as run.sh and test.sh build it.
dotnet publish src/ActorCli -c Release -r linux-x64 -o "$context/actor-publish" -nologo -v:q -clp:NoSummary
if [ -n "$lock" ]; then flock -u 9 && exec 9>&-; fi
published=$(( $(date +%s) - published ))
cp "$context/actor-publish/actor" "$context/actor"
rm -rf "$context/actor-publish"
rm -f "$context/mesh"/*.pdb "$context/mesh"/*.dbg

# 4. The image. --layers keeps the base layer between builds; chroot isolation runs the RUN steps without an OCI
#    runtime (crun refuses hybrid cgroup v1/v2 hosts such as this one; they need no cgroup).
say "buildah build $image"
built=$(date +%s)
# The default image is also tagged with the version; another MESH_IMAGE (a variant, a test) only with its own name.
names=("$image")
[ "$image" != localhost/mesh:dev ] || names+=("localhost/mesh:$version")
tags=(); for name in "${names[@]}"; do tags+=(-t "$name"); done
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || revision="$revision-dirty"
buildah build --layers --format oci --isolation chroot -f deploy/container/Containerfile \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "${tags[@]}" "$context" >&2
rm -rf "$context"
built=$(( $(date +%s) - built ))

id=$(podman image inspect --format '{{.Id}}' "$image")
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image ${names[*]} id ${id:0:12} size $((size / 1024 / 1024)) MiB, built in $(( $(date +%s) - started )) s (base ${base_s} s, waiting for the build lock ${waited} s, dotnet publish ${published} s, buildah ${built} s)"
