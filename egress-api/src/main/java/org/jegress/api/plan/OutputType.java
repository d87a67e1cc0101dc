package org.jegress.api.plan;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Containers and protocols egress writes, with their file extension, the codecs each accepts and the
 * codec chosen by default (upstream {@code types.CodecCompatibility} and friends).
 */
public enum OutputType {
    /** File type still to be chosen from the codecs ({@code DEFAULT_FILETYPE}). */
    UNKNOWN_FILE("", "", EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.MP3, MediaType.H264, MediaType.VP8,
            MediaType.VP9), null, null),
    RAW("audio/x-raw", ".raw", EnumSet.of(MediaType.RAW_AUDIO), MediaType.RAW_AUDIO, null),
    OGG("audio/ogg", ".ogg", EnumSet.of(MediaType.OPUS), MediaType.OPUS, null),
    MP3("audio/mpeg", ".mp3", EnumSet.of(MediaType.MP3, MediaType.OPUS, MediaType.AAC, MediaType.RAW_AUDIO),
            MediaType.MP3, null),
    IVF("video/x-ivf", ".ivf", EnumSet.of(MediaType.VP8, MediaType.VP9), null, MediaType.VP8),
    MP4("video/mp4", ".mp4", EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.H264), MediaType.AAC,
            MediaType.H264),
    TS("video/mp2t", ".ts", EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.H264), MediaType.AAC,
            MediaType.H264),
    WEBM("video/webm", ".webm", EnumSet.of(MediaType.OPUS, MediaType.VP8, MediaType.VP9), MediaType.OPUS,
            MediaType.VP8),
    JPEG("image/jpeg", ".jpeg", EnumSet.noneOf(MediaType.class), null, null),
    RTMP("rtmp", "", EnumSet.of(MediaType.AAC, MediaType.H264), MediaType.AAC, MediaType.H264),
    SRT("srt", "", EnumSet.of(MediaType.AAC, MediaType.H264), MediaType.AAC, MediaType.H264),
    HLS("application/x-mpegurl", ".m3u8", EnumSet.of(MediaType.AAC, MediaType.H264), MediaType.AAC,
            MediaType.H264),
    /** A stream URL whose scheme a custom sink claimed: it takes the encoded streams, in any codec we encode. */
    CUSTOM("application/x-egress-stream", "", EnumSet.of(MediaType.AAC, MediaType.OPUS, MediaType.MP3,
            MediaType.H264), MediaType.AAC, MediaType.H264),
    JSON("application/json", ".json", EnumSet.noneOf(MediaType.class), null, null);

    /** Every extension egress knows; a different known extension on a requested path gets replaced. */
    public static final Set<String> KNOWN_EXTENSIONS =
            Set.of(".raw", ".ogg", ".mp3", ".ivf", ".mp4", ".ts", ".webm", ".m3u8", ".jpeg");

    /** Candidates for DEFAULT_FILETYPE, in order of preference. */
    public static final List<OutputType> AUDIO_ONLY_FILE_TYPES = List.of(OGG, MP4, MP3);
    public static final List<OutputType> VIDEO_FILE_TYPES = List.of(MP4);

    private final String mime;
    private final String extension;
    private final Set<MediaType> compatible;
    private final MediaType defaultAudio;
    private final MediaType defaultVideo;

    OutputType(String mime, String extension, Set<MediaType> compatible, MediaType defaultAudio,
            MediaType defaultVideo) {
        this.mime = mime;
        this.extension = extension;
        this.compatible = compatible;
        this.defaultAudio = defaultAudio;
        this.defaultVideo = defaultVideo;
    }

    public String mime() {
        return mime;
    }

    public String extension() {
        return extension;
    }

    public boolean accepts(MediaType codec) {
        return compatible.contains(codec);
    }

    public Set<MediaType> compatibleCodecs() {
        return compatible;
    }

    public Optional<MediaType> defaultAudioCodec() {
        return Optional.ofNullable(defaultAudio);
    }

    public Optional<MediaType> defaultVideoCodec() {
        return Optional.ofNullable(defaultVideo);
    }

    /** Container a track egress writes for a track of this codec (Opus/PCMU/PCMA → OGG, H.264 → MP4, VP8/VP9 → WebM). */
    public static Optional<OutputType> forTrackCodec(MediaType codec) {
        switch (codec) {
            case OPUS:
            case PCMU:
            case PCMA:
                return Optional.of(OGG);
            case H264:
                return Optional.of(MP4);
            case VP8:
            case VP9:
                return Optional.of(WEBM);
            default:
                return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return mime;
    }
}
