#!/usr/bin/env bash
# CPU per recorded second of a 720p30 web capture (H.264 3000 kbps veryfast + AAC 128 kbps), three ways:
#   egress  - this project (`egress run`, JVM + GStreamer; its own Xvfb/Chromium/PulseAudio)
#   gst     - gst-launch-1.0 with the same elements, capturing a display prepared by this script
#   ffmpeg  - ffmpeg x11grab + pulse -> libx264 veryfast + aac, same display
# Only the capture/encode process is measured (utime+stime from /proc), in a steady-state window that skips
# start-up; Chromium's own rendering cost is the same page for all three and not counted.
#   bench/web-capture/run.sh [seconds] [rounds]      (defaults: 30 s, 3 rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECS="${1:-30}"; ROUNDS="${2:-3}"; WARMUP=8
WORK="$(mktemp -d /tmp/egress-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null; sleep 1; rm -rf "$WORK"' EXIT

"$ROOT/scripts/setup" test >/dev/null
command -v ffmpeg >/dev/null
EGRESS_SKIP_SETUP=1 "$ROOT/bin/egress" --help >/dev/null   # builds once if needed
CP="$ROOT/egress-server/target/egress-server.jar:$ROOT/egress-server/target/lib/*"

# The page everyone records.
mkdir -p "$WORK/www/demo" && cp "$ROOT/templates/demo/index.html" "$WORK/www/demo/"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" 18765 >/dev/null 2>&1 &
PAGE="http://127.0.0.1:18765/demo/"

# A display, a sound server and a browser for the gst and ffmpeg captures.
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -ac 3>"$WORK/display" >/dev/null 2>&1 &
for _ in $(seq 50); do [[ -s "$WORK/display" ]] && break; sleep 0.1; done
DISPLAY_NUM=":$(cat "$WORK/display")"
mkdir -p "$WORK/pulse/home" "$WORK/pulse/run"
HOME="$WORK/pulse/home" XDG_RUNTIME_DIR="$WORK/pulse/run" pulseaudio --daemonize=no -n --use-pid-file=no \
  --exit-idle-time=-1 --load="module-native-protocol-unix socket=$WORK/pulse/native auth-anonymous=1" \
  --load="module-null-sink sink_name=bench rate=48000 channels=2" --load=module-always-sink >/dev/null 2>&1 &
for _ in $(seq 50); do [[ -S "$WORK/pulse/native" ]] && break; sleep 0.1; done
CHROME=/usr/lib/chromium/chromium; [[ -x $CHROME ]] || CHROME=chromium
DISPLAY=$DISPLAY_NUM PULSE_SERVER="unix:$WORK/pulse/native" $CHROME --no-sandbox --no-first-run --disable-gpu \
  --disable-background-networking --disable-component-update --disable-sync --kiosk --window-size=1280,720 \
  --window-position=0,0 --autoplay-policy=no-user-gesture-required --user-data-dir="$WORK/chrome" "$PAGE" \
  >/dev/null 2>&1 &
sleep 4

# measure <label> <pid>: CPU seconds of one process in [WARMUP, SECS] after it starts, per recorded second.
measure() {
  python3 - "$1" "$2" "$WARMUP" "$SECS" <<'PY'
import os, sys, time
label, pid, warm, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
t0 = time.monotonic(); time.sleep(warm); c0 = cpu(); t1 = time.monotonic()
time.sleep(secs - warm); c1 = cpu(); t2 = time.monotonic()
print(f"{label} {(c1 - c0) / (t2 - t1):.3f}")
PY
}

pulse_env=(env PULSE_SERVER="unix:$WORK/pulse/native")
results="$WORK/results"
for round in $(seq "$ROUNDS"); do
  # egress: its own display and browser; only the JVM is measured.
  echo "{\"url\": \"$PAGE\", \"file_outputs\": [{\"filepath\": \"egress.mp4\"}]}" > "$WORK/req.json"
  java -Xss512k -XX:+UseSerialGC -Djava.io.tmpdir="$WORK" -cp "$CP" org.jegress.server.cli.Main run --type web \
    "$WORK/req.json" --output-dir "$WORK/out" --duration "$((SECS + 2))" >/dev/null 2>&1 &
  pid=$!; measure egress $pid >> "$results"; wait $pid || true

  "${pulse_env[@]}" gst-launch-1.0 -q -e ximagesrc display-name="$DISPLAY_NUM" use-damage=false show-pointer=false \
    ! video/x-raw,framerate=30/1 ! queue ! videoconvert ! videoscale ! videorate \
    ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
    ! x264enc speed-preset=veryfast bitrate=3000 vbv-buf-capacity=2000 ! video/x-h264,profile=main ! h264parse \
    ! queue ! mp4mux name=m ! filesink location="$WORK/gst.mp4" \
    pulsesrc device=bench.monitor ! queue ! audioconvert ! audioresample ! audio/x-raw,rate=44100,channels=2 \
    ! avenc_aac bitrate=128000 ! aacparse ! queue ! m. >/dev/null 2>&1 &
  pid=$!; measure gst $pid >> "$results"; kill -INT $pid; wait $pid || true

  "${pulse_env[@]}" ffmpeg -loglevel error -y -f x11grab -framerate 30 -video_size 1280x720 -i "$DISPLAY_NUM" \
    -f pulse -i bench.monitor -c:v libx264 -preset veryfast -b:v 3000k -maxrate 3000k -bufsize 6000k \
    -profile:v main -pix_fmt yuv420p -c:a aac -b:a 128k -ar 44100 "$WORK/ffmpeg.mp4" </dev/null >/dev/null 2>&1 &
  pid=$!; measure ffmpeg $pid >> "$results"; kill -INT $pid; wait $pid || true
done

python3 - "$results" "$SECS" "$WARMUP" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for k, v in rows:
    by.setdefault(k, []).append(float(v))
print(f"CPU seconds per recorded second (cores), steady state {sys.argv[3]}..{sys.argv[2]} s, median of runs:")
for k in ("egress", "gst", "ffmpeg"):
    if k in by:
        print(f"  {k:9s} {statistics.median(by[k]):.3f}   runs: {', '.join(f'{x:.3f}' for x in by[k])}")
e = statistics.median(by["egress"])
print(f"  egress / gst-launch = {e / statistics.median(by['gst']):.2f}")
print(f"  egress / ffmpeg     = {e / statistics.median(by['ffmpeg']):.2f}")
PY
