#!/usr/bin/env bash
# Concurrent passthrough Opus track egresses on this machine: CPU and memory per track, the count reached at half
# the machine's cores, and start latency (start -> ACTIVE). One real livekit-server v1.13.5 and one rtc-node
# publisher run in a private network namespace with the egresses (see README.md).
#   bench/track-egress/run.sh [steps] [window-seconds]     (defaults: 10,25,50,75,100,125,150 and 10)
#   bench/track-egress/run.sh worker [egresses]            start latency through livekit-server and the worker
# Output: a table on stdout and egress-server/target/room-it/TrackEgressBench/track-egress-bench.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STEPS="${1:-10,25,50,75,100,125,150}"
WINDOW="${2:-10}"

"$ROOT/scripts/setup" test >/dev/null
cd "$ROOT"
mvn -B -q install -DskipTests -Dmdep.analyze.skip >/dev/null
if [[ "$STEPS" == worker ]]; then
  exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
    -Dtest=WorkerStartBench -Dsurefire.failIfNoSpecifiedTests=false -Dbench.worker.egresses="${2:-6}" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
fi
exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
  -Dtest=TrackEgressBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.steps="$STEPS" -Dbench.window.seconds="$WINDOW" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
