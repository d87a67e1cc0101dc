#!/usr/bin/env bash
# What a 3-participant 720p30 room composite costs per recorded second, and StartRoomCompositeEgress → ACTIVE through
# livekit-server and the worker (RoomCompositeBench, inside the livekit tests' network namespace).
#   bench/room-composite/run.sh [window-seconds] [rounds] [renderers] [publisher size] [concurrent]
#   (defaults: 20 s, 3 rounds of each renderer, "chrome,native", 1280x720; IDLE_AFFINITY=1.0 sets idle_affinity;
#   concurrent N > 0 then runs 1..N native composites at once)
# Output: a table on stdout and egress-server/target/room-composite-bench.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/setup" test >/dev/null
cd "$ROOT"
mvn -B -q install -DskipTests -Dmdep.analyze.skip >/dev/null
exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
  -Dtest=RoomCompositeBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.window.seconds="${1:-20}" -Dbench.rounds="${2:-3}" -Dbench.renderers="${3:-chrome,native}" \
  -Dbench.publisher="${4:-1280x720}" -Dbench.concurrent="${5:-0}" -Dbench.idle.affinity="${IDLE_AFFINITY:-0.5}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
