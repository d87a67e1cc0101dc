package org.jegress.api.admission;

import org.jegress.api.config.CpuCostConfig;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.ExportReplayRequest;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.plan.RequestType;
import org.jegress.api.rpc.StartEgressRequest;

/**
 * The static cost table ({@code cpu_cost:}) applied to a request: upstream's {@code costsForRequest} and
 * {@code requestTypeFromReq}, one place for both the admission check and the reservation.
 */
final class RequestCosts {

    private RequestCosts() {
    }

    /**
     * The v2 source and preset, shared by {@code egress} ({@code livekit.StartEgressRequest}) and {@code replay}.
     * The generated {@code getPreset()} answers the zero value unless the encoding oneof holds a preset, as Go's
     * {@code GetPreset()} does.
     */
    private record V2(TemplateSource template, WebSource web, MediaSource media, boolean passthrough) {

        static V2 of(org.jegress.api.livekit.StartEgressRequest r) {
            return new V2(r.hasTemplate() ? r.getTemplate() : null, r.hasWeb() ? r.getWeb() : null,
                    r.hasMedia() ? r.getMedia() : null, r.getPreset() == EncodingOptionsPreset.PASSTHROUGH);
        }

        static V2 of(ExportReplayRequest r) {
            return new V2(r.hasTemplate() ? r.getTemplate() : null, r.hasWeb() ? r.getWeb() : null,
                    r.hasMedia() ? r.getMedia() : null, r.getPreset() == EncodingOptionsPreset.PASSTHROUGH);
        }

    }

    /** What a room composite or v2 template reserves, the same for both request shapes. */
    private record Composite(double cpu, double memory, boolean web) {
        static Composite of(CpuCostConfig c, boolean audioOnly, String layout, String customBaseUrl, String renderer) {
            boolean drawn = EgressPlanner.nativeRenderer(layout, customBaseUrl, renderer);
            boolean sdk = usesSdkSource(audioOnly, layout, customBaseUrl) || drawn;
            if (audioOnly) {
                return sdk ? new Composite(c.sdkAudioRoomCompositeCpuCost(), c.sdkAudioRoomCompositeMemoryCost(), false)
                        : new Composite(c.audioRoomCompositeCpuCost(), c.memoryCost(), true);
            }
            return new Composite(drawn ? c.nativeRoomCompositeCpuCost() : c.roomCompositeCpuCost(), c.memoryCost(),
                    !sdk);
        }
    }

    static RequestCost of(CpuCostConfig c, StartEgressRequest req, String renderer) {
        double cpu = 0;
        double memory = c.memoryCost();
        boolean web = false;
        switch (req.getRequestCase()) {
            case ROOM_COMPOSITE: {
                var rc = req.getRoomComposite();
                Composite k = Composite.of(c, rc.getAudioOnly(), rc.getLayout(), rc.getCustomBaseUrl(), renderer);
                cpu = k.cpu();
                memory = k.memory();
                web = k.web();
                break;
            }
            case WEB:
                web = true;
                cpu = req.getWeb().getAudioOnly() ? c.audioWebCpuCost() : c.webCpuCost();
                break;
            case PARTICIPANT:
                cpu = c.participantCpuCost();
                break;
            case TRACK_COMPOSITE:
                cpu = c.trackCompositeCpuCost();
                break;
            case TRACK:
                cpu = c.trackCpuCost();
                break;
            case EGRESS:
            case REPLAY: {
                V2 v2 = req.getRequestCase() == StartEgressRequest.RequestCase.EGRESS
                        ? V2.of(req.getEgress()) : V2.of(req.getReplay());
                if (v2.template() != null) {
                    TemplateSource t = v2.template();
                    Composite k = Composite.of(c, t.getAudioOnly(), t.getLayout(), t.getCustomBaseUrl(), renderer);
                    cpu = k.cpu();
                    memory = k.memory();
                    web = k.web();
                } else if (v2.web() != null) {
                    web = true;
                    cpu = v2.web().getAudioOnly() ? c.audioWebCpuCost() : c.webCpuCost();
                } else if (v2.media() != null) {
                    // A passthrough media egress only remuxes, so upstream charges it like a track egress.
                    cpu = v2.passthrough() ? c.trackCpuCost() : c.participantCpuCost();
                }
                // No source at all: upstream leaves the cost at 0 (validation rejects the request later).
                break;
            }
            default:
                break;
        }
        // estimated_cpu, when livekit-server sends one, replaces the static cost in the admission check only.
        double required = req.getEstimatedCpu() > 0 ? req.getEstimatedCpu() : cpu;
        return new RequestCost(required, cpu, memory, web, requestType(req));
    }

    /**
     * Upstream's {@code ShouldUseSDKSource}: an audio-only composite with neither a layout nor a custom base URL
     * joins the room directly instead of opening the template page in Chromium.
     */
    static boolean usesSdkSource(boolean audioOnly, String layout, String customBaseUrl) {
        return audioOnly && layout.isEmpty() && customBaseUrl.isEmpty();
    }

    /** Upstream's {@code requestTypeFromReq}; a v2 PASSTHROUGH preset is labelled {@code track} whatever the source. */
    static String requestType(StartEgressRequest req) {
        switch (req.getRequestCase()) {
            case ROOM_COMPOSITE:
                return RequestType.ROOM_COMPOSITE.label();
            case WEB:
                return RequestType.WEB.label();
            case PARTICIPANT:
                return RequestType.PARTICIPANT.label();
            case TRACK_COMPOSITE:
                return RequestType.TRACK_COMPOSITE.label();
            case TRACK:
                return RequestType.TRACK.label();
            case EGRESS:
                return v2Type(V2.of(req.getEgress()));
            case REPLAY:
                return v2Type(V2.of(req.getReplay()));
            default:
                return RequestCost.UNKNOWN_TYPE;
        }
    }

    private static String v2Type(V2 v2) {
        if (v2.passthrough()) {
            return RequestType.TRACK.label();
        }
        if (v2.template() != null) {
            return RequestType.TEMPLATE.label();
        }
        if (v2.web() != null) {
            return RequestType.WEB.label();
        }
        if (v2.media() != null) {
            return RequestType.MEDIA.label();
        }
        return RequestCost.UNKNOWN_TYPE;
    }
}
