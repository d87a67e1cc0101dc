#!/usr/bin/env bash
# Concurrent passthrough Opus track egresses on this machine: CPU and memory per track, the count reached at half
# the machine's cores, and start latency (start -> ACTIVE). One real livekit-server v1.13.5 and one rtc-node
# publisher run in a private network namespace with the egresses (see README.md).
#   bench/track-egress/run.sh [steps] [window-seconds]     (defaults: 10,25,50,75,100,125,150 and 10)
#   bench/track-egress/run.sh density [steps] [window-seconds] [capacity]
#                                   N egresses through the worker: cores, PSS, start p50/p95 per step
#                                   (defaults 1,10,25,50,100,150, 10 s, shared_handler_capacity 50)
#   bench/track-egress/run.sh web [egresses]               web egress start latency on a busy worker
# Output: a table on stdout and egress-server/target/room-it/TrackEgressBench/track-egress-bench.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STEPS="${1:-10,25,50,75,100,125,150}"
WINDOW="${2:-10}"

"$ROOT/scripts/setup" test >/dev/null
cd "$ROOT"
mvn -B -q install -DskipTests -Dmdep.analyze.skip >/dev/null
if [[ "$STEPS" == density ]]; then
  exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
    -Dtest='WorkerDensityBench#passthroughTrackEgressesThroughTheWorker' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.steps="${2:-1,10,25,50,100,150}" -Dbench.window.seconds="${3:-10}" -Dbench.capacity="${4:-50}" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
fi
if [[ "$STEPS" == web ]]; then
  exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
    -Dtest='WorkerDensityBench#webEgressStartOnABusyWorker' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.web.egresses="${2:-5}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
fi
exec mvn -B -pl egress-server surefire:test@bench -Dbench.skip=false -Dmdep.analyze.skip \
  -Dtest=TrackEgressBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.steps="$STEPS" -Dbench.window.seconds="$WINDOW" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
