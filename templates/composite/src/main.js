// The room-composite template: joins the room with the recorder's token, draws every remote video in the layout
// asked for (?layout=, then the recorder's metadata as UpdateLayout changes it), plays every remote audio track
// into the page (Chromium's sound goes to the egress's PulseAudio sink) and tells the egress when to start and stop
// through the console (START_RECORDING / END_RECORDING, by @livekit/egress-sdk).
//
// Rules (upstream's template contract): the recorder itself is never drawn, nothing but video is shown (no names,
// no controls), errors are a div.error the egress reports as "template error: ...".
import * as egressSdk from '@livekit/egress-sdk';
import { Room, RoomEvent, Track, VideoQuality } from 'livekit-client';
import { arrange, effectiveBase, focusTile, parseLayout } from './layout.js';

// The SDK is CommonJS with an __esModule default: imported from ES modules, its helper is one level further down.
const EgressHelper = egressSdk.default.default ?? egressSdk.default;

const stage = document.getElementById('stage');
const sound = document.getElementById('sound');

/** Subscribed remote video, by track sid: { id, identity, screenShare, el } */
const tiles = new Map();
let audioTracks = 0;
let firstSubscribedAt = 0;
let speaker;
let layout = parseLayout(EgressHelper.getLayout());

function showError(message) {
  const d = document.createElement('div');
  d.className = 'error';
  d.textContent = message;
  document.body.appendChild(d);
}

function render() {
  document.body.classList.toggle('light', layout.theme === 'light');
  const list = [...tiles.values()];
  const base = effectiveBase(layout.base, list);
  const focus = focusTile(list, speaker);
  const rects = arrange(base, list, focus?.id, window.innerWidth, window.innerHeight);
  for (const t of list) {
    const r = rects.get(t.id);
    t.el.classList.toggle('hidden', !r);
    if (r) {
      Object.assign(t.el.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
    }
  }
}

function subscribed(track, publication, participant) {
  if (firstSubscribedAt === 0) firstSubscribedAt = Date.now();
  if (track.kind === Track.Kind.Audio) {
    audioTracks++;
    sound.appendChild(track.attach());
    return;
  }
  if (track.kind !== Track.Kind.Video) return;
  publication.setVideoQuality(VideoQuality.HIGH);
  const el = document.createElement('div');
  el.className = 'tile';
  el.appendChild(track.attach());
  stage.appendChild(el);
  tiles.set(publication.trackSid, {
    id: publication.trackSid,
    identity: participant.identity,
    screenShare: publication.source === Track.Source.ScreenShare,
    el,
  });
  render();
}

function unsubscribed(track, publication) {
  for (const el of track.detach()) el.remove();
  if (track.kind === Track.Kind.Audio) {
    audioTracks--;
    return;
  }
  const t = tiles.get(publication.trackSid);
  if (t) {
    t.el.remove();
    tiles.delete(publication.trackSid);
    render();
  }
}

/**
 * Upstream's start heuristic, polled every 100 ms: start once any video has decoded a frame; with audio only,
 * 500 ms after the first subscription; in any case 5 s after connecting if anything is subscribed.
 */
function awaitFirstMedia(connectedAt) {
  const poll = setInterval(() => {
    const now = Date.now();
    const decoded = [...tiles.values()].some((t) => {
      const v = t.el.querySelector('video');
      return v && (v.getVideoPlaybackQuality().totalVideoFrames > 0 || v.videoWidth > 0);
    });
    const anything = tiles.size + audioTracks > 0;
    if (decoded
        || (tiles.size === 0 && audioTracks > 0 && now - firstSubscribedAt >= 500)
        || (anything && now - connectedAt >= 5000)) {
      clearInterval(poll);
      EgressHelper.startRecording();
    }
  }, 100);
}

async function main() {
  let url;
  let token;
  try {
    url = EgressHelper.getLiveKitURL();
    token = EgressHelper.getAccessToken();
  } catch (e) {
    showError(e.message);
    return;
  }
  const room = new Room({ adaptiveStream: false, dynacast: false });
  room
    .on(RoomEvent.TrackSubscribed, subscribed)
    .on(RoomEvent.TrackUnsubscribed, unsubscribed)
    .on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
      const remote = speakers.find((p) => p.identity !== room.localParticipant.identity);
      if (remote && remote.identity !== speaker) {
        speaker = remote.identity;
        render();
      }
    });
  EgressHelper.onLayoutChanged((name) => {
    layout = parseLayout(name);
    render();
  });
  window.addEventListener('resize', render);
  try {
    await room.connect(url, token, { autoSubscribe: true });
  } catch (e) {
    showError(`could not connect to the room: ${e.message}`);
    return;
  }
  // metadata carries later layouts; a disconnected room ends the recording
  EgressHelper.setRoom(room);
  render();
  awaitFirstMedia(Date.now());
}

main();
