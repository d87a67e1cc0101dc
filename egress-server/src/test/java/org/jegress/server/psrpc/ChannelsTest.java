package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelsTest {

    @Test
    void requestChannelsOfTheEgressRpcs() {
        assertThat(Channels.request("EgressInternal", "StartEgress")).isEqualTo("EgressInternal|StartEgress|REQ");
        assertThat(Channels.claimResponse("EgressInternal", "StartEgress"))
                .isEqualTo("EgressInternal|StartEgress|RCLAIM");
        assertThat(Channels.request("EgressHandler", "StopEgress", "EG_abcdefghijkl"))
                .isEqualTo("EgressHandler|StopEgress|EG_abcdefghijkl|REQ");
        assertThat(Channels.claimResponse("EgressHandler", "UpdateStream", "EG_abcdefghijkl"))
                .isEqualTo("EgressHandler|UpdateStream|EG_abcdefghijkl|RCLAIM");
        assertThat(Channels.request("IOInfo", "CreateEgress")).isEqualTo("IOInfo|CreateEgress|REQ");
        assertThat(Channels.serverStream("Svc", "Method", "t")).isEqualTo("Svc|Method|t|STR");
    }

    @Test
    void clientChannelsCarryServiceAndClientIdNotMethod() {
        assertThat(Channels.response("EgressInternal", "CLI_CCCCCCCCCCCC")).isEqualTo("EgressInternal|CLI_CCCCCCCCCCCC|RES");
        assertThat(Channels.claim("IOInfo", "CLI_CCCCCCCCCCCC")).isEqualTo("IOInfo|CLI_CCCCCCCCCCCC|CLAIM");
        assertThat(Channels.clientStream("IOInfo", "CLI_CCCCCCCCCCCC")).isEqualTo("IOInfo|CLI_CCCCCCCCCCCC|STR");
    }

    @Test
    void emptyTopicVanishes() {
        assertThat(Channels.request("EgressInternal", "StartEgress", "")).isEqualTo("EgressInternal|StartEgress|REQ");
        assertThat(Channels.format("EgressInternal", "StartEgress", List.of(), "REQ"))
                .isEqualTo("EgressInternal|StartEgress|REQ");
        assertThat(Method.START_EGRESS.requestChannel("")).isEqualTo("EgressInternal|StartEgress|REQ");
        assertThat(Method.START_EGRESS.requestChannel(null)).isEqualTo("EgressInternal|StartEgress|REQ");
        assertThat(Method.IO_UPDATE_EGRESS.claimResponseChannel(null)).isEqualTo("IOInfo|UpdateEgress|RCLAIM");
        assertThat(Method.START_EGRESS.requestChannel("cluster1")).isEqualTo("EgressInternal|StartEgress|cluster1|REQ");
    }

    @Test
    void multiSegmentTopics() {
        assertThat(Channels.request("svc", "method", "a", "b", "c")).isEqualTo("svc|method|a|b|c|REQ");
        // §1.5 edge case: a trailing empty segment keeps its delimiter.
        assertThat(Channels.request("svc", "method", "a", "")).isEqualTo("svc|method|a||REQ");
        assertThat(Channels.request("svc", "method", "", "a")).isEqualTo("svc|method|a|REQ");
    }

    @Test
    void escapesEverythingOutsideAlphanumericsAndUnderscore() {
        assertThat(Channels.request("svc", "m", "EG_ab-cd")).isEqualTo("svc|m|EG_abu+002dcd|REQ");
        assertThat(Channels.request("svc", "m", "a|b")).isEqualTo("svc|m|au+007cb|REQ");
        assertThat(Channels.request("svc", "m", "a.b c")).isEqualTo("svc|m|au+002ebu+0020c|REQ");
        assertThat(Channels.request("svc", "m", "é")).isEqualTo("svc|m|u+00e9|REQ");
        assertThat(Channels.request("svc", "m", "\uffff")).isEqualTo("svc|m|u+ffff|REQ");
        // Above the BMP: one code point (a surrogate pair in Java), upper-case U+ and 8 hex digits.
        assertThat(Channels.request("svc", "m", "x\uD83D\uDE00y")).isEqualTo("svc|m|xU+0001f600y|REQ");
        assertThat(Channels.request("svc", "m", new String(Character.toChars(0x10FFFF))))
                .isEqualTo("svc|m|U+0010ffff|REQ");
        // A lone surrogate is not a code point Go could see; it becomes the replacement character.
        assertThat(Channels.request("svc", "m", "\uD800")).isEqualTo("svc|m|u+fffd|REQ");
        assertThat(Channels.response("Svc", "CLI-1")).isEqualTo("Svc|CLIu+002d1|RES");
    }
}
