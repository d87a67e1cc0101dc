#!/usr/bin/env bash
# What several outputs cost next to one, and how fast an added stream gets media: a 720p30 web egress of the demo
# page recorded to a file alone, then to file + RTMP + HLS + images (nginx-rtmp on loopback receives the stream),
# CPU of the egress JVM and of its process tree over a steady window; then UpdateStream adding RTMP destinations
# while it records, timed until the destination is reported started and until the receiver has 10 kB.
#   bench/outputs/run.sh [window-seconds] [rounds]      (defaults: 20 s, 2 rounds)
# Output: a table on stdout and egress-server/target/outputs-bench.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/setup" test >/dev/null
cd "$ROOT"
mvn -B -q install -DskipTests -Dmdep.analyze.skip >/dev/null
exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
  -Dtest=OutputsBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.window.seconds="${1:-20}" -Dbench.rounds="${2:-2}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
