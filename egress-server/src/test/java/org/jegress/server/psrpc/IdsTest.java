package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void prefixPlusTwelveAlphanumerics() {
        assertThat(Ids.clientId()).matches("CLI_[A-Za-z0-9]{12}");
        assertThat(Ids.serverId()).matches("SRV_[A-Za-z0-9]{12}");
        assertThat(Ids.requestId()).matches("REQ_[A-Za-z0-9]{12}");
        assertThat(Ids.streamId()).matches("STR_[A-Za-z0-9]{12}");
    }

    @Test
    void idsSurviveChannelSanitizingUnchangedAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Ids.requestId();
            assertThat(Channels.format(id)).isEqualTo(id);
            assertThat(seen.add(id)).isTrue();
        }
    }
}
