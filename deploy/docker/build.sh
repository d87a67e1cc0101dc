#!/usr/bin/env bash
# Builds the egress-server image with buildah from Debian packages alone (no registry needed):
#   deploy/docker/build.sh [tag]            (default jegress/egress-server:<version>)
# BASE=<image> uses that base instead (e.g. debian:bookworm-slim where a registry is reachable); otherwise
# localhost/jegress-base:bookworm is made once with debootstrap. With docker instead of buildah:
#   docker build --build-arg BASE=debian:bookworm-slim -f deploy/docker/Containerfile <staged context>
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
TAG="${1:-jegress/egress-server:${VERSION%-SNAPSHOT}}"
BASE="${BASE:-localhost/jegress-base:bookworm}"
WORK="$ROOT/deploy/docker/target"

need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# the jars, built as bin/egress builds them
"$ROOT/scripts/setup" runtime
(cd "$ROOT" && mvn -q -B -DskipTests -Dmdep.analyze.skip package -pl egress-server -am) >&2
rm -rf "$WORK/context" && mkdir -p "$WORK/context"
cp "$ROOT/egress-server/target/egress-server.jar" "$WORK/context/"
cp -r "$ROOT/egress-server/target/lib" "$WORK/context/lib"
cp "$ROOT/deploy/docker/Containerfile" "$ROOT/deploy/docker/egress" "$ROOT/deploy/docker/egress-healthcheck" \
  "$WORK/context/"

if [[ "$BASE" == localhost/jegress-base:bookworm ]] && ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  echo "build: making $BASE with debootstrap" >&2
  rm -rf "$WORK/rootfs" && mkdir -p "$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian >&2
  tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
  ctr="$(buildah from scratch)"
  buildah add "$ctr" "$WORK/rootfs.tar" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit -q "$ctr" "$BASE" >/dev/null
  buildah rm "$ctr" >/dev/null
  rm -rf "$WORK/rootfs" "$WORK/rootfs.tar"
fi

echo "build: $TAG from $BASE" >&2
buildah bud --isolation chroot --format docker --layers=false -q --build-arg "BASE=$BASE" -t "$TAG" \
  -f "$WORK/context/Containerfile" "$WORK/context" >&2
echo "$TAG"
