package org.jegress.server.psrpc;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.ListEgressRequest;
import org.jegress.api.livekit.ListEgressResponse;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.api.livekit.UpdateStreamRequest;
import org.jegress.api.rpc.GetEgressRequest;
import org.jegress.api.rpc.ListActiveEgressRequest;
import org.jegress.api.rpc.ListActiveEgressResponse;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.rpc.UpdateMetricsRequest;

/**
 * One psrpc RPC: its names on the wire, the four routing flags psrpc's code generator derives from the proto
 * options (psrpc-wire.md §1.6) and the parsers of its request and response messages.
 *
 * @param service        protobuf service name without package, e.g. {@code EgressInternal}
 * @param name           method name as in the proto, e.g. {@code StartEgress}
 * @param affinity       the server computes an affinity to bid with; the client picks the best bid
 * @param multi          every server answers, no claim (RequestMulti)
 * @param requireClaim   servers bid with a ClaimRequest and only the chosen one handles the request
 * @param queue          the REQ channel is a queue subscription: one process wins the {@code SET NX} lock
 * @param requestParser  parser of the request message
 * @param responseParser parser of the response message
 * @param <Req>          request message type
 * @param <Res>          response message type
 */
public record Method<Req extends Message, Res extends Message>(
        String service,
        String name,
        boolean affinity,
        boolean multi,
        boolean requireClaim,
        boolean queue,
        Parser<Req> requestParser,
        Parser<Res> responseParser) {

    /** Bids with an affinity; topic = cluster id (livekit-server always sends {@code ""}). */
    public static final Method<StartEgressRequest, EgressInfo> START_EGRESS = new Method<>(
            "EgressInternal", "StartEgress", true, false, true, false,
            StartEgressRequest.parser(), EgressInfo.parser());
    /** Multi: every worker answers with its running egress IDs. */
    public static final Method<ListActiveEgressRequest, ListActiveEgressResponse> LIST_ACTIVE_EGRESS = new Method<>(
            "EgressInternal", "ListActiveEgress", false, true, false, false,
            ListActiveEgressRequest.parser(), ListActiveEgressResponse.parser());
    /** Queue + claim; topic = egress id. */
    public static final Method<StopEgressRequest, EgressInfo> STOP_EGRESS = new Method<>(
            "EgressHandler", "StopEgress", false, false, true, true,
            StopEgressRequest.parser(), EgressInfo.parser());
    /** Queue + claim; topic = egress id. */
    public static final Method<UpdateStreamRequest, EgressInfo> UPDATE_STREAM = new Method<>(
            "EgressHandler", "UpdateStream", false, false, true, true,
            UpdateStreamRequest.parser(), EgressInfo.parser());
    /** Queue + claim, no topic; served by every livekit-server node. */
    public static final Method<EgressInfo, Empty> IO_CREATE_EGRESS = new Method<>(
            "IOInfo", "CreateEgress", false, false, true, true, EgressInfo.parser(), Empty.parser());
    /** Queue + claim, no topic. */
    public static final Method<EgressInfo, Empty> IO_UPDATE_EGRESS = new Method<>(
            "IOInfo", "UpdateEgress", false, false, true, true, EgressInfo.parser(), Empty.parser());
    /** Queue + claim, no topic. */
    public static final Method<GetEgressRequest, EgressInfo> IO_GET_EGRESS = new Method<>(
            "IOInfo", "GetEgress", false, false, true, true, GetEgressRequest.parser(), EgressInfo.parser());
    /** Queue + claim, no topic. */
    public static final Method<ListEgressRequest, ListEgressResponse> IO_LIST_EGRESS = new Method<>(
            "IOInfo", "ListEgress", false, false, true, true,
            ListEgressRequest.parser(), ListEgressResponse.parser());
    /** Queue + claim, no topic; livekit-server only logs it. */
    public static final Method<UpdateMetricsRequest, Empty> IO_UPDATE_METRICS = new Method<>(
            "IOInfo", "UpdateMetrics", false, false, true, true, UpdateMetricsRequest.parser(), Empty.parser());

    /** The REQ channel for a topic ({@code null} or {@code ""} = no topic). */
    public String requestChannel(String topic) {
        return Channels.request(service, name, topicSegments(topic));
    }

    /** The RCLAIM channel for a topic ({@code null} or {@code ""} = no topic). */
    public String claimResponseChannel(String topic) {
        return Channels.claimResponse(service, name, topicSegments(topic));
    }

    /** Egress RPCs use at most one topic segment (§1.4); an empty one vanishes from the name anyway. */
    private static String[] topicSegments(String topic) {
        return topic == null || topic.isEmpty() ? new String[0] : new String[] {topic};
    }

    @Override
    public String toString() {
        return service + "." + name;
    }
}
