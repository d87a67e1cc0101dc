package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The tables of upstream {@code pkg/types/types.go}. */
class OutputTypeTest {

    @Test
    void mimeAndExtension() {
        assertThat(OutputType.OGG.mime()).isEqualTo("audio/ogg");
        assertThat(OutputType.MP3.mime()).isEqualTo("audio/mpeg");
        assertThat(OutputType.MP4.mime()).isEqualTo("video/mp4");
        assertThat(OutputType.WEBM.mime()).isEqualTo("video/webm");
        assertThat(OutputType.TS.mime()).isEqualTo("video/mp2t");
        assertThat(OutputType.IVF.mime()).isEqualTo("video/x-ivf");
        assertThat(OutputType.RAW.mime()).isEqualTo("audio/x-raw");
        assertThat(OutputType.HLS.mime()).isEqualTo("application/x-mpegurl");
        assertThat(OutputType.JSON.mime()).isEqualTo("application/json");
        assertThat(OutputType.JPEG.mime()).isEqualTo("image/jpeg");
        assertThat(OutputType.RTMP.mime()).isEqualTo("rtmp");
        assertThat(OutputType.SRT.mime()).isEqualTo("srt");
        assertThat(OutputType.UNKNOWN_FILE.mime()).isEmpty();
        assertThat(OutputType.MP4.toString()).isEqualTo("video/mp4");

        assertThat(OutputType.RAW.extension()).isEqualTo(".raw");
        assertThat(OutputType.OGG.extension()).isEqualTo(".ogg");
        assertThat(OutputType.MP3.extension()).isEqualTo(".mp3");
        assertThat(OutputType.IVF.extension()).isEqualTo(".ivf");
        assertThat(OutputType.MP4.extension()).isEqualTo(".mp4");
        assertThat(OutputType.TS.extension()).isEqualTo(".ts");
        assertThat(OutputType.WEBM.extension()).isEqualTo(".webm");
        assertThat(OutputType.HLS.extension()).isEqualTo(".m3u8");
        assertThat(OutputType.JPEG.extension()).isEqualTo(".jpeg");
        assertThat(OutputType.RTMP.extension()).isEmpty();
    }

    @Test
    void knownExtensions() {
        assertThat(OutputType.KNOWN_EXTENSIONS).containsExactlyInAnyOrder(".raw", ".ogg", ".mp3", ".ivf", ".mp4",
                ".ts", ".webm", ".m3u8", ".jpeg");
    }

    @Test
    void codecCompatibility() {
        assertThat(OutputType.RAW.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.RAW_AUDIO);
        assertThat(OutputType.OGG.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.OPUS);
        assertThat(OutputType.IVF.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.VP8, MediaType.VP9);
        assertThat(OutputType.MP4.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC, MediaType.OPUS,
                MediaType.H264);
        assertThat(OutputType.TS.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC, MediaType.OPUS,
                MediaType.H264);
        assertThat(OutputType.WEBM.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.OPUS, MediaType.VP8,
                MediaType.VP9);
        assertThat(OutputType.RTMP.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC, MediaType.H264);
        assertThat(OutputType.SRT.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC, MediaType.H264);
        assertThat(OutputType.HLS.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC, MediaType.H264);
        assertThat(OutputType.MP3.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.MP3, MediaType.OPUS,
                MediaType.AAC, MediaType.RAW_AUDIO);
        assertThat(OutputType.UNKNOWN_FILE.compatibleCodecs()).containsExactlyInAnyOrder(MediaType.AAC,
                MediaType.OPUS, MediaType.MP3, MediaType.H264, MediaType.VP8, MediaType.VP9);
        assertThat(OutputType.MP4.accepts(MediaType.H264)).isTrue();
        assertThat(OutputType.MP4.accepts(MediaType.MP3)).isFalse();
        assertThat(OutputType.HLS.accepts(MediaType.MP3)).isFalse();
    }

    @Test
    void defaultCodecs() {
        assertThat(OutputType.RAW.defaultAudioCodec()).contains(MediaType.RAW_AUDIO);
        assertThat(OutputType.OGG.defaultAudioCodec()).contains(MediaType.OPUS);
        assertThat(OutputType.MP3.defaultAudioCodec()).contains(MediaType.MP3);
        assertThat(OutputType.MP4.defaultAudioCodec()).contains(MediaType.AAC);
        assertThat(OutputType.TS.defaultAudioCodec()).contains(MediaType.AAC);
        assertThat(OutputType.WEBM.defaultAudioCodec()).contains(MediaType.OPUS);
        assertThat(OutputType.RTMP.defaultAudioCodec()).contains(MediaType.AAC);
        assertThat(OutputType.SRT.defaultAudioCodec()).contains(MediaType.AAC);
        assertThat(OutputType.HLS.defaultAudioCodec()).contains(MediaType.AAC);
        assertThat(OutputType.IVF.defaultAudioCodec()).isEmpty();

        assertThat(OutputType.IVF.defaultVideoCodec()).contains(MediaType.VP8);
        assertThat(OutputType.MP4.defaultVideoCodec()).contains(MediaType.H264);
        assertThat(OutputType.TS.defaultVideoCodec()).contains(MediaType.H264);
        assertThat(OutputType.WEBM.defaultVideoCodec()).contains(MediaType.VP8);
        assertThat(OutputType.RTMP.defaultVideoCodec()).contains(MediaType.H264);
        assertThat(OutputType.SRT.defaultVideoCodec()).contains(MediaType.H264);
        assertThat(OutputType.HLS.defaultVideoCodec()).contains(MediaType.H264);
        assertThat(OutputType.OGG.defaultVideoCodec()).isEmpty();
        assertThat(OutputType.MP3.defaultVideoCodec()).isEmpty();
    }

    @Test
    void defaultFileTypeCandidates() {
        assertThat(OutputType.AUDIO_ONLY_FILE_TYPES).containsExactly(OutputType.OGG, OutputType.MP4, OutputType.MP3);
        assertThat(OutputType.VIDEO_FILE_TYPES).containsExactly(OutputType.MP4);
    }

    @Test
    void trackContainers() {
        assertThat(OutputType.forTrackCodec(MediaType.OPUS)).contains(OutputType.OGG);
        assertThat(OutputType.forTrackCodec(MediaType.PCMU)).contains(OutputType.OGG);
        assertThat(OutputType.forTrackCodec(MediaType.PCMA)).contains(OutputType.OGG);
        assertThat(OutputType.forTrackCodec(MediaType.H264)).contains(OutputType.MP4);
        assertThat(OutputType.forTrackCodec(MediaType.VP8)).contains(OutputType.WEBM);
        assertThat(OutputType.forTrackCodec(MediaType.VP9)).contains(OutputType.WEBM);
        assertThat(OutputType.forTrackCodec(MediaType.AAC)).isEqualTo(Optional.empty());
    }

    @Test
    void mediaTypes() {
        assertThat(MediaType.AAC.mime()).isEqualTo("audio/aac");
        assertThat(MediaType.OPUS.mime()).isEqualTo("audio/opus");
        assertThat(MediaType.RAW_AUDIO.mime()).isEqualTo("audio/x-raw");
        assertThat(MediaType.MP3.mime()).isEqualTo("audio/mpeg");
        assertThat(MediaType.PCMU.mime()).isEqualTo("audio/pcmu");
        assertThat(MediaType.PCMA.mime()).isEqualTo("audio/pcma");
        assertThat(MediaType.H264.mime()).isEqualTo("video/h264");
        assertThat(MediaType.VP8.mime()).isEqualTo("video/vp8");
        assertThat(MediaType.VP9.mime()).isEqualTo("video/vp9");
        assertThat(MediaType.RAW_VIDEO.mime()).isEqualTo("video/x-raw");
        assertThat(MediaType.JPEG.mime()).isEqualTo("image/jpeg");
        assertThat(MediaType.H264.toString()).isEqualTo("video/h264");
        assertThat(MediaType.MP3.isAudio()).isTrue();
        assertThat(MediaType.VP8.isAudio()).isFalse();
        assertThat(MediaType.JPEG.isAudio()).isFalse();
    }

    @Test
    void requestTypeLabels() {
        assertThat(RequestType.ROOM_COMPOSITE.label()).isEqualTo("room_composite");
        assertThat(RequestType.WEB.label()).isEqualTo("web");
        assertThat(RequestType.PARTICIPANT.label()).isEqualTo("participant");
        assertThat(RequestType.TRACK_COMPOSITE.label()).isEqualTo("track_composite");
        assertThat(RequestType.TRACK.label()).isEqualTo("track");
        assertThat(RequestType.TEMPLATE.label()).isEqualTo("template");
        assertThat(RequestType.MEDIA.label()).isEqualTo("media");
    }
}
