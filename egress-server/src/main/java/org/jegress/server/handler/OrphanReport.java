package org.jegress.server.handler;

import java.time.Duration;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.psrpc.CallOptions;
import org.jegress.server.psrpc.Ids;
import org.jegress.server.psrpc.Method;
import org.jegress.server.psrpc.PsrpcClient;
import org.jegress.server.psrpc.RedisBus;
import org.jegress.server.worker.RedisUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last word of a handler whose worker died: it reports the egress FAILED ("egress worker exited unexpectedly",
 * 500) to livekit-server itself, keeping the results of the outputs it finalised, so the egress does not stay
 * ACTIVE in ListEgress forever (upstream leaves it there, livekit/livekit#1717).
 */
final class OrphanReport {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanReport.class);
    static final String MESSAGE = "egress worker exited unexpectedly";

    private OrphanReport() {
    }

    static void send(EgressConfig config, EgressInfo last) {
        EgressInfo.Builder b = last.toBuilder();
        if (last.getStatus() != EgressStatus.EGRESS_FAILED && last.getStatus() != EgressStatus.EGRESS_ABORTED) {
            b.setStatus(EgressStatus.EGRESS_FAILED).setError(MESSAGE).setErrorCode(500);
        }
        EgressInfo info = b.build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (RedisBus bus = RedisUris.connect(config.redis());
                PsrpcClient io = new PsrpcClient(bus, "IOInfo", Ids.clientId(), config.ioSelectionTimeout())) {
            while (true) {
                try {
                    io.call(Method.IO_UPDATE_EGRESS, "", info, CallOptions.withTimeoutOf(config.ioUpdateTimeout()));
                    LOG.info("{}: reported {} directly to livekit-server", info.getEgressId(), info.getStatus());
                    return;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    LOG.warn("{}: UpdateEgress failed ({}), retrying", info.getEgressId(), e.getMessage());
                    Thread.sleep(1000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: could not report the final state: {}", info.getEgressId(), e.getMessage());
        }
    }
}
