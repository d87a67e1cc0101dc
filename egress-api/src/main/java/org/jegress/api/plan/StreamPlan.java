package org.jegress.api.plan;

import java.util.List;

/**
 * The stream output: one encode muxed once (FLV for RTMP, MPEG-TS for SRT) and sent to every URL. URLs may be added
 * and removed while the egress runs ({@code UpdateStream}); this is the list it starts with, possibly empty when
 * other outputs exist.
 *
 * @param type {@link OutputType#RTMP} or {@link OutputType#SRT}
 * @param urls destinations, in request order
 */
public record StreamPlan(OutputType type, List<StreamUrl> urls) {

    public StreamPlan {
        urls = List.copyOf(urls);
    }
}
