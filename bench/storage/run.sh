#!/usr/bin/env bash
# Upload throughput and memory: a 1 GiB file to S3 (S3Proxy on loopback, as a process) through the egress storage
# layer vs the same multipart upload written straight against the AWS SDK, each in a JVM of its own with a 128 MB
# heap ceiling; peak RSS (VmHWM) and the heap used are read while it runs.
#   bench/storage/run.sh [size-MiB] [rounds]      (defaults: 1024 MiB, 2 rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SIZE_MIB="${1:-1024}"
ROUNDS="${2:-2}"
cd "$ROOT"
"$ROOT/scripts/setup" test >/dev/null
mvn -B -q -o test-compile -pl egress-server -am -Dmdep.analyze.skip >/dev/null 2>&1 \
  || mvn -B -q test-compile -pl egress-server -am -Dmdep.analyze.skip >/dev/null
CP="$(mvn -B -q -o -pl egress-server dependency:build-classpath -Dmdep.outputFile=/dev/stdout \
  -Dmdep.includeScope=test 2>/dev/null):$ROOT/egress-server/target/test-classes:$ROOT/egress-server/target/classes"
for m in egress-api egress-pipeline egress-storage/s3 egress-storage/local egress-testsuite; do CP="$CP:$ROOT/$m/target/classes"; done
WORK="$(mktemp -d)"
trap 'kill $S3PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/data"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=egress-access
s3proxy.credential=egress-secret-key
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/data
CONF
java -Xmx512m -jar "$ROOT/egress-testsuite/target/tools/s3proxy.jar" --properties "$WORK/s3proxy.conf" \
  > "$WORK/s3proxy.log" 2>&1 &
S3PID=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
mkdir -p "$WORK/data/bench"
java -cp "$CP" org.jegress.server.bench.UploadBench make "$WORK/big.bin" $((SIZE_MIB * 1024 * 1024)) x x x
printf "| mode | round | seconds | MiB/s | peak RSS MiB | heap used MiB |\n|---|---|---|---|---|---|\n"
for r in $(seq "$ROUNDS"); do
  for mode in sdk egress; do
    java -Xmx128m -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.jegress.server.bench.UploadBench \
      "$mode" "$WORK/big.bin" "http://127.0.0.1:$PORT" bench "obj-$mode-$r" "$WORK/w-$mode-$r" > "$WORK/out" &
    PID=$!
    HEAP=0
    while kill -0 $PID 2>/dev/null; do
      h=$(jstat -gc $PID 2>/dev/null | awk 'NR==2 {printf "%d", ($3+$4+$6+$8)/1024}' || true)
      [[ -n "$h" && "$h" -gt "$HEAP" ]] && HEAP=$h
      HWM=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$PID/status 2>/dev/null || echo "${HWM:-}")
      sleep 0.5
    done
    wait $PID
    read -r secs bytes < "$WORK/out"
    printf "| %s | %d | %s | %.0f | %s | %s |\n" "$mode" "$r" "$secs" "$(echo "$bytes / 1048576 / $secs" | bc -l)" \
      "${HWM:-?}" "$HEAP"
  done
done
