#!/usr/bin/env node
// The `lk egress …` commands of the LiveKit CLI, through the published livekit-server-sdk (npm), for machines where
// `lk` cannot be installed. Request files are the CLI's: the request message in proto3 JSON.
//   node lk.mjs egress start --type room-composite|web|participant|track-composite|track <request.json>
//   node lk.mjs egress list [--room NAME] [--active]
//   node lk.mjs egress update-layout --id EG_… --layout speaker
//   node lk.mjs egress update-stream --id EG_… [--add-urls url,url] [--remove-urls url,url]
//   node lk.mjs egress stop --id EG_…
// Server and keys from LIVEKIT_URL (http:// or ws://), LIVEKIT_API_KEY, LIVEKIT_API_SECRET. Prints the EgressInfo
// (or, for list, the list) as JSON on stdout.
import { readFileSync } from 'node:fs';
import {
  EgressClient, ParticipantEgressRequest, RoomCompositeEgressRequest, TrackCompositeEgressRequest,
  TrackEgressRequest, WebEgressRequest,
} from 'livekit-server-sdk';

const [, , group, command, ...rest] = process.argv;
const flags = {};
const positional = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i].startsWith('--')) {
    const key = rest[i].slice(2);
    flags[key] = rest[i + 1] !== undefined && !rest[i + 1].startsWith('--') ? rest[++i] : true;
  } else {
    positional.push(rest[i]);
  }
}
function need(name) {
  if (flags[name] === undefined || flags[name] === true) {
    throw new Error(`--${name} is required`);
  }
  return flags[name];
}
const list = (v) => (typeof v === 'string' && v.length ? v.split(',') : []);

const url = (process.env.LIVEKIT_URL || 'http://localhost:7880').replace(/^ws/, 'http');
const client = new EgressClient(url, process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET);

// v1 requests carry their outputs as the deprecated single fields or the lists; the SDK takes them as EncodedOutputs
function outputs(req) {
  const o = {};
  const file = req.fileOutputs?.[0] ?? (req.output?.case === 'file' ? req.output.value : undefined);
  const stream = req.streamOutputs?.[0] ?? (req.output?.case === 'stream' ? req.output.value : undefined);
  const segments = req.segmentOutputs?.[0] ?? (req.output?.case === 'segments' ? req.output.value : undefined);
  if (file) o.file = file;
  if (stream) o.stream = stream;
  if (segments) o.segments = segments;
  if (req.imageOutputs?.[0]) o.images = req.imageOutputs[0];
  return o;
}

async function start(type, path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  switch (type) {
    case 'room-composite': {
      const r = RoomCompositeEgressRequest.fromJson(json);
      return client.startRoomCompositeEgress(r.roomName, outputs(r), {
        layout: r.layout, audioOnly: r.audioOnly, videoOnly: r.videoOnly, customBaseUrl: r.customBaseUrl,
        encodingOptions: r.options?.value,
      });
    }
    case 'web': {
      const r = WebEgressRequest.fromJson(json);
      return client.startWebEgress(r.url, outputs(r), {
        audioOnly: r.audioOnly, videoOnly: r.videoOnly, awaitStartSignal: r.awaitStartSignal,
        encodingOptions: r.options?.value,
      });
    }
    case 'participant': {
      const r = ParticipantEgressRequest.fromJson(json);
      return client.startParticipantEgress(r.roomName, r.identity, outputs(r), {
        screenShare: r.screenShare, encodingOptions: r.options?.value,
      });
    }
    case 'track-composite': {
      const r = TrackCompositeEgressRequest.fromJson(json);
      return client.startTrackCompositeEgress(r.roomName, outputs(r), {
        audioTrackId: r.audioTrackId, videoTrackId: r.videoTrackId, encodingOptions: r.options?.value,
      });
    }
    case 'track': {
      const r = TrackEgressRequest.fromJson(json);
      // a DirectFileOutput, or the websocket_url string
      return client.startTrackEgress(r.roomName, r.output.value, r.trackId);
    }
    default:
      throw new Error(`unknown --type ${type}`);
  }
}

async function main() {
  if (group !== 'egress') {
    throw new Error('usage: lk.mjs egress start|list|update-layout|update-stream|stop …');
  }
  let result;
  switch (command) {
    case 'start':
      result = await start(need('type'), positional[0] ?? need('request'));
      break;
    case 'list':
      result = await client.listEgress({ roomName: flags.room === true ? undefined : flags.room, active: !!flags.active });
      break;
    case 'update-layout':
      result = await client.updateLayout(need('id'), need('layout'));
      break;
    case 'update-stream':
      result = await client.updateStream(need('id'), list(flags['add-urls']), list(flags['remove-urls']));
      break;
    case 'stop':
      result = await client.stopEgress(need('id'));
      break;
    default:
      throw new Error(`unknown command ${command}`);
  }
  const toJson = (i) => i.toJson({ emitDefaultValues: false });
  console.log(JSON.stringify(Array.isArray(result) ? result.map(toJson) : toJson(result), null, 2));
}

main().catch((e) => {
  console.error(`lk.mjs: ${e.message}`);
  process.exit(1);
});
