package org.jegress.sources.sdk;

import java.util.Locale;
import java.util.Optional;

import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.RequestType;
import org.jegress.api.plan.TrackSelection;
import org.jegress.sources.room.RemoteTrack;
import org.jegress.sources.room.TrackCodec;

/**
 * Which of a room's tracks an egress records, and on which channel its audio goes: the selection rules of each
 * request type, as the Go egress applies them.
 *
 * <ul>
 * <li>track, v2 passthrough: exactly the requested track;</li>
 * <li>track composite: the requested audio and video tracks (a track of the wrong kind is refused);</li>
 * <li>participant: its camera and microphone, or its screen share and screen-share audio;</li>
 * <li>audio-only room composite / template without a page: every audio track, spread over the channels by
 *     {@code audio_mixing};</li>
 * <li>v2 media: the video track, or the participant's camera (screen share with {@code prefer_screen_share}); audio
 *     by the first matching route (its channel), else every audio track with {@code capture_all}.</li>
 * </ul>
 */
final class TrackRules {

    private final EgressPlan plan;
    private final TrackSelection sel;
    private int alternate;

    TrackRules(EgressPlan plan) {
        this.plan = plan;
        this.sel = plan.tracks();
    }

    /** The audio channel for a wanted audio track, {@link AudioChannel#AUDIO_CHANNEL_BOTH} for video; empty if unwanted. */
    synchronized Optional<AudioChannel> want(RemoteTrack t) {
        boolean audio = !t.isVideo();
        switch (plan.requestType()) {
            case TRACK:
                return both(t.sid().equals(sel.trackId()));
            case TRACK_COMPOSITE:
                return both(audio ? t.sid().equals(sel.audioTrackId()) : t.sid().equals(sel.videoTrackId()));
            case PARTICIPANT:
                if (!t.participantIdentity().equals(sel.identity())) {
                    return Optional.empty();
                }
                return both(sel.screenShare() == isScreenShare(t));
            case ROOM_COMPOSITE:
            case TEMPLATE:
                if (!audio) {
                    return both(plan.video().enabled());
                }
                return plan.audio().enabled() ? Optional.of(mixingChannel(t)) : Optional.empty();
            case MEDIA:
                if (plan.passthrough()) {
                    return both(t.sid().equals(sel.trackId()));
                }
                return audio ? mediaAudio(t) : both(mediaVideo(t));
            default:
                return Optional.empty();
        }
    }

    private static Optional<AudioChannel> both(boolean wanted) {
        return wanted ? Optional.of(AudioChannel.AUDIO_CHANNEL_BOTH) : Optional.empty();
    }

    private static boolean isScreenShare(RemoteTrack t) {
        return t.source().startsWith("SCREEN_SHARE");
    }

    /** DEFAULT_MIXING: both channels; DUAL_CHANNEL_AGENT: agents left, everyone else right; ALTERNATE: L, R, L, … */
    private AudioChannel mixingChannel(RemoteTrack t) {
        AudioMixing mixing = plan.audio().mixing();
        if (mixing == AudioMixing.DUAL_CHANNEL_AGENT) {
            return "AGENT".equals(t.participantKind()) ? AudioChannel.AUDIO_CHANNEL_LEFT
                    : AudioChannel.AUDIO_CHANNEL_RIGHT;
        }
        if (mixing == AudioMixing.DUAL_CHANNEL_ALTERNATE) {
            return alternate++ % 2 == 0 ? AudioChannel.AUDIO_CHANNEL_LEFT : AudioChannel.AUDIO_CHANNEL_RIGHT;
        }
        return AudioChannel.AUDIO_CHANNEL_BOTH;
    }

    private Optional<AudioChannel> mediaAudio(RemoteTrack t) {
        for (TrackSelection.AudioRoute r : sel.audioRoutes()) {
            boolean match;
            if (!r.trackId().isEmpty()) {
                match = t.sid().equals(r.trackId());
            } else if (!r.participantIdentity().isEmpty()) {
                match = t.participantIdentity().equals(r.participantIdentity());
            } else if (r.participantKind() != null) {
                match = r.participantKind().name().equals(t.participantKind());
            } else {
                match = false;
            }
            if (match) {
                return Optional.of(r.channel() == AudioChannel.UNRECOGNIZED ? AudioChannel.AUDIO_CHANNEL_BOTH
                        : r.channel());
            }
        }
        return both(sel.captureAllAudio());
    }

    private boolean mediaVideo(RemoteTrack t) {
        if (!sel.videoTrackId().isEmpty()) {
            return t.sid().equals(sel.videoTrackId());
        }
        if (!sel.identity().isEmpty() && t.participantIdentity().equals(sel.identity())) {
            return sel.screenShare() ? "SCREEN_SHARE".equals(t.source()) : "CAMERA".equals(t.source());
        }
        return false;
    }

    /** Whether the recording ends once every recorded track ended (rather than with a participant or the room). */
    boolean endsWithItsTracks() {
        RequestType r = plan.requestType();
        return r == RequestType.TRACK || r == RequestType.TRACK_COMPOSITE
                || r == RequestType.MEDIA && plan.passthrough();
    }

    /** The codec of a track as a plan names it. */
    static MediaType mediaType(TrackCodec codec) {
        switch (codec) {
            case OPUS:
                return MediaType.OPUS;
            case PCMU:
                return MediaType.PCMU;
            case PCMA:
                return MediaType.PCMA;
            case H264:
                return MediaType.H264;
            case VP8:
                return MediaType.VP8;
            case VP9:
                return MediaType.VP9;
            default:
                throw new IllegalArgumentException("no media type for " + codec);
        }
    }

    /** {@code {track_source}}: camera, microphone, screen_share, screen_share_audio, unknown. */
    static String sourceName(RemoteTrack t) {
        return t.source().toLowerCase(Locale.ROOT);
    }
}
