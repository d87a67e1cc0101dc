package org.jegress.sources.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A {@link RoomListener} that records every event as text ("trackPublished TR_x", ...) for assertions. */
final class EventLog implements RoomListener {

    private final List<String> events = new ArrayList<>();

    private synchronized void add(String e) {
        events.add(e);
        notifyAll();
    }

    synchronized List<String> all() {
        return List.copyOf(events);
    }

    /** Waits until an event matching {@code p} was recorded. */
    synchronized String await(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String e : events) {
                if (p.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeout + "; got " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    String await(String exact, Duration timeout) throws InterruptedException {
        return await(exact::equals, timeout);
    }

    @Override
    public void participantJoined(RemoteParticipant p) {
        add("participantJoined " + p.identity());
    }

    @Override
    public void participantLeft(RemoteParticipant p) {
        add("participantLeft " + p.identity());
    }

    @Override
    public void trackPublished(RemoteTrack t) {
        add("trackPublished " + t.sid());
    }

    @Override
    public void trackUnpublished(RemoteTrack t) {
        add("trackUnpublished " + t.sid());
    }

    @Override
    public void trackMuted(RemoteTrack t) {
        add("trackMuted " + t.sid());
    }

    @Override
    public void trackUnmuted(RemoteTrack t) {
        add("trackUnmuted " + t.sid());
    }

    @Override
    public void connectionStateChanged(ConnectionState state, Throwable cause) {
        add("state " + state);
    }

    static List<String> of(String... e) {
        return new ArrayList<>(List.of(e));
    }
}
