// Test publisher for the Java room-connection tests: joins a LiveKit room with @livekit/rtc-node and publishes
// generated media on command. Only ever talks to the URL it is given (a livekit-server inside the test's network
// namespace) and to its control socket.
//
//   node publisher.mjs --url ws://10.99.0.1:7880 --token <jwt> --control /path/ctl.sock
//
// Control protocol: newline-delimited JSON over the unix socket, one request line -> one response line.
//   {"cmd":"publishAudio","name":"tone","frequency":440}                 -> {"ok":true,"sid":"TR_..."}
//   {"cmd":"publishVideo","name":"cam","codec":"vp8"|"h264","width":320,"height":240,"fps":15}
//     both take "source": "microphone" | "screen_share_audio" (audio), "camera" | "screen_share" (video);
//     publishVideo takes "colour": [r,g,b] for one fixed colour instead of the red/green/blue cycle
//   {"cmd":"publishAv","codec":"h264"|"vp8"}  -> {"ok":true,"audio":"TR_...","video":"TR_..."} (sync marks, see below)
//   {"cmd":"unpublish","sid":"TR_..."}      {"cmd":"mute","sid":"TR_...","muted":true}
//   {"cmd":"participants"}  -> identities this client sees      {"cmd":"stats"} -> outbound RTP stats
//   {"cmd":"disconnect"}    -> leaves the room and exits
// Events go to stdout as JSON lines ({"event":"connected",...}); the Java side logs them.

import net from 'node:net';
import fs from 'node:fs';
import {
  AudioFrame, AudioSource, LocalAudioTrack, LocalVideoTrack, Room, RoomEvent, TrackPublishOptions, TrackSource,
  VideoBufferType, VideoCodec, VideoFrame, VideoSource,
} from '@livekit/rtc-node';

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const url = arg('url');
const token = arg('token');
const controlPath = arg('control');
if (!url || !token || !controlPath) {
  console.error('usage: publisher.mjs --url URL --token JWT --control SOCKET');
  process.exit(2);
}

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, t: Date.now(), ...fields }) + '\n');
}

const room = new Room();
/** sid -> { track, source, stop() } */
const published = new Map();

room.on(RoomEvent.ParticipantConnected, (p) => emit('participantConnected', { identity: p.identity }));
room.on(RoomEvent.ParticipantDisconnected, (p) => emit('participantDisconnected', { identity: p.identity }));
room.on(RoomEvent.Disconnected, (reason) => emit('disconnected', { reason }));

// ---- audio: a continuous sine tone, 20 ms frames, paced by the native source's queue ----
const SOURCES = {
  microphone: TrackSource.SOURCE_MICROPHONE, screen_share_audio: TrackSource.SOURCE_SCREENSHARE_AUDIO,
  camera: TrackSource.SOURCE_CAMERA, screen_share: TrackSource.SOURCE_SCREENSHARE,
};

async function publishAudio({ name = 'tone', frequency = 440, amplitude = 0.3, source: src = 'microphone' }) {
  const sampleRate = 48000;
  const samples = sampleRate / 50;
  const source = new AudioSource(sampleRate, 1, 200);
  const track = LocalAudioTrack.createAudioTrack(name, source);
  const pub = await room.localParticipant.publishTrack(track,
    new TrackPublishOptions({ source: SOURCES[src], dtx: false }));
  let running = true;
  let phase = 0;
  (async () => {
    const step = (2 * Math.PI * frequency) / sampleRate;
    while (running) {
      const frame = AudioFrame.create(sampleRate, 1, samples);
      for (let i = 0; i < samples; i++) {
        frame.data[i] = Math.round(Math.sin(phase) * amplitude * 32767);
        phase += step;
      }
      phase %= 2 * Math.PI;
      try {
        await source.captureFrame(frame);
      } catch (e) {
        if (running) emit('error', { where: 'audio', message: String(e) });
        return;
      }
    }
  })();
  published.set(pub.sid, { track, source, stop: () => { running = false; } });
  emit('published', { sid: pub.sid, kind: 'audio', name });
  return { sid: pub.sid };
}

// ---- video: full-frame colour that changes every second (red, green, blue) plus a moving white bar ----
const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];

async function publishVideo({ name = 'cam', codec = 'vp8', width = 320, height = 240, fps = 15,
  source: src = 'camera', colour = null, simulcast = false }) {
  const source = new VideoSource(width, height);
  const track = LocalVideoTrack.createVideoTrack(name, source);
  const videoCodec = codec.toLowerCase() === 'h264' ? VideoCodec.H264 : VideoCodec.VP8;
  const pub = await room.localParticipant.publishTrack(track, new TrackPublishOptions({
    source: SOURCES[src], videoCodec, simulcast,
    videoEncoding: { maxBitrate: simulcast ? 1700000n : 600000n, maxFramerate: fps },
  }));
  const t0 = Date.now();
  let n = 0;
  const timer = setInterval(() => {
    const elapsed = Date.now() - t0;
    const [r, g, b] = colour || COLOURS[Math.floor(elapsed / 1000) % COLOURS.length];
    const data = new Uint8Array(width * height * 4);
    const barX = Math.floor((n * 4) % width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        const bar = x >= barX && x < barX + 16;
        data[o] = bar ? 255 : r;
        data[o + 1] = bar ? 255 : g;
        data[o + 2] = bar ? 255 : b;
        data[o + 3] = 255;
      }
    }
    n++;
    try {
      source.captureFrame(new VideoFrame(data, width, height, VideoBufferType.RGBA), BigInt(elapsed) * 1000n);
    } catch (e) {
      emit('error', { where: 'video', message: String(e) });
    }
  }, Math.round(1000 / fps));
  published.set(pub.sid, { track, source, stop: () => clearInterval(timer) });
  emit('published', { sid: pub.sid, kind: 'video', name, codec });
  return { sid: pub.sid };
}

// ---- camera + microphone with sync marks: at the start of every second, a 100 ms white flash over mid grey and a
// 100 ms 1 kHz beep over a quiet 300 Hz tone, both timed by the wall clock from one epoch. On a busy machine this
// process stalls for 50-180 ms at times (the 'stall' events); the marks must not move with it. Audio is generated
// 200 ms ahead of its playout into the source's queue, each sample for the instant it will play, so a stall shorter
// than that drains the queue instead of delaying a beep. Video frames carry their capture time; a frame held up
// across a second's start is stamped with that start, so no flash begins late. ----
async function publishAv({ codec = 'h264', width = 320, height = 240, fps = 30, kind = 'camera' }) {
  const sampleRate = 48000;
  const samples = sampleRate / 100;
  const audioSource = new AudioSource(sampleRate, 1, 200);
  const audioTrack = LocalAudioTrack.createAudioTrack('mic-av', audioSource);
  const audioPub = await room.localParticipant.publishTrack(audioTrack,
    new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE, dtx: false }));
  const videoSource = new VideoSource(width, height);
  const videoTrack = LocalVideoTrack.createVideoTrack('cam-av', videoSource);
  const videoPub = await room.localParticipant.publishTrack(videoTrack, new TrackPublishOptions({
    source: TrackSource.SOURCE_CAMERA,
    videoCodec: codec.toLowerCase() === 'h264' ? VideoCodec.H264 : VideoCodec.VP8, simulcast: false,
    videoEncoding: { maxBitrate: 800000n, maxFramerate: fps },
  }));
  let running = true;
  const t0 = Date.now();
  (async () => {
    let phase = 0;
    let last = Date.now();
    while (running) {
      const now = Date.now();
      if (now - last > 40) emit('stall', { where: 'audio-av', atMs: now - t0, gapMs: now - last });
      last = now;
      const frame = AudioFrame.create(sampleRate, 1, samples);
      // The marks follow the wall clock, as the video's do: a frame plays once the queue ahead of it has. (Counting
      // samples instead drifted: when this loop falls behind on a busy machine, the SDK plays silence meanwhile, and
      // every later beep came that much late.)
      const startMs = Date.now() - t0 + audioSource.queuedDuration;
      for (let i = 0; i < samples; i++) {
        const tMs = startMs + (i * 1000) / sampleRate;
        const beep = tMs % 1000 < 100;
        const hz = beep ? 1000 : 300;
        const amp = beep ? 0.5 : 0.1;
        phase += (2 * Math.PI * hz) / sampleRate;
        frame.data[i] = Math.round(Math.sin(phase) * amp * 32767);
      }
      phase %= 2 * Math.PI;
      try {
        await audioSource.captureFrame(frame);
      } catch (e) {
        if (running) emit('error', { where: 'audio-av', message: String(e) });
        return;
      }
    }
  })();
  const grey = new Uint8Array(width * height * 4).fill(100);
  const white = new Uint8Array(width * height * 4).fill(255);
  let lastStamp = -1;
  const timer = setInterval(() => {
    const now = Date.now() - t0;
    if (lastStamp >= 0 && now - lastStamp > 70) emit('stall', { where: 'video-av', atMs: now, gapMs: now - lastStamp });
    const secondStart = now - (now % 1000);
    const late = lastStamp >= 0 && now - lastStamp > 50;
    const stamp = late && lastStamp < secondStart ? secondStart : now;
    lastStamp = stamp;
    const data = stamp % 1000 < 100 ? white : grey;
    try {
      videoSource.captureFrame(new VideoFrame(data, width, height, VideoBufferType.RGBA), BigInt(stamp) * 1000n);
    } catch (e) {
      emit('error', { where: 'video-av', message: String(e) });
    }
  }, Math.round(1000 / fps));
  published.set(audioPub.sid, { track: audioTrack, source: audioSource, stop: () => { running = false; } });
  published.set(videoPub.sid, { track: videoTrack, source: videoSource, stop: () => clearInterval(timer) });
  emit('published', { sid: audioPub.sid, kind: 'audio', name: 'mic-av' });
  emit('published', { sid: videoPub.sid, kind: 'video', name: 'cam-av', codec });
  return { audio: audioPub.sid, video: videoPub.sid };
}

async function unpublish({ sid }) {
  const p = published.get(sid);
  if (!p) throw new Error('unknown track ' + sid);
  p.stop();
  published.delete(sid);
  await room.localParticipant.unpublishTrack(sid, true);
  emit('unpublished', { sid });
  return {};
}

async function mute({ sid, muted = true }) {
  const p = published.get(sid);
  if (!p) throw new Error('unknown track ' + sid);
  // rtc-node 1.1.0 has no JS mute call; the FFI request it would wrap is LocalTrackMuteRequest.
  globalThis._ffiClientInstance.request({
    message: { case: 'localTrackMute', value: { trackHandle: p.track.ffi_handle.handle, mute: !!muted } },
  });
  emit(muted ? 'muted' : 'unmuted', { sid });
  return {};
}

async function stats() {
  const s = await room.getRtcStats();
  const out = [];
  for (const st of s.publisherStats) {
    if (st.stats.case === 'outboundRtp') {
      const v = st.stats.value;
      out.push({
        kind: v.stream?.kind, ssrc: v.stream?.ssrc, mid: v.outbound?.mid,
        keyFramesEncoded: v.outbound?.keyFramesEncoded ?? 0, framesEncoded: v.outbound?.framesEncoded ?? 0,
        pliCount: v.outbound?.pliCount ?? 0, firCount: v.outbound?.firCount ?? 0, nackCount: v.outbound?.nackCount ?? 0,
        encoder: v.outbound?.encoderImplementation,
      });
    }
  }
  return { outbound: out };
}

function participants() {
  return {
    participants: [...room.remoteParticipants.values()].map((p) => ({ identity: p.identity, sid: p.sid })),
  };
}

let exiting = false;
async function shutdown(code) {
  if (exiting) return;
  exiting = true;
  for (const p of published.values()) p.stop();
  try {
    await room.disconnect();
  } catch (e) {
    emit('error', { where: 'disconnect', message: String(e) });
  }
  emit('exit', { code });
  setTimeout(() => process.exit(code), 50);
}

const handlers = {
  publishAudio, publishVideo, publishAv, unpublish, mute, stats,
  participants: async () => participants(),
  disconnect: async () => { setTimeout(() => shutdown(0), 10); return {}; },
};

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
    const h = handlers[req.cmd];
    if (!h) throw new Error('unknown command ' + req.cmd);
    return { ok: true, ...(await h(req)) };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

try {
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
} catch (e) {
  emit('connectFailed', { message: String(e) });
  process.exit(1);
}
emit('connected', { identity: room.localParticipant.identity, sid: room.localParticipant.sid });

try { fs.unlinkSync(controlPath); } catch { /* absent */ }
const server = net.createServer((sock) => {
  let buf = '';
  let chain = Promise.resolve();
  sock.setEncoding('utf8');
  sock.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      chain = chain.then(async () => {
        const res = await handle(line);
        if (!sock.destroyed) sock.write(JSON.stringify(res) + '\n');
      });
    }
  });
  sock.on('error', () => {});
});
server.listen(controlPath, () => emit('ready', { control: controlPath }));
