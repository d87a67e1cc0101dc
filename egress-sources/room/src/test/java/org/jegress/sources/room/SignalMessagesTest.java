package org.jegress.sources.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HexFormat;

import org.jegress.sources.room.proto.LeaveRequest;
import org.jegress.sources.room.proto.DisconnectReason;
import org.jegress.sources.room.proto.ParticipantTracks;
import org.jegress.sources.room.proto.Ping;
import org.jegress.sources.room.proto.SignalRequest;
import org.jegress.sources.room.proto.SignalTarget;
import org.jegress.sources.room.proto.TrickleRequest;
import org.jegress.sources.room.proto.UpdateSubscription;
import org.junit.jupiter.api.Test;

/** Golden wire bytes of what the recorder sends (field numbers per livekit_rtc.proto at livekit-server v1.13.5). */
class SignalMessagesTest {

    private static String hex(SignalRequest r) {
        return HexFormat.of().formatHex(r.toByteArray());
    }

    @Test
    void updateSubscriptionIsField6WithBothSidLists() {
        SignalRequest r = SignalRequest.newBuilder().setSubscription(UpdateSubscription.newBuilder()
                .addTrackSids("TR_a").setSubscribe(true)
                .addParticipantTracks(ParticipantTracks.newBuilder().setParticipantSid("PA_p").addTrackSids("TR_a")))
                .build();
        // 32 = field 6 (LEN); inside: 0a track_sids, 10 01 subscribe, 1a participant_tracks{0a PA_p, 12 TR_a}
        assertThat(hex(r)).isEqualTo("3216" + "0a04" + "54525f61" + "1001" + "1a0c" + "0a04" + "50415f70" + "1204"
                + "54525f61");
    }

    @Test
    void trickleTargetsTheSubscriberExplicitly() {
        SignalRequest r = SignalRequest.newBuilder().setTrickle(TrickleRequest.newBuilder()
                .setCandidateInit("{}").setTarget(SignalTarget.SUBSCRIBER)).build();
        // 1a = field 3; 0a 02 "{}" candidateInit; 10 01 target = SUBSCRIBER (the proto3 default 0 would be PUBLISHER)
        assertThat(hex(r)).isEqualTo("1a06" + "0a027b7d" + "1001");
    }

    @Test
    void pingReqIsField16AndLeaveIsField8() {
        SignalRequest ping = SignalRequest.newBuilder().setPingReq(Ping.newBuilder().setTimestamp(1).setRtt(2)).build();
        assertThat(hex(ping)).isEqualTo("8201" + "04" + "0801" + "1002");
        SignalRequest leave = SignalRequest.newBuilder().setLeave(LeaveRequest.newBuilder()
                .setReason(DisconnectReason.CLIENT_INITIATED).setAction(LeaveRequest.Action.DISCONNECT)).build();
        assertThat(hex(leave)).isEqualTo("4202" + "1001");
    }

    @Test
    void joinUrlCarriesTheReuseMitigation() {
        URI base = URI.create("ws://10.0.0.1:7880");
        assertThat(SignalClient.endpoint(base, "/rtc", SignalClient.joinQuery(TransceiverReuseMitigation.BROWSER_SAFARI),
                true)).hasToString("ws://10.0.0.1:7880/rtc?protocol=17&auto_subscribe=0&adaptive_stream=0&browser=safari");
        assertThat(SignalClient.endpoint(URI.create("https://lk.example.com/"), "/rtc/validate",
                SignalClient.joinQuery(TransceiverReuseMitigation.PROTOCOL_3), false))
                .hasToString("https://lk.example.com/rtc/validate?protocol=3&auto_subscribe=0&adaptive_stream=0");
        assertThat(SignalClient.joinQuery(TransceiverReuseMitigation.NONE)).containsEntry("protocol", "17")
                .doesNotContainKey("browser");
    }
}
