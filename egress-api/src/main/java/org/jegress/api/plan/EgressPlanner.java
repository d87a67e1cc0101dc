package org.jegress.api.plan;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jegress.api.auth.EgressToken;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioRoute;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.rpc.StartEgressRequest;

/**
 * Validates a start request and resolves it into an {@link EgressPlan}, mirroring the Go egress's
 * {@code PipelineConfig.Update}: the same defaults, the same precedence rules and the same error messages. The
 * request's source decides here; encoding settings live in {@link EncodingSettings}, outputs and codecs in
 * {@link OutputsDraft}, names in {@link PlanNaming}, storage in {@link StorageResolver}.
 */
public final class EgressPlanner {

    /** A leading http or https scheme, any case (Go's url.Parse lower-cases schemes). */
    private static final Pattern HTTP_SCHEME = Pattern.compile("(?i)https?:");

    private final EgressConfig config;
    private final Clock clock;
    private final ZoneId zone;
    private final StreamIngests ingests;
    private final java.util.Set<String> customSchemes;

    /**
     * A planner that refuses Twitch shorthand URLs (it has no ingest lookup).
     *
     * @param config worker configuration (template base, API key/secret, ws_url, default storage)
     * @param clock start time source for {@code started_at}, {@code {time}} and tokens
     * @param zone zone for {@code {time}} in file names
     */
    public EgressPlanner(EgressConfig config, Clock clock, ZoneId zone) {
        this(config, clock, zone, StreamIngests.NONE);
    }

    /**
     * @param ingests where {@code twitch://} stream URLs resolve
     */
    public EgressPlanner(EgressConfig config, Clock clock, ZoneId zone, StreamIngests ingests) {
        this(config, clock, zone, ingests, java.util.Set.of());
    }

    /**
     * @param ingests where {@code twitch://} stream URLs resolve
     * @param customSchemes stream URL schemes custom sinks claim (see {@link OutputType#CUSTOM})
     */
    public EgressPlanner(EgressConfig config, Clock clock, ZoneId zone, StreamIngests ingests,
            java.util.Set<String> customSchemes) {
        this.config = config;
        this.clock = clock;
        this.zone = zone;
        this.ingests = ingests;
        this.customSchemes = java.util.Set.copyOf(customSchemes);
    }

    /** Plans a request as livekit-server sends it over psrpc. */
    public EgressPlan plan(StartEgressRequest request) {
        return new Draft(request).build();
    }

    /** Mutable working state while one request is resolved. */
    private final class Draft {
        private final StartEgressRequest request;
        private final Instant now = clock.instant();
        private final long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        private final EgressInfo.Builder info = EgressInfo.newBuilder();
        private final EncodingSettings enc = new EncodingSettings();
        private final PlanNaming naming;
        private final OutputsDraft outputs;

        private RequestType requestType;
        private SourceKind sourceKind;
        private boolean awaitStartSignal;
        private String webUrl = "";
        private String layout = "";
        private String baseUrl = "";

        private String identity = "";
        private boolean screenShare;
        private String trackId = "";
        private String audioTrackId = "";
        private String videoTrackId = "";
        private final List<TrackSelection.AudioRoute> audioRoutes = new ArrayList<>();
        private boolean captureAllAudio;

        Draft(StartEgressRequest request) {
            this.request = request;
            this.naming = new PlanNaming(now, zone, request.getRetryCount(), info);
            this.outputs = new OutputsDraft(info, enc, naming, new StorageResolver(config), new StreamUrls(ingests, customSchemes),
                    nowNs);
        }

        EgressPlan build() {
            if (request.getEgressId().isEmpty()) {
                throw EgressException.invalidInput("egressID");
            }
            info.setEgressId(request.getEgressId())
                    .setRoomId(request.getRoomId())
                    .setRoomName(request.getRoomName())
                    .setStatus(EgressStatus.EGRESS_STARTING)
                    .setStartedAt(nowNs)
                    .setUpdatedAt(nowNs)
                    .setRetryCount(request.getRetryCount());

            boolean connectionInfoRequired = true;
            switch (request.getRequestCase()) {
                case ROOM_COMPOSITE -> roomComposite(request.getRoomComposite());
                case WEB -> {
                    web(request.getWeb());
                    connectionInfoRequired = false;
                }
                case PARTICIPANT -> participant(request.getParticipant());
                case TRACK_COMPOSITE -> trackComposite(request.getTrackComposite());
                case TRACK -> track(request.getTrack());
                case EGRESS -> connectionInfoRequired = unified(request.getEgress());
                case REPLAY -> throw EgressException.notSupported("replay export");
                default -> throw EgressException.invalidInput("request");
            }

            // The passthrough preset is shared with request types that always transcode.
            if (enc.passthrough && requestType != RequestType.TRACK && requestType != RequestType.MEDIA) {
                throw EgressException.invalidInput("preset");
            }
            info.setSourceType(sourceKind == SourceKind.WEB
                    ? EgressSourceType.EGRESS_SOURCE_TYPE_WEB
                    : EgressSourceType.EGRESS_SOURCE_TYPE_SDK);

            RoomPlan room = connectionInfoRequired ? connectionInfo() : null;
            if (!enc.passthrough) {
                outputs.selectCodecs();
            }
            return freeze(room);
        }

        private void type(RequestType type) {
            requestType = type;
            naming.requestType(type);
        }

        private void encoding(EncodingOptionsPreset preset, EncodingOptions advanced) {
            if (preset != null) {
                enc.applyPreset(preset);
            } else if (advanced != null) {
                enc.applyAdvanced(advanced);
            }
        }

        // ----------------------------------------------------------------------------------- v1 requests

        private void roomComposite(RoomCompositeEgressRequest req) {
            type(RequestType.ROOM_COMPOSITE);
            info.setRoomComposite(Redaction.request(req));
            boolean sdk = shouldUseSdkSource(req.getAudioOnly(), req.getLayout(), req.getCustomBaseUrl())
                    || nativeRenderer(req.getLayout(), req.getCustomBaseUrl());
            sourceKind = sdk ? SourceKind.SDK : SourceKind.WEB;
            if (sdk) {
                enc.audioMixing = req.getAudioMixing();
            }
            awaitStartSignal = true;
            info.setRoomName(req.getRoomName());
            template(req.getLayout(), req.getCustomBaseUrl(), req.getAudioOnly(), req.getVideoOnly());
            encoding(req.hasPreset() ? req.getPreset() : null, req.hasAdvanced() ? req.getAdvanced() : null);
            outputs.encoded(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void web(WebEgressRequest req) {
            type(RequestType.WEB);
            info.setWeb(Redaction.request(req));
            webSource(req.getUrl(), req.getAudioOnly(), req.getVideoOnly(), req.getAwaitStartSignal());
            encoding(req.hasPreset() ? req.getPreset() : null, req.hasAdvanced() ? req.getAdvanced() : null);
            outputs.encoded(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void participant(ParticipantEgressRequest req) {
            type(RequestType.PARTICIPANT);
            info.setParticipant(Redaction.request(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            enc.audioEnabled = true;
            enc.audioTranscoding = true;
            enc.videoEnabled = true;
            enc.videoDecoding = true;
            identity = req.getIdentity();
            naming.identity(identity);
            screenShare = req.getScreenShare();
            if (identity.isEmpty()) {
                throw EgressException.invalidInput("identity");
            }
            encoding(req.hasPreset() ? req.getPreset() : null, req.hasAdvanced() ? req.getAdvanced() : null);
            outputs.encoded(req.getFileOutputsList(), null, req.getStreamOutputsList(), null,
                    req.getSegmentOutputsList(), null, req.getImageOutputsList());
        }

        private void trackComposite(TrackCompositeEgressRequest req) {
            type(RequestType.TRACK_COMPOSITE);
            info.setTrackComposite(Redaction.request(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            if (!req.getAudioTrackId().isEmpty()) {
                enc.audioEnabled = true;
                enc.audioTranscoding = true;
                audioTrackId = req.getAudioTrackId();
            }
            if (!req.getVideoTrackId().isEmpty()) {
                enc.videoEnabled = true;
                enc.videoDecoding = true;
                videoTrackId = req.getVideoTrackId();
            }
            if (!enc.audioEnabled && !enc.videoEnabled) {
                throw EgressException.invalidInput("audio_track_id or video_track_id");
            }
            encoding(req.hasPreset() ? req.getPreset() : null, req.hasAdvanced() ? req.getAdvanced() : null);
            outputs.encoded(req.getFileOutputsList(), req.hasFile() ? req.getFile() : null,
                    req.getStreamOutputsList(), req.hasStream() ? req.getStream() : null,
                    req.getSegmentOutputsList(), req.hasSegments() ? req.getSegments() : null,
                    req.getImageOutputsList());
        }

        private void track(TrackEgressRequest req) {
            type(RequestType.TRACK);
            enc.passthrough = true;
            info.setTrack(Redaction.request(req));
            sourceKind = SourceKind.SDK;
            info.setRoomName(req.getRoomName());
            trackId = req.getTrackId();
            naming.trackId(trackId);
            if (trackId.isEmpty()) {
                throw EgressException.invalidInput("track_id");
            }
            switch (req.getOutputCase()) {
                case FILE -> outputs.directFile(req.getFile());
                case WEBSOCKET_URL -> outputs.directWebSocket(req.getWebsocketUrl());
                default -> throw EgressException.invalidInput("output");
            }
        }

        // ----------------------------------------------------------------------------------- v2 request

        private boolean unified(org.jegress.api.livekit.StartEgressRequest req) {
            info.setEgress(Redaction.request(req));
            if (!req.getRoomName().isEmpty()) {
                info.setRoomName(req.getRoomName());
            }
            encoding(req.hasPreset() ? req.getPreset() : null, req.hasAdvanced() ? req.getAdvanced() : null);
            if (enc.passthrough) {
                validatePassthrough(req);
            }
            boolean connectionInfoRequired = true;
            switch (req.getSourceCase()) {
                case TEMPLATE -> {
                    TemplateSource t = req.getTemplate();
                    type(RequestType.TEMPLATE);
                    sourceKind = shouldUseSdkSource(t.getAudioOnly(), t.getLayout(), t.getCustomBaseUrl())
                            || nativeRenderer(t.getLayout(), t.getCustomBaseUrl())
                            ? SourceKind.SDK
                            : SourceKind.WEB;
                    awaitStartSignal = true;
                    template(t.getLayout(), t.getCustomBaseUrl(), t.getAudioOnly(), t.getVideoOnly());
                }
                case WEB -> {
                    WebSource w = req.getWeb();
                    type(RequestType.WEB);
                    connectionInfoRequired = false;
                    webSource(w.getUrl(), w.getAudioOnly(), w.getVideoOnly(), w.getAwaitStartSignal());
                }
                case MEDIA -> media(req.getMedia());
                default -> throw EgressException.invalidInput("source");
            }
            outputs.unified(req.getOutputsList(), req.hasStorage() ? req.getStorage() : null);
            return connectionInfoRequired;
        }

        private void media(MediaSource media) {
            type(RequestType.MEDIA);
            sourceKind = SourceKind.SDK;
            boolean passthrough = enc.passthrough;
            switch (media.getVideoCase()) {
                case VIDEO_TRACK_ID -> {
                    enc.videoEnabled = true;
                    enc.videoDecoding = !passthrough;
                    videoTrackId = media.getVideoTrackId();
                    if (passthrough) {
                        trackId = videoTrackId;
                    }
                }
                case PARTICIPANT_VIDEO -> {
                    enc.videoEnabled = true;
                    enc.videoDecoding = true;
                    identity = media.getParticipantVideo().getIdentity();
                    screenShare = media.getParticipantVideo().getPreferScreenShare();
                }
                default -> {
                }
            }
            if (media.hasAudio()) {
                if (media.getAudio().getCaptureAll()) {
                    enc.audioEnabled = true;
                    enc.audioTranscoding = true;
                    captureAllAudio = true;
                } else if (media.getAudio().getRoutesCount() > 0) {
                    enc.audioEnabled = true;
                    enc.audioTranscoding = !passthrough;
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
            naming.trackId(trackId);
            if (!enc.audioEnabled && !enc.videoEnabled) {
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
                case VIDEO_TRACK_ID -> {
                    if (media.getVideoTrackId().isEmpty()) {
                        throw EgressException.invalidInput("passthrough video_track_id");
                    }
                    video = media.getVideoTrackId();
                }
                case PARTICIPANT_VIDEO -> throw EgressException.invalidInput("passthrough participant_video");
                default -> {
                }
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
            layout = withoutRenderer(templateLayout);
            baseUrl = customBaseUrl.isEmpty() ? config.templateBase() : customBaseUrl;
            if (!isHttp(baseUrl)) {
                throw EgressException.invalidInput("template base url");
            }
            enc.enableMedia(audioOnly, videoOnly);
        }

        private void webSource(String url, boolean audioOnly, boolean videoOnly, boolean awaitStart) {
            sourceKind = SourceKind.WEB;
            awaitStartSignal = awaitStart;
            webUrl = url;
            if (!isHttp(url)) {
                throw EgressException.invalidInput("web url");
            }
            enc.enableMedia(audioOnly, videoOnly);
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
                        List.copyOf(audioRoutes), captureAllAudio, layout);
            }
            return new EgressPlan(request.getEgressId(), requestType, sourceKind, enc.passthrough, web, room, tracks,
                    enc.audioPlan(), enc.videoPlan(), outputs.files(), outputs.stream(), outputs.segments(),
                    outputs.images(), outputs.webSocket(), info.build());
        }
    }

    // --------------------------------------------------------------------------------------- helpers

    /** The layout prefixes that pick a room composite's renderer for one request. */
    private static final Pattern RENDERER_PREFIX = Pattern.compile("^(native|chrome):",
            Pattern.CASE_INSENSITIVE);

    boolean nativeRenderer(String layout, String customBaseUrl) {
        return nativeRenderer(layout, customBaseUrl, config.roomCompositeRenderer());
    }

    /**
     * Whether GStreamer draws a composite rather than Chromium: never with a custom page; else a {@code native:} or
     * {@code chrome:} layout prefix decides, else the worker's {@code room_composite_renderer}.
     */
    public static boolean nativeRenderer(String layout, String customBaseUrl, String configuredRenderer) {
        if (!customBaseUrl.isEmpty()) {
            return false;
        }
        Matcher m = RENDERER_PREFIX.matcher(layout.trim());
        if (m.find()) {
            return m.group(1).equalsIgnoreCase(ConfigLoader.RENDERER_NATIVE);
        }
        return ConfigLoader.RENDERER_NATIVE.equals(configuredRenderer);
    }

    /** The layout name without a renderer prefix ({@code native:speaker} is {@code speaker}). */
    public static String withoutRenderer(String layout) {
        return RENDERER_PREFIX.matcher(layout.trim()).replaceFirst("");
    }

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

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
