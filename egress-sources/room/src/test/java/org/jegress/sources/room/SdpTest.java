package org.jegress.sources.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The SDP helpers on offers shaped like livekit-server v1.13.5's subscriber offers. */
class SdpTest {

    static final String HEAD = String.join("\r\n",
            "v=0", "o=- 1 2 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=msid-semantic:WMS *",
            "a=fingerprint:sha-256 AA:BB", "a=group:BUNDLE 0 1 2", "");

    static final String DATA = String.join("\r\n",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=setup:actpass", "a=mid:0",
            "a=sendrecv", "a=sctp-port:5000", "a=ice-ufrag:UFRAG1", "a=ice-pwd:PWD1", "");

    static String audio(String mid, String dir, String track) {
        return String.join("\r\n",
                "m=audio 9 UDP/TLS/RTP/SAVPF 63 111 0 8", "c=IN IP4 0.0.0.0", "a=setup:actpass", "a=mid:" + mid,
                "a=ice-ufrag:UFRAG1", "a=ice-pwd:PWD1", "a=rtcp-mux", "a=rtcp-rsize",
                "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111",
                "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtcp-fb:111 nack",
                "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
                "a=ssrc:1111 cname:PA_pub|" + track, "a=ssrc:1111 msid:PA_pub|" + track + " " + track,
                "a=msid:PA_pub|" + track + " " + track, "a=" + dir, "");
    }

    static String video(String mid, String dir, String track) {
        return String.join("\r\n",
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97 125 126 108 109 45 46", "c=IN IP4 0.0.0.0", "a=setup:actpass",
                "a=mid:" + mid, "a=ice-ufrag:UFRAG1", "a=ice-pwd:PWD1", "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
                "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
                "a=rtpmap:125 H264/90000",
                "a=fmtp:125 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
                "a=rtpmap:126 rtx/90000", "a=fmtp:126 apt=125",
                "a=rtpmap:108 H264/90000",
                "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                "a=rtcp-fb:108 nack pli",
                "a=rtpmap:109 rtx/90000", "a=fmtp:109 apt=108",
                "a=rtpmap:45 AV1/90000", "a=rtpmap:46 rtx/90000", "a=fmtp:46 apt=45",
                "a=ssrc-group:FID 2222 3333",
                "a=ssrc:2222 msid:PA_pub|" + track + " " + track, "a=ssrc:3333 msid:PA_pub|" + track + " " + track,
                "a=msid:PA_pub|" + track + " " + track, "a=" + dir, "");
    }

    @Test
    void parsesMidsDirectionsMsidAndBundle() {
        Sdp sdp = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_a") + video("2", "sendonly", "TR_v"));
        assertThat(sdp.media()).hasSize(3);
        assertThat(sdp.byMid("1").orElseThrow().msidTrackId()).contains("TR_a");
        assertThat(sdp.byMid("2").orElseThrow().msidStream).isEqualTo("PA_pub|TR_v");
        assertThat(sdp.byMid("2").orElseThrow().direction).isEqualTo("sendonly");
        assertThat(sdp.bundleMids()).containsExactly("0", "1", "2");
        assertThat(sdp.bundleMasterIndex()).isZero();
        assertThat(sdp.iceUfrags()).containsExactly("UFRAG1");
        assertThat(sdp.hasRed()).isTrue();
    }

    @Test
    void filtersRedAv1AndUnsupportedButKeepsSsrcAndRtx() {
        Sdp sdp = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_a") + video("2", "sendonly", "TR_v"));
        Sdp.FilterResult r = sdp.filterCodecs(mid -> Optional.empty());
        Sdp.Media a = r.sdp().byMid("1").orElseThrow();
        assertThat(a.formats).containsExactly("111", "0", "8");
        assertThat(r.sdp().hasRed()).isFalse();
        Sdp.Media v = r.sdp().byMid("2").orElseThrow();
        assertThat(v.encodings()).containsExactly("VP8", "RTX", "H264");
        assertThat(v.formats).doesNotContain("45", "46");
        String text = r.sdp().toString();
        assertThat(text).contains("a=ssrc:2222 msid:PA_pub|TR_v TR_v", "a=ssrc-group:FID 2222 3333", "a=fmtp:97 apt=96")
                .doesNotContain("AV1", "red/48000", "a=fmtp:46", "a=fmtp:63");
    }

    @Test
    void preferredCodecGoesFirstWithPacketizationModeOne() {
        Sdp sdp = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_a") + video("2", "sendonly", "TR_v"));
        Map<String, TrackCodec> pref = Map.of("2", TrackCodec.H264, "1", TrackCodec.OPUS);
        Sdp.FilterResult r = sdp.filterCodecs(mid -> Optional.ofNullable(pref.get(mid)));
        Sdp.Media v = r.sdp().byMid("2").orElseThrow();
        // only H.264 and its RTX; the packetization-mode=1 variant first (webrtcbin answers with the first)
        assertThat(v.formats.get(0)).isEqualTo("108");
        assertThat(v.formats).containsExactlyInAnyOrder("108", "125", "109", "126");
        assertThat(r.sdp().byMid("1").orElseThrow().formats).containsExactly("111");
        assertThat(r.sdp().toString()).contains("m=video 9 UDP/TLS/RTP/SAVPF 108 125 126 109\r\n");
    }

    @Test
    void inactiveSectionsAreLeftAlone() {
        Sdp sdp = Sdp.parse(HEAD + DATA + audio("1", "inactive", "TR_a"));
        assertThat(sdp.filterCodecs(mid -> Optional.empty()).sdp().byMid("1").orElseThrow().formats)
                .containsExactly("63", "111", "0", "8");
    }

    @Test
    void detectsTransceiverReuseAndIceRestart() {
        Sdp first = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_a"));
        Sdp dead = Sdp.parse(HEAD + DATA + audio("1", "inactive", "TR_a"));
        Sdp reused = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_b"));
        Sdp grown = Sdp.parse(HEAD + DATA + audio("1", "inactive", "TR_a") + audio("2", "sendonly", "TR_b"));
        assertThat(dead.reusedMids(first)).isEmpty();
        assertThat(reused.reusedMids(dead)).containsExactly("1");
        assertThat(reused.reusedMids(first)).containsExactly("1");
        assertThat(grown.reusedMids(dead)).isEmpty();
        assertThat(first.reusedMids(null)).isEmpty();
        // pion writes recvonly for a transceiver whose sender it removed; reusing it is the same problem
        Sdp released = Sdp.parse(HEAD + DATA + audio("1", "recvonly", "TR_a"));
        assertThat(released.reusedMids(first)).isEmpty();
        assertThat(reused.reusedMids(released)).containsExactly("1");

        Sdp restarted = Sdp.parse((HEAD + DATA + audio("1", "sendonly", "TR_a")).replace("UFRAG1", "UFRAG2"));
        assertThat(restarted.restartsIceComparedTo(first)).isTrue();
        assertThat(grown.restartsIceComparedTo(first)).isFalse();
        assertThat(first.restartsIceComparedTo(null)).isFalse();
    }

    @Test
    void mimeTypesMapToCodecs() {
        assertThat(TrackCodec.fromMimeType("video/H264")).contains(TrackCodec.H264);
        assertThat(TrackCodec.fromMimeType("audio/red")).contains(TrackCodec.OPUS);
        assertThat(TrackCodec.fromMimeType("video/AV1")).isEmpty();
        assertThat(TrackCodec.fromEncodingName("vp9")).contains(TrackCodec.VP9);
        RemoteTrack simulcastAv1 = new RemoteTrack("TR_x", "cam", TrackCodec.MediaKind.VIDEO, "CAMERA", "video/AV1",
                java.util.List.of("video/AV1", "video/VP8"), false, 640, 480, "PA_x", "x", "STANDARD");
        assertThat(simulcastAv1.supportedCodec()).contains(TrackCodec.VP8);
    }

    @Test
    void answerAdvertisesEveryReceivableCodecOfTheOffer() {
        Sdp offer = Sdp.parse(HEAD + DATA + audio("1", "sendonly", "TR_a") + video("2", "sendonly", "TR_v"));
        // what webrtcbin answers: one codec per m-line (plus its RTX)
        String answerText = HEAD + DATA
                + String.join("\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:1",
                        "a=rtpmap:111 OPUS/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=recvonly", "")
                + String.join("\r\n", "m=video 9 UDP/TLS/RTP/SAVPF 108 109", "c=IN IP4 0.0.0.0", "a=mid:2",
                        "a=rtpmap:108 H264/90000", "a=fmtp:108 packetization-mode=1;level-asymmetry-allowed=1",
                        "a=rtpmap:109 rtx/90000", "a=fmtp:109 apt=108", "a=recvonly", "");
        Sdp answer = Sdp.parse(answerText).withReceivableCodecs(offer);

        Sdp.Media a = answer.byMid("1").orElseThrow();
        assertThat(a.formats).containsExactly("111", "0", "8");
        assertThat(a.encodings()).containsExactly("OPUS", "PCMU", "PCMA");
        Sdp.Media v = answer.byMid("2").orElseThrow();
        // the chosen codec stays first; VP8 follows with its RTX; never a second H.264 variant, RED or AV1
        assertThat(v.formats).containsExactly("108", "109", "96", "97");
        assertThat(v.apt("97")).isEqualTo("96");
        // webrtcbin's H.264 answer lacks profile-level-id: it is answered as offered, so pion matches it exactly
        assertThat(v.fmtp.get("108")).isEqualTo("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
        assertThat(v.direction).isEqualTo("recvonly");
        assertThat(answer.hasRed()).isFalse();
        assertThat(answer.toString()).doesNotContain("AV1");
    }
}
