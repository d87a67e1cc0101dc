package org.jegress.api.plan;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jegress.api.auth.EgressToken;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.livekit.AudioRoute;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamInfoList;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.StreamProtocol;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.rpc.StartEgressRequest;

/**
 * Validates a start request and resolves it into an {@link EgressPlan}, mirroring the Go egress's
 * {@code PipelineConfig.Update}: the same defaults, the same precedence rules and the same error messages.
 *
 * <p>File and WebSocket outputs are planned so far; RTMP/SRT streams, segments and images are refused with
 * "… is not yet supported" until their sinks exist.
 */
public final class EgressPlanner {

    /** A leading http or https scheme, any case (Go's url.Parse lower-cases schemes). */
    private static final Pattern HTTP_SCHEME = Pattern.compile("(?i)https?:");

    private final EgressConfig config;
    private final Clock clock;
    private final ZoneId zone;

    /**
     * @param config worker configuration (template base, API key/secret, ws_url, default storage)
     * @param clock start time source for {@code started_at}, {@code {time}} and tokens
     * @param zone zone for {@code {time}} in file names
     */
    public EgressPlanner(EgressConfig config, Clock clock, ZoneId zone) {
        this.config = config;
        this.clock = clock;
        this.zone = zone;
    }

    /** Plans a request as livekit-server sends it over psrpc. */
    public EgressPlan plan(StartEgressRequest request) {
        return new Draft(request).build();
    }

    /** Mutable working state while one request is resolved. */
    private final class Draft {
        private final StartEgressRequest request;
        private final Instant now = clock.instant();
        private final EgressInfo.Builder info = EgressInfo.newBuilder();

        private RequestType requestType;
        private SourceKind sourceKind;
        private boolean passthrough;
        private boolean awaitStartSignal;
        private String webUrl = "";
        private String layout = "";
        private String baseUrl = "";

        private boolean audioEnabled;
        private boolean audioTranscoding;
        private MediaType audioCodec;
        private int audioBitrate = 128;
        private int audioFrequency = 44_100;
        private AudioMixing audioMixing = AudioMixing.DEFAULT_MIXING;

        private boolean videoEnabled;
        private boolean videoDecoding;
        private boolean videoEncoding;
        private MediaType videoCodec;
        private VideoProfile profile = VideoProfile.MAIN;
        private int width = 1280;
        private int height = 720;
        private int depth = 24;
        private int framerate = 30;
        private int videoBitrate = 3000;
        private double keyFrameInterval;

        private String identity = "";
        private boolean screenShare;
        private String trackId = "";
        private String audioTrackId = "";
        private String videoTrackId = "";
        private final List<TrackSelection.AudioRoute> audioRoutes = new ArrayList<>();
        private boolean captureAllAudio;

        /** The file output being planned; its type may still be UNKNOWN_FILE until codecs are known. */
        private OutputType fileType;
        private String filePath;
        private boolean fileDisableManifest;
        private StorageTarget fileStorage;
        /** The requested path while it still depends on the room's tracks (SDK track-based requests). */
        private String pendingPath;
        private String webSocketUrl;
        private int outputCount;

        Draft(StartEgressRequest request) {
            this.request = request;
        }

        EgressPlan build() {
            if (request.getEgressId().isEmpty()) {
                throw EgressException.invalidInput("egressID");
            }
            long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            info.setEgressId(request.getEgressId())
                    .setRoomId(request.getRoomId())
                    .setRoomName(request.getRoomName())
                    .setStatus(EgressStatus.EGRESS_STARTING)
                    .setStartedAt(nowNs)
                    .setUpdatedAt(nowNs)
                    .setRetryCount(request.getRetryCount());

            boolean connectionInfoRequired = true;
            switch (request.getRequestCase()) {
                case ROOM_COMPOSITE:
                    roomComposite(request.getRoomComposite());
                    break;
                case WEB:
                    web(request.getWeb());
                    connectionInfoRequired = false;
                    break;
                case PARTICIPANT:
                    participant(request.getParticipant());
                    break;
                case TRACK_COMPOSITE:
                    trackComposite(request.getTrackComposite());
                    break;
                case TRACK:
                    track(request.getTrack());
                    break;
                case EGRESS:
                    connectionInfoRequired = unified(request.getEgress());
                    break;
                case REPLAY:
                    throw EgressException.notSupported("replay export");
                default:
                    throw EgressException.invalidInput("request");
            }

            // The passthrough preset is shared with request types that always transcode.
            if (passthrough && requestType != RequestType.TRACK && requestType != RequestType.MEDIA) {
                throw EgressException.invalidInput("preset");
            }
            info.setSourceType(sourceKind == SourceKind.WEB
                    ? EgressSourceType.EGRESS_SOURCE_TYPE_WEB
                    : EgressSourceType.EGRESS_SOURCE_TYPE_SDK);

            RoomPlan room = null;
            if (connectionInfoRequired) {
                room = connectionInfo();
            }
            if (!passthrough) {
                validateOutputCodecs();
            }
            return freeze(room);
        }

        // ----------------------------------------------------------------------------------- v1 requests

        private void roomComposite(RoomCompositeEgressRequest req) {
            requestType = RequestType.ROOM_COMPOSITE;
            info.setRoomComposite(redact(req));
            boolean sdk = shouldUseSdkSource(req.getAudioOnly(), req.getLayout(), req.getCustomBaseUrl());
            sourceKind = sdk ? SourceKind.SDK : SourceKind.WEB;
            if (sdk) {
                audioMixing = req.getAudioMixing();
            }
            awaitStartSignal = true;
            info.setRoomName(req.getRoomName());
            template(req.getLayout(), req.getCustomBaseUrl(), req.getAudioOnly(), req.getVideoOnly());
            switch (req.getOptionsCase()) {
                case PRESET:
                    applyPreset(req.getPreset());
                    break;
                case ADVANCED:
                    applyAdvanced(req.getAdvanced());
                    break;
                default:
                    break;
            }
            encodedOutputs(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void web(WebEgressRequest req) {
            requestType = RequestType.WEB;
            info.setWeb(redact(req));
            webSource(req.getUrl(), req.getAudioOnly(), req.getVideoOnly(), req.getAwaitStartSignal());
            switch (req.getOptionsCase()) {
                case PRESET:
                    applyPreset(req.getPreset());
                    break;
                case ADVANCED:
                    applyAdvanced(req.getAdvanced());
                    break;
                default:
                    break;
            }
            encodedOutputs(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void participant(ParticipantEgressRequest req) {
            requestType = RequestType.PARTICIPANT;
            info.setParticipant(redact(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            audioEnabled = true;
            audioTranscoding = true;
            videoEnabled = true;
            videoDecoding = true;
            identity = req.getIdentity();
            screenShare = req.getScreenShare();
            if (identity.isEmpty()) {
                throw EgressException.invalidInput("identity");
            }
            switch (req.getOptionsCase()) {
                case PRESET:
                    applyPreset(req.getPreset());
                    break;
                case ADVANCED:
                    applyAdvanced(req.getAdvanced());
                    break;
                default:
                    break;
            }
            encodedOutputs(req.getFileOutputsList(), null, req.getStreamOutputsList(), null,
                    req.getSegmentOutputsList(), null, req.getImageOutputsList());
        }

        private void trackComposite(TrackCompositeEgressRequest req) {
            requestType = RequestType.TRACK_COMPOSITE;
            info.setTrackComposite(redact(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            if (!req.getAudioTrackId().isEmpty()) {
                audioEnabled = true;
                audioTrackId = req.getAudioTrackId();
                audioTranscoding = true;
            }
            if (!req.getVideoTrackId().isEmpty()) {
                videoEnabled = true;
                videoTrackId = req.getVideoTrackId();
                videoDecoding = true;
            }
            if (!audioEnabled && !videoEnabled) {
                throw EgressException.invalidInput("audio_track_id or video_track_id");
            }
            switch (req.getOptionsCase()) {
                case PRESET:
                    applyPreset(req.getPreset());
                    break;
                case ADVANCED:
                    applyAdvanced(req.getAdvanced());
                    break;
                default:
                    break;
            }
            encodedOutputs(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void track(TrackEgressRequest req) {
            requestType = RequestType.TRACK;
            passthrough = true;
            info.setTrack(redact(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            trackId = req.getTrackId();
            if (trackId.isEmpty()) {
                throw EgressException.invalidInput("track_id");
            }
            switch (req.getOutputCase()) {
                case FILE:
                    DirectFileOutput f = req.getFile();
                    StorageTarget storage = storage(uploadOf(f));
                    String path = FilenameTemplate.clean(f.getFilepath());
                    checkRetrySafe(path);
                    planFile(OutputType.UNKNOWN_FILE, path, f.getDisableManifest(), storage);
                    // upstream always reports a track egress's file in the deprecated result too
                    info.setFile(info.getFileResults(0));
                    break;
                case WEBSOCKET_URL:
                    webSocket(req.getWebsocketUrl());
                    // upstream reports the websocket in the deprecated result as well
                    info.setStream(StreamInfoList.newBuilder().addAllInfo(info.getStreamResultsList()));
                    break;
                default:
                    throw EgressException.invalidInput("output");
            }
        }

        // ----------------------------------------------------------------------------------- v2 request

        private boolean unified(org.jegress.api.livekit.StartEgressRequest req) {
            info.setEgress(redact(req));
            if (!req.getRoomName().isEmpty()) {
                info.setRoomName(req.getRoomName());
            }
            switch (req.getEncodingCase()) {
                case PRESET:
                    applyPreset(req.getPreset());
                    break;
                case ADVANCED:
                    applyAdvanced(req.getAdvanced());
                    break;
                default:
                    break;
            }
            if (passthrough) {
                validatePassthrough(req);
            }
            boolean connectionInfoRequired = true;
            switch (req.getSourceCase()) {
                case TEMPLATE:
                    TemplateSource t = req.getTemplate();
                    requestType = RequestType.TEMPLATE;
                    sourceKind = shouldUseSdkSource(t.getAudioOnly(), t.getLayout(), t.getCustomBaseUrl())
                            ? SourceKind.SDK
                            : SourceKind.WEB;
                    awaitStartSignal = true;
                    template(t.getLayout(), t.getCustomBaseUrl(), t.getAudioOnly(), t.getVideoOnly());
                    break;
                case WEB:
                    WebSource w = req.getWeb();
                    requestType = RequestType.WEB;
                    connectionInfoRequired = false;
                    webSource(w.getUrl(), w.getAudioOnly(), w.getVideoOnly(), w.getAwaitStartSignal());
                    break;
                case MEDIA:
                    media(req.getMedia());
                    break;
                default:
                    throw EgressException.invalidInput("source");
            }
            outputs(req.getOutputsList(), req.hasStorage() ? req.getStorage() : null);
            return connectionInfoRequired;
        }

        private void media(MediaSource media) {
            requestType = RequestType.MEDIA;
            sourceKind = SourceKind.SDK;
            switch (media.getVideoCase()) {
                case VIDEO_TRACK_ID:
                    videoEnabled = true;
                    videoDecoding = !passthrough;
                    videoTrackId = media.getVideoTrackId();
                    if (passthrough) {
                        trackId = videoTrackId;
                    }
                    break;
                case PARTICIPANT_VIDEO:
                    videoEnabled = true;
                    videoDecoding = true;
                    identity = media.getParticipantVideo().getIdentity();
                    screenShare = media.getParticipantVideo().getPreferScreenShare();
                    break;
                default:
                    break;
            }
            if (media.hasAudio()) {
                if (media.getAudio().getCaptureAll()) {
                    audioEnabled = true;
                    audioTranscoding = true;
                    captureAllAudio = true;
                } else if (media.getAudio().getRoutesCount() > 0) {
                    audioEnabled = true;
                    audioTranscoding = !passthrough;
                    for (AudioRoute r : media.getAudio().getRoutesList()) {
                        audioRoutes.add(new TrackSelection.AudioRoute(
                                r.getMatchCase() == AudioRoute.MatchCase.TRACK_ID ? r.getTrackId() : "",
                                r.getMatchCase() == AudioRoute.MatchCase.PARTICIPANT_IDENTITY
                                        ? r.getParticipantIdentity() : "",
                                r.getMatchCase() == AudioRoute.MatchCase.PARTICIPANT_KIND
                                        ? r.getParticipantKind() : null,
                                r.getChannel()));
                    }
                    if (passthrough) {
                        trackId = audioRoutes.get(0).trackId();
                    }
                }
            }
            if (!audioEnabled && !videoEnabled) {
                throw EgressException.invalidInput("audio or video");
            }
        }

        /** Rejects shapes a remux cannot express: downgrading silently would return re-encoded media. */
        private void validatePassthrough(org.jegress.api.livekit.StartEgressRequest req) {
            if (!req.hasMedia()) {
                throw EgressException.invalidInput("passthrough source");
            }
            MediaSource media = req.getMedia();
            String video = "";
            switch (media.getVideoCase()) {
                case VIDEO_TRACK_ID:
                    if (media.getVideoTrackId().isEmpty()) {
                        throw EgressException.invalidInput("passthrough video_track_id");
                    }
                    video = media.getVideoTrackId();
                    break;
                case PARTICIPANT_VIDEO:
                    throw EgressException.invalidInput("passthrough participant_video");
                default:
                    break;
            }
            String audio = "";
            if (media.hasAudio()) {
                if (media.getAudio().getCaptureAll()) {
                    throw EgressException.invalidInput("passthrough capture_all");
                }
                if (media.getAudio().getRoutesCount() > 1) {
                    throw EgressException.invalidInput("passthrough audio routes");
                }
                if (media.getAudio().getRoutesCount() == 1) {
                    AudioRoute r = media.getAudio().getRoutes(0);
                    if (r.getMatchCase() != AudioRoute.MatchCase.TRACK_ID) {
                        throw EgressException.invalidInput("passthrough audio route match");
                    }
                    if (r.getTrackId().isEmpty()) {
                        throw EgressException.invalidInput("passthrough audio route track_id");
                    }
                    audio = r.getTrackId();
                }
            }
            if (video.isEmpty() == audio.isEmpty()) {
                throw EgressException.invalidInput("passthrough track_id");
            }
            if (req.getOutputsCount() != 1) {
                throw EgressException.invalidInput("passthrough outputs");
            }
            Output out = req.getOutputs(0);
            if (!out.hasFile()) {
                throw EgressException.invalidInput("passthrough output");
            }
            if (out.getFile().getFileType() != EncodedFileType.DEFAULT_FILETYPE) {
                throw EgressException.invalidInput("passthrough file_type");
            }
        }

        // ----------------------------------------------------------------------------------- sources

        private void template(String templateLayout, String customBaseUrl, boolean audioOnly, boolean videoOnly) {
            layout = templateLayout;
            baseUrl = customBaseUrl.isEmpty() ? config.templateBase() : customBaseUrl;
            if (!isHttp(baseUrl)) {
                throw EgressException.invalidInput("template base url");
            }
            enableMedia(audioOnly, videoOnly);
        }

        private void webSource(String url, boolean audioOnly, boolean videoOnly, boolean awaitStart) {
            sourceKind = SourceKind.WEB;
            awaitStartSignal = awaitStart;
            webUrl = url;
            if (!isHttp(url)) {
                throw EgressException.invalidInput("web url");
            }
            enableMedia(audioOnly, videoOnly);
        }

        private void enableMedia(boolean audioOnly, boolean videoOnly) {
            if (!videoOnly) {
                audioEnabled = true;
                audioTranscoding = true;
            }
            if (!audioOnly) {
                videoEnabled = true;
                videoDecoding = true;
            }
            if (!audioEnabled && !videoEnabled) {
                throw EgressException.invalidInput("audio_only and video_only");
            }
        }

        private RoomPlan connectionInfo() {
            String roomName = info.getRoomName();
            String token;
            if (!request.getToken().isEmpty()) {
                token = request.getToken();
            } else if (!isEmpty(config.apiKey()) && !isEmpty(config.apiSecret()) && !roomName.isEmpty()) {
                token = EgressToken.build(info.getEgressId(), config.apiKey(), config.apiSecret(), roomName, now);
            } else {
                throw EgressException.invalidInput("token or api key/secret");
            }
            String wsUrl;
            if (!request.getWsUrl().isEmpty()) {
                wsUrl = request.getWsUrl();
            } else if (!isEmpty(config.wsUrl())) {
                wsUrl = config.wsUrl();
            } else {
                throw EgressException.invalidInput("ws_url");
            }
            return new RoomPlan(roomName, info.getRoomId(), token, wsUrl);
        }

        // ----------------------------------------------------------------------------------- encoding

        private void applyPreset(EncodingOptionsPreset preset) {
            switch (preset) {
                case H264_720P_30:
                    video(1280, 720, 30, 3000);
                    break;
                case H264_720P_60:
                    video(1280, 720, 60, 4500);
                    break;
                case H264_1080P_30:
                    video(1920, 1080, 30, 4500);
                    break;
                case H264_1080P_60:
                    video(1920, 1080, 60, 6000);
                    break;
                case PORTRAIT_H264_720P_30:
                    video(720, 1280, 30, 3000);
                    break;
                case PORTRAIT_H264_720P_60:
                    video(720, 1280, 60, 4500);
                    break;
                case PORTRAIT_H264_1080P_30:
                    video(1080, 1920, 30, 4500);
                    break;
                case PORTRAIT_H264_1080P_60:
                    video(1080, 1920, 60, 6000);
                    break;
                case PASSTHROUGH:
                    passthrough = true;
                    break;
                default:
                    // as upstream, a preset this version does not know leaves the defaults in place
                    break;
            }
        }

        private void video(int w, int h, int fps, int kbps) {
            width = w;
            height = h;
            framerate = fps;
            videoBitrate = kbps;
        }

        private void applyAdvanced(EncodingOptions o) {
            switch (o.getAudioCodec()) {
                case OPUS:
                    audioCodec = MediaType.OPUS;
                    break;
                case AAC:
                    audioCodec = MediaType.AAC;
                    break;
                case AC_MP3:
                    audioCodec = MediaType.MP3;
                    break;
                default:
                    break;
            }
            if (o.getAudioBitrate() != 0) {
                audioBitrate = o.getAudioBitrate();
            }
            if (o.getAudioFrequency() != 0) {
                audioFrequency = o.getAudioFrequency();
            }
            switch (o.getVideoCodec()) {
                case H264_BASELINE:
                    videoCodec = MediaType.H264;
                    profile = VideoProfile.BASELINE;
                    break;
                case H264_MAIN:
                    videoCodec = MediaType.H264;
                    break;
                case H264_HIGH:
                    videoCodec = MediaType.H264;
                    profile = VideoProfile.HIGH;
                    break;
                default:
                    // VP8 is accepted and ignored: H.264 is the only encoder, as upstream.
                    break;
            }
            if (o.getWidth() > 0) {
                if (o.getWidth() < 16 || o.getWidth() % 2 == 1) {
                    throw EgressException.invalidInput("width");
                }
                width = o.getWidth();
            }
            if (o.getHeight() > 0) {
                if (o.getHeight() < 16 || o.getHeight() % 2 == 1) {
                    throw EgressException.invalidInput("height");
                }
                height = o.getHeight();
            }
            switch (o.getDepth()) {
                case 0:
                    break;
                case 8:
                case 16:
                case 24:
                    depth = o.getDepth();
                    break;
                default:
                    throw EgressException.invalidInput("depth");
            }
            if (o.getFramerate() != 0) {
                if (o.getFramerate() < 0) {
                    throw EgressException.invalidInput("framerate");
                }
                framerate = o.getFramerate();
            }
            if (o.getVideoBitrate() != 0) {
                if (o.getVideoBitrate() < 0) {
                    throw EgressException.invalidInput("video_bitrate");
                }
                videoBitrate = o.getVideoBitrate();
            }
            if (o.getAudioBitrate() < 0) {
                throw EgressException.invalidInput("audio_bitrate");
            }
            if (o.getKeyFrameInterval() != 0) {
                keyFrameInterval = o.getKeyFrameInterval();
            }
        }

        // ----------------------------------------------------------------------------------- outputs

        private void encodedOutputs(List<EncodedFileOutput> files, EncodedFileOutput deprecatedFile,
                List<StreamOutput> streams, StreamOutput deprecatedStream,
                List<SegmentedFileOutput> segments, SegmentedFileOutput deprecatedSegments,
                List<ImageOutput> images) {
            EncodedFileOutput file = single(files, deprecatedFile, "multiple file outputs");
            StreamOutput stream = single(streams, deprecatedStream, "multiple stream outputs");
            SegmentedFileOutput segment = single(segments, deprecatedSegments, "multiple segmented file outputs");
            if (file != null) {
                StorageTarget storage = storage(uploadOf(file));
                encodedFile(fileType(file.getFileType()), file.getFilepath(), file.getDisableManifest(), storage);
                if (streams.isEmpty() && segments.isEmpty() && images.isEmpty()) {
                    info.setFile(info.getFileResults(0));
                }
            }
            if (stream != null) {
                stream(stream.getProtocol(), stream.getUrlsList());
            }
            if (segment != null) {
                throw EgressException.notSupported("segmented file output");
            }
            if (!images.isEmpty()) {
                if (!videoEnabled) {
                    throw EgressException.invalidInput("audio_only images");
                }
                throw EgressException.notSupported("image output");
            }
            if (outputCount == 0) {
                throw EgressException.invalidInput("output");
            }
        }

        private void outputs(List<Output> outputs, org.jegress.api.livekit.StorageConfig requestStorage) {
            if (outputs.isEmpty()) {
                throw EgressException.invalidInput("output");
            }
            int files = 0;
            for (Output out : outputs) {
                org.jegress.api.livekit.StorageConfig storage = out.hasStorage() ? out.getStorage() : requestStorage;
                switch (out.getConfigCase()) {
                    case FILE:
                        if (++files > 1) {
                            throw EgressException.invalidInput("multiple file outputs");
                        }
                        encodedFile(fileType(out.getFile().getFileType()), out.getFile().getFilepath(),
                                out.getFile().getDisableManifest(), storage(storage));
                        break;
                    case STREAM:
                        stream(out.getStream().getProtocol(), out.getStream().getUrlsList());
                        break;
                    case SEGMENTS:
                        throw EgressException.notSupported("segmented file output");
                    case IMAGES:
                        if (!videoEnabled) {
                            throw EgressException.invalidInput("audio_only images");
                        }
                        throw EgressException.notSupported("image output");
                    default:
                        throw EgressException.invalidInput("output config");
                }
            }
            if (outputCount == 0) {
                throw EgressException.invalidInput("output");
            }
            if (files == 1 && outputs.size() == 1) {
                info.setFile(info.getFileResults(0));
            }
        }

        /** A stream output: a WebSocket (raw audio) is supported; RTMP and SRT are not yet. */
        private void stream(StreamProtocol protocol, List<String> urls) {
            boolean webSocket;
            switch (protocol) {
                case WEBSOCKET:
                    webSocket = true;
                    break;
                case DEFAULT_PROTOCOL:
                    if (urls.isEmpty()) {
                        throw EgressException.invalidInput("stream protocol");
                    }
                    webSocket = isWebSocket(urls.get(0));
                    if (!webSocket && !isStreamScheme(urls.get(0))) {
                        throw EgressException.invalidUrl(urls.get(0), "invalid protocol");
                    }
                    break;
                default:
                    webSocket = false;
                    break;
            }
            if (!webSocket) {
                throw EgressException.notSupported("stream output");
            }
            if (urls.size() != 1) {
                throw EgressException.invalidInput("websocket url");
            }
            webSocket(urls.get(0));
            // a WebSocket carries audio only
            if (audioEnabled && videoEnabled) {
                videoEnabled = false;
                videoDecoding = false;
            }
        }

        private void webSocket(String url) {
            if (!isWebSocket(url)) {
                throw EgressException.invalidUrl(url, "invalid scheme");
            }
            webSocketUrl = url;
            outputCount++;
            info.addStreamResults(StreamInfo.newBuilder().setUrl(url).setStatus(StreamInfo.Status.ACTIVE)
                    .setStartedAt(now.getEpochSecond() * 1_000_000_000L + now.getNano()));
        }

        private <T> T single(List<T> list, T deprecated, String multipleError) {
            if (list.size() > 1) {
                throw EgressException.invalidInput(multipleError);
            }
            return list.isEmpty() ? deprecated : list.get(0);
        }

        private void encodedFile(OutputType type, String requestedPath, boolean disableManifest,
                StorageTarget storage) {
            String path = FilenameTemplate.clean(requestedPath);
            checkRetrySafe(path);
            planFile(type, path, disableManifest, storage);
            if (videoEnabled && !passthrough) {
                videoEncoding = true;
            }
        }

        /** On retry, explicit paths must contain {@code {retry}} so the previous attempt is not overwritten. */
        private void checkRetrySafe(String path) {
            if (request.getRetryCount() > 0 && !path.isEmpty() && !path.endsWith("/") && !path.contains("{retry}")) {
                throw EgressException.nonRetryableOutput();
            }
        }

        private void planFile(OutputType type, String cleanedPath, boolean disableManifest, StorageTarget storage) {
            fileType = type;
            filePath = cleanedPath;
            fileDisableManifest = disableManifest;
            fileStorage = storage;
            outputCount++;
            FileInfo.Builder fi = FileInfo.newBuilder();
            if (dependsOnTracks()) {
                pendingPath = template().apply(cleanedPath);
            }
            if (type != OutputType.UNKNOWN_FILE) {
                filePath = resolveFilePath(type, cleanedPath);
                fi.setFilename(filePath);
            } else {
                filePath = template().apply(cleanedPath);
            }
            info.addFileResults(fi);
        }

        private String resolveFilePath(OutputType type, String cleanedPath) {
            return template().resolveFilePath(cleanedPath, identifier(), type.extension(), request.getRetryCount());
        }

        /** What a generated file name starts with: the track, the participant, the room, or "web". */
        private String identifier() {
            if (!trackId.isEmpty()) {
                return trackId;
            }
            if (requestType == RequestType.PARTICIPANT) {
                return identity;
            }
            return info.getRoomName().isEmpty() ? "web" : info.getRoomName();
        }

        /** Whether file names wait for the room: the publisher's identity, a track's ID, type, source or codec. */
        private boolean dependsOnTracks() {
            return requestType == RequestType.TRACK || requestType == RequestType.TRACK_COMPOSITE
                    || requestType == RequestType.MEDIA;
        }

        private FilenameTemplate template() {
            FilenameTemplate t = new FilenameTemplate(now, zone);
            if (request.getRetryCount() > 0) {
                t.with("{retry}", Integer.toString(request.getRetryCount()));
            }
            if (!info.getRoomName().isEmpty()) {
                t.with("{room_name}", info.getRoomName()).with("{room_id}", info.getRoomId());
            }
            if (requestType == RequestType.PARTICIPANT) {
                t.with("{publisher_identity}", identity);
            }
            return t;
        }

        private OutputType fileType(EncodedFileType t) {
            switch (t) {
                case MP4:
                    return OutputType.MP4;
                case OGG:
                    return OutputType.OGG;
                case MP3:
                    return OutputType.MP3;
                default:
                    return OutputType.UNKNOWN_FILE;
            }
        }

        /** Per-request credentials win; otherwise the worker's {@code storage:} block; otherwise local disk. */
        private StorageTarget storage(org.jegress.api.livekit.StorageConfig upload) {
            if (upload != null) {
                switch (upload.getProviderCase()) {
                    case S3:
                        return new StorageTarget(StorageTarget.Provider.S3, upload, config.storage());
                    case GCP:
                        return new StorageTarget(StorageTarget.Provider.GCP, upload, config.storage());
                    case AZURE:
                        return new StorageTarget(StorageTarget.Provider.AZURE, upload, config.storage());
                    case ALIOSS:
                        return new StorageTarget(StorageTarget.Provider.ALIOSS, upload, config.storage());
                    default:
                        break;
                }
            }
            org.jegress.api.config.StorageConfig sc = config.storage();
            if (sc == null || sc.isLocal()) {
                if (config.disallowLocalStorage()) {
                    throw EgressException.invalidInput("output");
                }
                return StorageTarget.local(sc);
            }
            if (sc.s3() != null) {
                return new StorageTarget(StorageTarget.Provider.S3, null, sc);
            }
            if (sc.gcp() != null) {
                return new StorageTarget(StorageTarget.Provider.GCP, null, sc);
            }
            if (sc.azure() != null) {
                return new StorageTarget(StorageTarget.Provider.AZURE, null, sc);
            }
            return new StorageTarget(StorageTarget.Provider.ALIOSS, null, sc);
        }

        // ----------------------------------------------------------------------------------- codecs

        /**
         * Picks codecs every output accepts and, for DEFAULT_FILETYPE, the container: audio-only prefers
         * OGG, then MP4, then MP3; anything with video is MP4.
         */
        private void validateOutputCodecs() {
            List<OutputType> outputs = fileType == null ? List.of() : List.of(fileType);
            Set<MediaType> audioCodecs = EnumSet.noneOf(MediaType.class);
            Set<MediaType> videoCodecs = EnumSet.noneOf(MediaType.class);
            if (audioEnabled) {
                audioCodecs = audioCodec == null
                        ? EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.RAW_AUDIO, MediaType.MP3)
                        : EnumSet.of(audioCodec);
                for (OutputType o : outputs) {
                    audioCodecs.retainAll(o.compatibleCodecs());
                    if (audioCodecs.isEmpty()) {
                        if (audioCodec == null) {
                            throw EgressException.noCompatibleCodec();
                        }
                        throw EgressException.incompatible(o.mime(), audioCodec.mime());
                    }
                }
            }
            if (videoEnabled) {
                videoCodecs = videoCodec == null ? EnumSet.of(MediaType.H264) : EnumSet.of(videoCodec);
                for (OutputType o : outputs) {
                    videoCodecs.retainAll(o.compatibleCodecs());
                    if (videoCodecs.isEmpty()) {
                        // Name the codec even when the request left it to us: H.264 is all we encode.
                        MediaType wanted = videoCodec == null ? MediaType.H264 : videoCodec;
                        throw EgressException.incompatible(o.mime(), wanted.mime());
                    }
                }
            }

            if (fileType == OutputType.UNKNOWN_FILE) {
                List<OutputType> candidates = videoEnabled ? OutputType.VIDEO_FILE_TYPES
                        : OutputType.AUDIO_ONLY_FILE_TYPES;
                OutputType chosen = null;
                for (OutputType candidate : candidates) {
                    boolean audioOk = !audioEnabled || audioCodecs.stream().anyMatch(candidate::accepts);
                    boolean videoOk = !videoEnabled || videoCodecs.stream().anyMatch(candidate::accepts);
                    if (audioOk && videoOk) {
                        chosen = candidate;
                        break;
                    }
                }
                if (chosen == null) {
                    throw EgressException.noCompatibleFileOutputType();
                }
                fileType = chosen;
                filePath = resolveFilePath(chosen, filePath);
                info.setFileResults(0, info.getFileResults(0).toBuilder().setFilename(filePath));
                if (info.hasFile()) {
                    info.setFile(info.getFileResults(0));
                }
                outputs = List.of(chosen);
            }

            if (audioEnabled) {
                // a WebSocket alone takes the raw mix; next to a file it gets the raw mix all the same
                audioCodec = outputs.isEmpty() && webSocketUrl != null ? MediaType.RAW_AUDIO
                        : pick(outputs, audioCodecs, true);
            }
            if (videoEnabled) {
                videoCodec = pick(outputs, videoCodecs, false);
            }
        }

        /** The first output's default codec that is compatible with all outputs, else any compatible one. */
        private MediaType pick(List<OutputType> outputs, Set<MediaType> compatible, boolean audio) {
            for (OutputType o : outputs) {
                MediaType d = (audio ? o.defaultAudioCodec() : o.defaultVideoCodec()).orElse(null);
                if (d != null && compatible.contains(d)) {
                    return d;
                }
            }
            return compatible.iterator().next();
        }

        // ----------------------------------------------------------------------------------- result

        private EgressPlan freeze(RoomPlan room) {
            WebSourcePlan web = null;
            if (sourceKind == SourceKind.WEB) {
                web = requestType == RequestType.WEB
                        ? new WebSourcePlan(webUrl, "", awaitStartSignal)
                        : new WebSourcePlan(baseUrl, layout, awaitStartSignal);
            }
            TrackSelection tracks = null;
            if (sourceKind == SourceKind.SDK) {
                tracks = new TrackSelection(identity, screenShare, trackId, audioTrackId, videoTrackId,
                        List.copyOf(audioRoutes), captureAllAudio);
            }
            List<FilePlan> files = new ArrayList<>();
            if (fileType != null) {
                FilePlan.Pending pending = pendingPath == null ? null
                        : new FilePlan.Pending(pendingPath, template().generatedName(identifier(),
                                request.getRetryCount()));
                files.add(new FilePlan(fileType, filePath, fileDisableManifest, fileStorage, pending));
            }
            boolean manifest = fileType != null && !fileDisableManifest;
            AudioPlan audio = new AudioPlan(audioEnabled, audioTranscoding, audioEnabled ? audioCodec : null,
                    audioBitrate, audioFrequency, audioMixing);
            VideoPlan video = new VideoPlan(videoEnabled, videoDecoding, videoEncoding,
                    videoEnabled ? videoCodec : null, profile, width, height, depth, framerate, videoBitrate,
                    keyFrameInterval);
            return new EgressPlan(request.getEgressId(), requestType, sourceKind, passthrough, web, room, tracks,
                    audio, video, List.copyOf(files), webSocketUrl == null ? null : new WebSocketPlan(webSocketUrl), manifest,
                    info.build());
        }
    }

    // --------------------------------------------------------------------------------------- helpers

    /** Audio-only composites without a layout or custom page skip Chrome and mix room audio directly. */
    static boolean shouldUseSdkSource(boolean audioOnly, String layout, String customBaseUrl) {
        return audioOnly && layout.isEmpty() && customBaseUrl.isEmpty();
    }

    /**
     * Whether Go's {@code url.Parse} accepts the URL with scheme http or https: the scheme is compared
     * case-insensitively, control characters are refused, the authority must be well formed, and characters
     * such as {@code |}, {@code {}} or spaces in the path, query or fragment are tolerated.
     */
    static boolean isHttp(String url) {
        if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return false;
        }
        Matcher m = HTTP_SCHEME.matcher(url);
        if (!m.lookingAt()) {
            return false;
        }
        try {
            new URI(url);
            return true;
        } catch (URISyntaxException e) {
            if (e.getReason().startsWith("Malformed escape pair")) {
                return false;
            }
            int authorityEnd = m.end();
            if (url.startsWith("//", authorityEnd)) {
                authorityEnd += 2;
                while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
                    authorityEnd++;
                }
            }
            return e.getIndex() > authorityEnd;
        }
    }

    private static boolean isWebSocket(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        return (lower.startsWith("ws://") || lower.startsWith("wss://")) && url.length() > (lower.startsWith("ws://") ? 5 : 6);
    }

    /** Schemes upstream maps to a stream output type. */
    private static boolean isStreamScheme(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("rtmp://") || lower.startsWith("rtmps://") || lower.startsWith("srt://")
                || lower.startsWith("mux://") || lower.startsWith("twitch://");
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static org.jegress.api.livekit.StorageConfig uploadOf(EncodedFileOutput f) {
        org.jegress.api.livekit.StorageConfig.Builder b = org.jegress.api.livekit.StorageConfig.newBuilder();
        switch (f.getOutputCase()) {
            case S3:
                return b.setS3(f.getS3()).build();
            case GCP:
                return b.setGcp(f.getGcp()).build();
            case AZURE:
                return b.setAzure(f.getAzure()).build();
            case ALIOSS:
                return b.setAliOSS(f.getAliOSS()).build();
            default:
                return null;
        }
    }

    private static org.jegress.api.livekit.StorageConfig uploadOf(DirectFileOutput f) {
        org.jegress.api.livekit.StorageConfig.Builder b = org.jegress.api.livekit.StorageConfig.newBuilder();
        switch (f.getOutputCase()) {
            case S3:
                return b.setS3(f.getS3()).build();
            case GCP:
                return b.setGcp(f.getGcp()).build();
            case AZURE:
                return b.setAzure(f.getAzure()).build();
            case ALIOSS:
                return b.setAliOSS(f.getAliOSS()).build();
            default:
                return null;
        }
    }

    private static RoomCompositeEgressRequest redact(RoomCompositeEgressRequest r) {
        RoomCompositeEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(Redaction.file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(Redaction.stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(Redaction.segments(r.getSegments()));
        }
        return b.build();
    }

    private static WebEgressRequest redact(WebEgressRequest r) {
        WebEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(Redaction.file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(Redaction.stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(Redaction.segments(r.getSegments()));
        }
        return b.build();
    }

    private static ParticipantEgressRequest redact(ParticipantEgressRequest r) {
        ParticipantEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        return b.build();
    }

    private static TrackCompositeEgressRequest redact(TrackCompositeEgressRequest r) {
        TrackCompositeEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(Redaction.file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(Redaction.stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(Redaction.segments(r.getSegments()));
        }
        return b.build();
    }

    private static TrackEgressRequest redact(TrackEgressRequest r) {
        TrackEgressRequest.Builder b = r.toBuilder();
        if (r.hasFile()) {
            b.setFile(Redaction.file(r.getFile()));
        } else if (r.getOutputCase() == TrackEgressRequest.OutputCase.WEBSOCKET_URL) {
            b.setWebsocketUrl(Redaction.queryValues(r.getWebsocketUrl()));
        }
        return b.build();
    }

    private static org.jegress.api.livekit.StartEgressRequest redact(org.jegress.api.livekit.StartEgressRequest r) {
        org.jegress.api.livekit.StartEgressRequest.Builder b = r.toBuilder();
        if (r.hasStorage()) {
            b.setStorage(Redaction.storage(r.getStorage()));
        }
        b.clearOutputs().addAllOutputs(r.getOutputsList().stream().map(Redaction::output).toList());
        return b.build();
    }
}
