package org.jegress.api.json;

import java.util.Locale;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.rpc.StartEgressRequest;

/**
 * Parses request files (snake_case and lowerCamel field names both accepted, unknown fields rejected) and
 * prints results in the same mapping.
 */
public final class RequestFiles {

    /** The {@code --type} values of {@code egress run}, as {@code lk egress start --type} names them. */
    public enum Type {
        ROOM_COMPOSITE("room-composite"),
        WEB("web"),
        PARTICIPANT("participant"),
        TRACK_COMPOSITE("track-composite"),
        TRACK("track"),
        EGRESS("egress");

        private final String cli;

        Type(String cli) {
            this.cli = cli;
        }

        public String cli() {
            return cli;
        }

        /** Accepts the CLI spelling and the snake_case one. */
        public static Type parse(String s) {
            String norm = s.toLowerCase(Locale.ROOT).replace('_', '-');
            for (Type t : values()) {
                if (t.cli.equals(norm)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown egress type \"" + s
                    + "\" (expected room-composite, web, participant, track-composite, track or egress)");
        }
    }

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

    private RequestFiles() {
    }

    /**
     * Parses a request file of the given type into the message livekit-server would send the worker.
     *
     * @param egressId the ID to give the egress
     */
    public static StartEgressRequest parse(Type type, String json, String egressId) {
        StartEgressRequest.Builder rpc = StartEgressRequest.newBuilder().setEgressId(egressId);
        switch (type) {
            case ROOM_COMPOSITE:
                RoomCompositeEgressRequest rc = merge(RoomCompositeEgressRequest.newBuilder(), json);
                return rpc.setRoomComposite(rc).setRoomName(rc.getRoomName()).build();
            case WEB:
                WebEgressRequest web = merge(WebEgressRequest.newBuilder(), json);
                return rpc.setWeb(web).build();
            case PARTICIPANT:
                ParticipantEgressRequest p = merge(ParticipantEgressRequest.newBuilder(), json);
                return rpc.setParticipant(p).setRoomName(p.getRoomName()).build();
            case TRACK_COMPOSITE:
                TrackCompositeEgressRequest tc = merge(TrackCompositeEgressRequest.newBuilder(), json);
                return rpc.setTrackComposite(tc).setRoomName(tc.getRoomName()).build();
            case TRACK:
                TrackEgressRequest t = merge(TrackEgressRequest.newBuilder(), json);
                return rpc.setTrack(t).setRoomName(t.getRoomName()).build();
            case EGRESS:
                org.jegress.api.livekit.StartEgressRequest v2 =
                        merge(org.jegress.api.livekit.StartEgressRequest.newBuilder(), json);
                return rpc.setEgress(v2).setRoomName(v2.getRoomName()).build();
            default:
                throw new IllegalArgumentException(type.name());
        }
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M merge(Message.Builder builder, String json) {
        try {
            PARSER.merge(json, builder);
            return (M) builder.build();
        } catch (InvalidProtocolBufferException e) {
            throw new EgressException(ErrorCode.INVALID_ARGUMENT, "could not parse request: " + e.getMessage(), e);
        }
    }

    /** EgressInfo in the proto3 JSON mapping with snake_case names, as the Go tools print it. */
    public static String print(EgressInfo info) {
        try {
            return PRINTER.print(info);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
