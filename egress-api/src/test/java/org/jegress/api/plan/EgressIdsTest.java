package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class EgressIdsTest {

    @Test
    void egressIdShape() {
        for (int i = 0; i < 1000; i++) {
            // base57: no 0, 1, I, O, l
            assertThat(EgressIds.newEgressId()).matches("EG_[2-9A-HJ-NP-Za-km-z]{12}");
        }
    }

    @Test
    void otherPrefixes() {
        assertThat(EgressIds.newId("RP_")).matches("RP_[2-9A-HJ-NP-Za-km-z]{12}");
    }

    @Test
    void idsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(EgressIds.newEgressId())).isTrue();
        }
    }
}
