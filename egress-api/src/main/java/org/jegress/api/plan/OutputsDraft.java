package org.jegress.api.plan;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ImageCodec;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.ImagesInfo;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.SegmentedFileProtocol;
import org.jegress.api.livekit.SegmentsInfo;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamInfoList;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.StreamProtocol;

/**
 * The outputs of one request while it is planned: file, stream (RTMP/SRT), HLS segments, images and the raw-audio
 * WebSocket, with their result entries in EgressInfo, the deprecated single {@code result}, the key frame rules that
 * depend on the combination, and finally the codecs every output accepts (upstream
 * {@code updateEncodedOutputs} / {@code updateOutputs} / {@code validateAndUpdateOutputParams}).
 */
final class OutputsDraft {

    /** Upstream: streams get a key frame every 4 s unless asked otherwise. */
    static final double STREAM_KEY_FRAME_INTERVAL = 4.0;

    private final EgressInfo.Builder info;
    private final EncodingSettings enc;
    private final PlanNaming naming;
    private final StorageResolver storageResolver;
    private final StreamUrls streamUrls;
    private final long nowNs;

    /** The file being planned; its type may still be UNKNOWN_FILE until codecs are known. */
    private OutputType fileType;
    private String filePath;
    private boolean fileDisableManifest;
    private StorageTarget fileStorage;
    /** The requested file path while it still depends on the room's tracks. */
    private String pendingPath;

    private StreamPlan stream;
    private SegmentsPlan segments;
    private final List<ImagesPlan> images = new ArrayList<>();
    private String webSocketUrl;
    private int outputCount;

    OutputsDraft(EgressInfo.Builder info, EncodingSettings enc, PlanNaming naming, StorageResolver storageResolver,
            StreamUrls streamUrls, long nowNs) {
        this.info = info;
        this.enc = enc;
        this.naming = naming;
        this.storageResolver = storageResolver;
        this.streamUrls = streamUrls;
        this.nowNs = nowNs;
    }

    // ----------------------------------------------------------------------------------- v1 outputs

    /** The v1 output lists (and the deprecated single fields when the lists are empty). */
    void encoded(List<EncodedFileOutput> files, EncodedFileOutput deprecatedFile, List<StreamOutput> streams,
            StreamOutput deprecatedStream, List<SegmentedFileOutput> segmentOutputs,
            SegmentedFileOutput deprecatedSegments, List<ImageOutput> imageOutputs) {
        EncodedFileOutput file = single(files, deprecatedFile, "multiple file outputs");
        StreamOutput streamOut = single(streams, deprecatedStream, "multiple stream outputs");
        SegmentedFileOutput segment = single(segmentOutputs, deprecatedSegments, "multiple segmented file outputs");
        boolean others;
        if (file != null) {
            encodedFile(fileType(file.getFileType()), file.getFilepath(), file.getDisableManifest(),
                    storageResolver.resolve(StorageResolver.uploadOf(file)));
            others = streamOut != null || segment != null || !imageOutputs.isEmpty();
            if (!others) {
                info.setFile(info.getFileResults(0));
            }
        }
        if (streamOut != null) {
            OutputType type = streamType(streamOut.getProtocol(), streamOut.getUrlsList());
            if (type == OutputType.RAW) {
                webSocketOutput(streamOut.getUrlsList());
            } else {
                streamOutput(type, streamOut.getUrlsList());
            }
            others = file != null || segment != null || !imageOutputs.isEmpty();
            if (!others) {
                if (streamOut.getUrlsCount() == 0) {
                    // an empty stream output is only valid next to other outputs
                    throw EgressException.invalidInput("stream url");
                }
                info.setStream(StreamInfoList.newBuilder().addAllInfo(info.getStreamResultsList()));
            }
        }
        if (segment != null) {
            segmentOutput(segment, StorageResolver.uploadOf(segment));
            if (file == null && streamOut == null && imageOutputs.isEmpty()) {
                info.setSegments(info.getSegmentResults(0));
            }
        }
        keyFrameRules();
        if (!imageOutputs.isEmpty()) {
            if (!enc.videoEnabled) {
                throw EgressException.invalidInput("audio_only images");
            }
            if (file == null && streamOut == null && segment == null) {
                enc.disableAudio();
            }
            for (ImageOutput img : imageOutputs) {
                imageOutput(img, StorageResolver.uploadOf(img));
            }
        }
        if (outputCount == 0) {
            throw EgressException.invalidInput("output");
        }
    }

    // ----------------------------------------------------------------------------------- v2 outputs

    /** The v2 {@code outputs}: per-output storage wins over the request's. */
    void unified(List<Output> outputs, org.jegress.api.livekit.StorageConfig requestStorage) {
        if (outputs.isEmpty()) {
            throw EgressException.invalidInput("output");
        }
        int files = 0;
        int streams = 0;
        int segmentCount = 0;
        for (Output out : outputs) {
            org.jegress.api.livekit.StorageConfig storage = out.hasStorage() ? out.getStorage() : requestStorage;
            switch (out.getConfigCase()) {
                case FILE:
                    if (++files > 1) {
                        throw EgressException.invalidInput("multiple file outputs");
                    }
                    encodedFile(fileType(out.getFile().getFileType()), out.getFile().getFilepath(),
                            out.getFile().getDisableManifest(), storageResolver.resolve(storage));
                    break;
                case STREAM:
                    if (++streams > 1) {
                        throw EgressException.invalidInput("multiple stream outputs");
                    }
                    StreamOutput s = out.getStream();
                    OutputType type = streamType(s.getProtocol(), s.getUrlsList());
                    if (type == OutputType.RAW) {
                        webSocketOutput(s.getUrlsList());
                    } else {
                        streamOutput(type, s.getUrlsList());
                    }
                    break;
                case SEGMENTS:
                    if (++segmentCount > 1) {
                        throw EgressException.invalidInput("multiple segmented file outputs");
                    }
                    segmentOutput(out.getSegments(), storage);
                    break;
                case IMAGES:
                    if (!enc.videoEnabled) {
                        throw EgressException.invalidInput("audio_only images");
                    }
                    imageOutput(out.getImages(), storage);
                    break;
                default:
                    throw EgressException.invalidInput("output config");
            }
        }
        if (outputCount == 0) {
            throw EgressException.invalidInput("output");
        }
        boolean file = fileType != null;
        boolean anyStream = stream != null || webSocketUrl != null;
        if (!file && !anyStream && segments == null && !images.isEmpty()) {
            enc.disableAudio();
        }
        // the deprecated single result, for older clients, when one kind of output is used
        if (images.isEmpty()) {
            if (file && !anyStream && segments == null) {
                info.setFile(info.getFileResults(0));
            } else if (anyStream && !file && segments == null && info.getStreamResultsCount() > 0) {
                info.setStream(StreamInfoList.newBuilder().addAllInfo(info.getStreamResultsList()));
            } else if (segments != null && !file && !anyStream) {
                info.setSegments(info.getSegmentResults(0));
            }
        }
        keyFrameRules();
    }

    /** Upstream: segments decide key frames (at segment boundaries); otherwise streams get one every 4 s. */
    private void keyFrameRules() {
        if (segments != null) {
            if (stream != null && enc.keyFrameInterval > 0) {
                segments = segments.withSegmentDuration(Math.min((int) enc.keyFrameInterval,
                        segments.segmentDuration()));
            }
            enc.keyFrameInterval = 0;
        } else if (enc.keyFrameInterval == 0 && stream != null) {
            enc.keyFrameInterval = STREAM_KEY_FRAME_INTERVAL;
        }
    }

    // ----------------------------------------------------------------------------------- track egress

    /** A track egress's file: its container waits for the track's codec. */
    void directFile(DirectFileOutput f) {
        String path = FilenameTemplate.clean(f.getFilepath());
        naming.checkRetrySafe(path);
        planFile(OutputType.UNKNOWN_FILE, path, f.getDisableManifest(),
                storageResolver.resolve(StorageResolver.uploadOf(f)));
        // upstream always reports a track egress's file in the deprecated result too
        info.setFile(info.getFileResults(0));
    }

    /** A track egress's WebSocket. */
    void directWebSocket(String url) {
        webSocket(url);
        // upstream reports the websocket in the deprecated result as well
        info.setStream(StreamInfoList.newBuilder().addAllInfo(info.getStreamResultsList()));
    }

    // ----------------------------------------------------------------------------------- each output

    /** The output type a stream output's protocol (or its first URL's scheme) selects. */
    private OutputType streamType(StreamProtocol protocol, List<String> urls) {
        switch (protocol) {
            case RTMP:
                return OutputType.RTMP;
            case SRT:
                return OutputType.SRT;
            case WEBSOCKET:
                return OutputType.RAW;
            default:
                if (urls.isEmpty()) {
                    throw EgressException.invalidInput("stream protocol");
                }
                return streamUrls.outputTypeOf(urls.get(0))
                        .orElseThrow(() -> EgressException.invalidUrl(urls.get(0), "invalid protocol"));
        }
    }

    private void streamOutput(OutputType type, List<String> urls) {
        List<StreamUrl> parsed = new ArrayList<>();
        for (String url : urls) {
            StreamUrl u = streamUrls.parse(url, type);
            if (parsed.stream().anyMatch(p -> p.url().equals(u.url()))) {
                throw EgressException.invalidUrl(url, "duplicate url");
            }
            parsed.add(u);
            // an RTMP stream has started once its connection is up; others once the pipeline plays
            StreamInfo.Builder si = StreamInfo.newBuilder().setUrl(u.redacted()).setStatus(StreamInfo.Status.ACTIVE);
            if (type != OutputType.RTMP) {
                si.setStartedAt(nowNs);
            }
            info.addStreamResults(si);
        }
        stream = new StreamPlan(type, parsed);
        outputCount += urls.size();
        // RTMP and SRT carry H.264 and AAC whatever was asked (upstream); custom sinks take what the codecs allow
        if (type != OutputType.CUSTOM) {
            if (enc.audioEnabled) {
                enc.audioCodec = MediaType.AAC;
            }
            if (enc.videoEnabled) {
                enc.videoCodec = MediaType.H264;
            }
        }
        if (enc.videoEnabled) {
            enc.videoEncoding = true;
        }
    }

    /** A v2 WebSocket output (any source): raw audio only, so video is dropped. */
    private void webSocketOutput(List<String> urls) {
        if (urls.size() != 1) {
            throw EgressException.invalidInput("websocket url");
        }
        webSocket(urls.get(0));
        if (enc.audioEnabled && enc.videoEnabled) {
            enc.disableVideo();
        }
    }

    private void webSocket(String url) {
        if (StreamUrls.typeOf(url).orElse(null) != OutputType.RAW || url.length() <= url.indexOf("://") + 3) {
            throw EgressException.invalidUrl(url, "invalid scheme");
        }
        webSocketUrl = url;
        outputCount++;
        info.addStreamResults(StreamInfo.newBuilder().setUrl(url).setStatus(StreamInfo.Status.ACTIVE)
                .setStartedAt(nowNs));
    }

    private void segmentOutput(SegmentedFileOutput s, org.jegress.api.livekit.StorageConfig upload) {
        StorageTarget storage = storageResolver.resolve(upload);
        String prefix = FilenameTemplate.clean(s.getFilenamePrefix());
        String playlist = FilenameTemplate.clean(s.getPlaylistName());
        // segments are "<prefix>_<index>.ts": a retry must not overwrite the first attempt's
        if (naming.retryCount() > 0) {
            if (!prefix.isEmpty() && !prefix.contains("{retry}")
                    || prefix.isEmpty() && !playlist.isEmpty() && !playlist.contains("{retry}")) {
                throw EgressException.nonRetryableOutput();
            }
        }
        if (s.getProtocol() != SegmentedFileProtocol.DEFAULT_SEGMENTED_FILE_PROTOCOL
                && s.getProtocol() != SegmentedFileProtocol.HLS_PROTOCOL) {
            throw EgressException.invalidInput("protocol");
        }
        int duration = s.getSegmentDuration() == 0 ? SegmentsPlan.DEFAULT_SEGMENT_DURATION : s.getSegmentDuration();
        if (duration < 1 || duration > 3600) {
            throw EgressException.invalidInput("segment_duration");
        }
        String live = FilenameTemplate.clean(s.getLivePlaylistName());
        FilenameTemplate t = naming.template();
        String generated = naming.generatedName();
        SegmentsPlan.Pending pending = naming.dependsOnTracks()
                ? new SegmentsPlan.Pending(t.apply(prefix), t.apply(playlist), t.apply(live), generated) : null;
        segments = SegmentsPlan.named(t.apply(prefix), t.apply(playlist), t.apply(live), generated,
                s.getFilenameSuffix(), duration, s.getDisableManifest(), storage, pending);
        outputCount++;
        if (enc.videoEnabled) {
            enc.videoEncoding = true;
        }
        info.addSegmentResults(SegmentsInfo.newBuilder().setPlaylistName(segments.playlistPath())
                .setLivePlaylistName(segments.livePlaylistPath()));
    }

    private void imageOutput(ImageOutput img, org.jegress.api.livekit.StorageConfig upload) {
        if (img.getImageCodec() != ImageCodec.IC_DEFAULT && img.getImageCodec() != ImageCodec.IC_JPEG) {
            throw EgressException.noCompatibleCodec();
        }
        switch (img.getFilenameSuffix()) {
            case IMAGE_SUFFIX_INDEX, IMAGE_SUFFIX_TIMESTAMP, IMAGE_SUFFIX_NONE_OVERWRITE -> {
            }
            default -> throw EgressException.invalidInput("filename_suffix");
        }
        StorageTarget storage = storageResolver.resolve(upload);
        int interval = img.getCaptureInterval() == 0 ? ImagesPlan.DEFAULT_CAPTURE_INTERVAL : img.getCaptureInterval();
        if (interval > 86_400) {
            throw EgressException.invalidInput("capture_interval");
        }
        int width = img.getWidth() == 0 ? enc.width : imageSide(img.getWidth(), "width");
        int height = img.getHeight() == 0 ? enc.height : imageSide(img.getHeight(), "height");
        FilenameTemplate t = naming.template();
        String prefix = t.apply(FilenameTemplate.clean(img.getFilenamePrefix()));
        String generated = naming.generatedName();
        ImagesPlan.Pending pending = naming.dependsOnTracks() ? new ImagesPlan.Pending(prefix, generated) : null;
        ImagesPlan plan = ImagesPlan.named("images_" + images.size(), prefix, generated, interval, width, height,
                img.getFilenameSuffix(), img.getDisableManifest(), storage, pending);
        images.add(plan);
        outputCount++;
        info.addImageResults(ImagesInfo.newBuilder().setFilenamePrefix(plan.prefixPath()));
    }

    private static int imageSide(int value, String field) {
        if (value < 16 || value % 2 == 1 || value > EncodingSettings.MAX_SIDE) {
            throw EgressException.invalidInput(field);
        }
        return value;
    }

    private void encodedFile(OutputType type, String requestedPath, boolean disableManifest, StorageTarget storage) {
        String path = FilenameTemplate.clean(requestedPath);
        naming.checkRetrySafe(path);
        planFile(type, path, disableManifest, storage);
        if (enc.videoEnabled && !enc.passthrough) {
            enc.videoEncoding = true;
        }
    }

    private void planFile(OutputType type, String cleanedPath, boolean disableManifest, StorageTarget storage) {
        fileType = type;
        filePath = cleanedPath;
        fileDisableManifest = disableManifest;
        fileStorage = storage;
        outputCount++;
        FileInfo.Builder fi = FileInfo.newBuilder();
        if (naming.dependsOnTracks()) {
            pendingPath = naming.template().apply(cleanedPath);
        }
        if (type != OutputType.UNKNOWN_FILE) {
            filePath = naming.resolveFilePath(type, cleanedPath);
            fi.setFilename(filePath);
        } else {
            filePath = naming.template().apply(cleanedPath);
        }
        info.addFileResults(fi);
    }

    private static <T> T single(List<T> list, T deprecated, String multipleError) {
        if (list.size() > 1) {
            throw EgressException.invalidInput(multipleError);
        }
        return list.isEmpty() ? deprecated : list.get(0);
    }

    private static OutputType fileType(EncodedFileType t) {
        return switch (t) {
            case MP4 -> OutputType.MP4;
            case OGG -> OutputType.OGG;
            case MP3 -> OutputType.MP3;
            default -> OutputType.UNKNOWN_FILE;
        };
    }

    // ----------------------------------------------------------------------------------- codecs

    /** The outputs that take encoded media, in the order their default codecs are preferred. */
    private List<OutputType> encodedOutputs() {
        List<OutputType> outputs = new ArrayList<>();
        if (fileType != null) {
            outputs.add(fileType);
        }
        if (segments != null) {
            outputs.add(OutputType.HLS);
        }
        if (stream != null) {
            outputs.add(stream.type());
        }
        return outputs;
    }

    /**
     * Picks codecs every output accepts and, for DEFAULT_FILETYPE, the container: audio-only prefers OGG, then
     * MP4, then MP3; anything with video is MP4. A WebSocket takes the raw mix whatever the others get.
     */
    void selectCodecs() {
        List<OutputType> outputs = encodedOutputs();
        Set<MediaType> audioCodecs = EnumSet.noneOf(MediaType.class);
        Set<MediaType> videoCodecs = EnumSet.noneOf(MediaType.class);
        if (enc.audioEnabled) {
            audioCodecs = enc.audioCodec == null
                    ? EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.RAW_AUDIO, MediaType.MP3)
                    : EnumSet.of(enc.audioCodec);
            for (OutputType o : outputs) {
                audioCodecs.retainAll(o.compatibleCodecs());
                if (audioCodecs.isEmpty()) {
                    if (enc.audioCodec == null) {
                        throw EgressException.noCompatibleCodec();
                    }
                    throw EgressException.incompatible(o.mime(), enc.audioCodec.mime());
                }
            }
        }
        if (enc.videoEnabled) {
            videoCodecs = enc.videoCodec == null ? EnumSet.of(MediaType.H264) : EnumSet.of(enc.videoCodec);
            for (OutputType o : outputs) {
                videoCodecs.retainAll(o.compatibleCodecs());
                if (videoCodecs.isEmpty()) {
                    // Name the codec even when the request left it to us: H.264 is all we encode.
                    MediaType wanted = enc.videoCodec == null ? MediaType.H264 : enc.videoCodec;
                    throw EgressException.incompatible(o.mime(), wanted.mime());
                }
            }
        }

        if (fileType == OutputType.UNKNOWN_FILE) {
            List<OutputType> candidates = enc.videoEnabled ? OutputType.VIDEO_FILE_TYPES
                    : OutputType.AUDIO_ONLY_FILE_TYPES;
            OutputType chosen = null;
            for (OutputType candidate : candidates) {
                boolean audioOk = !enc.audioEnabled || audioCodecs.stream().anyMatch(candidate::accepts);
                boolean videoOk = !enc.videoEnabled || videoCodecs.stream().anyMatch(candidate::accepts);
                if (audioOk && videoOk) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                throw EgressException.noCompatibleFileOutputType();
            }
            fileType = chosen;
            filePath = naming.resolveFilePath(chosen, filePath);
            info.setFileResults(0, info.getFileResults(0).toBuilder().setFilename(filePath));
            if (info.hasFile()) {
                info.setFile(info.getFileResults(0));
            }
            outputs = encodedOutputs();
        }

        if (enc.audioEnabled) {
            enc.audioCodec = outputs.isEmpty() && webSocketUrl != null ? MediaType.RAW_AUDIO
                    : pick(outputs, audioCodecs, true);
        }
        if (enc.videoEnabled) {
            enc.videoCodec = pick(outputs, videoCodecs, false);
        }
    }

    /** The first output's default codec that is compatible with all outputs, else any compatible one. */
    private static MediaType pick(List<OutputType> outputs, Set<MediaType> compatible, boolean audio) {
        for (OutputType o : outputs) {
            MediaType d = (audio ? o.defaultAudioCodec() : o.defaultVideoCodec()).orElse(null);
            if (d != null && compatible.contains(d)) {
                return d;
            }
        }
        return compatible.iterator().next();
    }

    // ----------------------------------------------------------------------------------- result

    List<FilePlan> files() {
        if (fileType == null) {
            return List.of();
        }
        FilePlan.Pending pending = pendingPath == null ? null : new FilePlan.Pending(pendingPath,
                naming.generatedName());
        return List.of(new FilePlan(fileType, filePath, fileDisableManifest, fileStorage, pending));
    }

    StreamPlan stream() {
        return stream;
    }

    SegmentsPlan segments() {
        return segments;
    }

    List<ImagesPlan> images() {
        return List.copyOf(images);
    }

    WebSocketPlan webSocket() {
        return webSocketUrl == null ? null : new WebSocketPlan(webSocketUrl);
    }
}
