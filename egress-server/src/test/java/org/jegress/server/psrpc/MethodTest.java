package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

class MethodTest {

    @Test
    void routingFlagsMatchTheGeneratedGoCode() {
        // §1.6: (affinity, multi, requireClaim, queue)
        assertThat(List.of(Method.START_EGRESS, Method.LIST_ACTIVE_EGRESS, Method.STOP_EGRESS, Method.UPDATE_STREAM,
                Method.IO_CREATE_EGRESS, Method.IO_UPDATE_EGRESS, Method.IO_GET_EGRESS, Method.IO_LIST_EGRESS,
                Method.IO_UPDATE_METRICS))
                .extracting(Method::service, Method::name, Method::affinity, Method::multi, Method::requireClaim,
                        Method::queue)
                .containsExactly(
                        tuple("EgressInternal", "StartEgress", true, false, true, false),
                        tuple("EgressInternal", "ListActiveEgress", false, true, false, false),
                        tuple("EgressHandler", "StopEgress", false, false, true, true),
                        tuple("EgressHandler", "UpdateStream", false, false, true, true),
                        tuple("IOInfo", "CreateEgress", false, false, true, true),
                        tuple("IOInfo", "UpdateEgress", false, false, true, true),
                        tuple("IOInfo", "GetEgress", false, false, true, true),
                        tuple("IOInfo", "ListEgress", false, false, true, true),
                        tuple("IOInfo", "UpdateMetrics", false, false, true, true));
    }

    @Test
    void defaultSelectionPerMethod() {
        CallOptions.Selection affinity = CallOptions.Selection.forMethod(Method.START_EGRESS,
                CallOptions.Selection.DEFAULT_AFFINITY_TIMEOUT);
        assertThat(affinity.acceptFirstAvailable()).isFalse();
        assertThat(affinity.shortCircuitTimeout()).hasMillis(200);
        assertThat(affinity.affinityTimeout()).hasSeconds(1);
        CallOptions.Selection queue = CallOptions.Selection.forMethod(Method.IO_CREATE_EGRESS,
                CallOptions.Selection.DEFAULT_AFFINITY_TIMEOUT);
        assertThat(queue.acceptFirstAvailable()).isTrue();
        assertThat(CallOptions.Selection.START_EGRESS.maximumAffinity()).isEqualTo(1f);
        assertThat(CallOptions.Selection.START_EGRESS.shortCircuitTimeout()).hasMillis(500);
    }
}
