#!/usr/bin/env bash
# Builds the image from Debian packages (build.sh) and checks it with buildah (podman/docker run are not available on
# every machine; buildah run --isolation chroot is): it runs as non-root, `egress demo` inside it records a file that
# decodes as 1280x720 H.264 + AAC on the host, and `egress server` answers on health_port, then drains and exits 0 on
# SIGTERM. Not part of scripts/test (the first build downloads the runtime packages: several minutes).
#   deploy/docker/check.sh [image]        (default: build jegress/egress-server:<version> first)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE="${1:-}"
[[ -z "$IMAGE" ]] && IMAGE="$("$ROOT/deploy/docker/build.sh" | tail -1)"
OUT="$ROOT/deploy/docker/target/check"
rm -rf "$OUT" && mkdir -p "$OUT"

ctr="$(buildah from --pull-never "$IMAGE")"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; [[ -n "${redis_pid:-}" ]] && kill "$redis_pid" 2>/dev/null || true' EXIT
run() { buildah run --isolation chroot "$@"; }

uid="$(run "$ctr" -- id -u)"
echo "check: runs as uid $uid ($(run "$ctr" -- id -un))"
[[ "$uid" != 0 ]] || { echo "check: FAILED, the image runs as root" >&2; exit 1; }

echo "check: egress demo inside the image"
run "$ctr" -- egress demo --duration 4 --output-dir /tmp/demo >"$OUT/demo.log" 2>&1 \
  || { cat "$OUT/demo.log" >&2; exit 1; }
run "$ctr" -- sh -c 'cat /tmp/demo/*.mp4' > "$OUT/demo.mp4"
probe="$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$OUT/demo.mp4")"
echo "check: demo.mp4 streams: $(echo "$probe" | tr '\n' ' ')"
grep -q '^h264,1280,720$' <<<"$probe" && grep -q '^aac' <<<"$probe" \
  || { echo "check: FAILED, demo.mp4 is not 1280x720 H.264 + AAC" >&2; exit 1; }
ffmpeg -v error -i "$OUT/demo.mp4" -f null - || { echo "check: FAILED, demo.mp4 does not decode" >&2; exit 1; }

echo "check: egress server, health_port, SIGTERM"
redis_port=$((20000 + RANDOM % 20000))
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
redis_pid=$!
health_port=$((40000 + RANDOM % 20000))
config="api_key: check
api_secret: check-secret-check-secret-check-secret
ws_url: ws://127.0.0.1:7880
redis:
  address: 127.0.0.1:${redis_port}
health_port: ${health_port}
cpu_cost:
  web_cpu_cost: 0.5
"
run --env "EGRESS_CONFIG_BODY=$config" --env "EGRESS_HEALTH_PORT=$health_port" "$ctr" -- bash -c '
  egress server & pid=$!
  for i in $(seq 1 120); do egress-healthcheck && break; sleep 0.5; done
  egress-healthcheck && echo "HEALTHY"
  kill -TERM $pid; wait $pid; echo "EXIT $?"' >"$OUT/server.log" 2>&1 || true
grep -q '^HEALTHY$' "$OUT/server.log" || { cat "$OUT/server.log" >&2; echo "check: FAILED, no health" >&2; exit 1; }
grep -q 'draining' "$OUT/server.log" || { cat "$OUT/server.log" >&2; echo "check: FAILED, no drain" >&2; exit 1; }
grep -q '^EXIT 0$' "$OUT/server.log" || { cat "$OUT/server.log" >&2; echo "check: FAILED, exit" >&2; exit 1; }
echo "check: healthy on $health_port, drained and exited 0 on SIGTERM"
echo "check: OK ($IMAGE)"
