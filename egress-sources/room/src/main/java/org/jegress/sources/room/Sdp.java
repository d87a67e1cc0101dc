package org.jegress.sources.room;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Just enough SDP for the subscriber side of a LiveKit connection: per m-line mid, direction, msid, ICE ufrag and
 * payload types, plus the munging that keeps unsupported payloads out of webrtcbin's answer (spec §4 way (b)).
 * Immutable; line order and every line we do not touch are preserved, {@code a=ssrc} lines in particular (webrtcbin
 * demultiplexes BUNDLE by them).
 */
final class Sdp {

    /** One m-line and its attributes. */
    static final class Media {
        final String kind;
        final List<String> lines;
        final String mid;
        final String direction;
        final String iceUfrag;
        final String msidStream;
        final String msidTrack;
        /** payload type → "ENCODING/clock[/channels]" as written (case kept). */
        final Map<String, String> rtpmap;
        /** payload type → fmtp parameters. */
        final Map<String, String> fmtp;
        final List<String> formats;

        private Media(List<String> lines, String sessionUfrag) {
            this.lines = List.copyOf(lines);
            String[] m = lines.get(0).substring(2).trim().split(" +");
            this.kind = m[0];
            List<String> fmts = new ArrayList<>();
            for (int i = 3; i < m.length; i++) {
                fmts.add(m[i]);
            }
            this.formats = List.copyOf(fmts);
            String mid0 = null;
            String dir = "sendrecv";
            String ufrag = sessionUfrag;
            String stream = null;
            String track = null;
            Map<String, String> rm = new LinkedHashMap<>();
            Map<String, String> fm = new LinkedHashMap<>();
            for (String l : lines) {
                if (l.startsWith("a=mid:")) {
                    mid0 = l.substring(6).trim();
                } else if (l.equals("a=sendonly") || l.equals("a=recvonly") || l.equals("a=sendrecv")
                        || l.equals("a=inactive")) {
                    dir = l.substring(2);
                } else if (l.startsWith("a=ice-ufrag:")) {
                    ufrag = l.substring(12).trim();
                } else if (l.startsWith("a=msid:")) {
                    String[] p = l.substring(7).trim().split(" +");
                    stream = p[0];
                    track = p.length > 1 ? p[1] : null;
                } else if (l.startsWith("a=ssrc:") && l.contains(" msid:") && stream == null) {
                    String[] p = l.substring(l.indexOf(" msid:") + 6).trim().split(" +");
                    stream = p[0];
                    track = p.length > 1 ? p[1] : null;
                } else if (l.startsWith("a=rtpmap:")) {
                    int sp = l.indexOf(' ');
                    if (sp > 0) {
                        rm.put(l.substring(9, sp), l.substring(sp + 1).trim());
                    }
                } else if (l.startsWith("a=fmtp:")) {
                    int sp = l.indexOf(' ');
                    if (sp > 0) {
                        fm.put(l.substring(7, sp), l.substring(sp + 1).trim());
                    }
                }
            }
            this.mid = mid0;
            this.direction = dir;
            this.iceUfrag = ufrag;
            this.msidStream = stream;
            this.msidTrack = track;
            this.rtpmap = Collections.unmodifiableMap(rm);
            this.fmtp = Collections.unmodifiableMap(fm);
        }

        boolean isAudioOrVideo() {
            return kind.equals("audio") || kind.equals("video");
        }

        boolean isInactive() {
            return direction.equals("inactive");
        }

        /** Upper-case encoding name of a payload type, or "" when it has no rtpmap. */
        String encoding(String pt) {
            String r = rtpmap.get(pt);
            if (r == null) {
                return "";
            }
            int slash = r.indexOf('/');
            return (slash < 0 ? r : r.substring(0, slash)).toUpperCase(Locale.ROOT);
        }

        /** Encoding names in offer order, without RTX/RED/FEC duplicates. */
        List<String> encodings() {
            Set<String> out = new LinkedHashSet<>();
            for (String pt : formats) {
                out.add(encoding(pt));
            }
            out.remove("");
            return List.copyOf(out);
        }

        /** The RTX "apt" a payload type points at, or null. */
        String apt(String pt) {
            String f = fmtp.get(pt);
            if (f == null || !encoding(pt).equals("RTX")) {
                return null;
            }
            for (String kv : f.split(";")) {
                String t = kv.trim();
                if (t.startsWith("apt=")) {
                    return t.substring(4).trim();
                }
            }
            return null;
        }

        /** The track id written in a=msid (LiveKit: the track SID), if any. */
        Optional<String> msidTrackId() {
            return Optional.ofNullable(msidTrack);
        }
    }

    /** What {@link #filterCodecs} kept and dropped, for logs. */
    record FilterResult(Sdp sdp, List<String> notes) {
    }

    private final List<String> session;
    private final List<Media> media;

    private Sdp(List<String> session, List<Media> media) {
        this.session = List.copyOf(session);
        this.media = List.copyOf(media);
    }

    static Sdp parse(String text) {
        List<String> session = new ArrayList<>();
        List<List<String>> sections = new ArrayList<>();
        List<String> current = null;
        for (String raw : text.split("\r?\n")) {
            String l = raw.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("m=")) {
                current = new ArrayList<>();
                sections.add(current);
            }
            (current == null ? session : current).add(l);
        }
        String sessionUfrag = null;
        for (String l : session) {
            if (l.startsWith("a=ice-ufrag:")) {
                sessionUfrag = l.substring(12).trim();
            }
        }
        List<Media> media = new ArrayList<>();
        for (List<String> s : sections) {
            media.add(new Media(s, sessionUfrag));
        }
        return new Sdp(session, media);
    }

    List<Media> media() {
        return media;
    }

    /** Media section by mid. */
    Optional<Media> byMid(String mid) {
        return media.stream().filter(m -> mid.equals(m.mid)).findFirst();
    }

    /** Index of the m-line with this mid, or -1. */
    int indexOfMid(String mid) {
        for (int i = 0; i < media.size(); i++) {
            if (mid.equals(media.get(i).mid)) {
                return i;
            }
        }
        return -1;
    }

    /** The mids of the first a=group:BUNDLE line, in order (empty without bundle). */
    List<String> bundleMids() {
        for (String l : session) {
            if (l.startsWith("a=group:BUNDLE")) {
                String rest = l.substring("a=group:BUNDLE".length()).trim();
                return rest.isEmpty() ? List.of() : List.of(rest.split(" +"));
            }
        }
        return List.of();
    }

    /**
     * The m-line index ICE candidates must be given with: the BUNDLE master (first bundled mid), else 0.
     * webrtcbin 1.22 parks candidates for any other index.
     */
    int bundleMasterIndex() {
        List<String> mids = bundleMids();
        if (!mids.isEmpty()) {
            int i = indexOfMid(mids.get(0));
            if (i >= 0) {
                return i;
            }
        }
        return 0;
    }

    /** Every distinct ICE ufrag used in the description. */
    Set<String> iceUfrags() {
        Set<String> out = new LinkedHashSet<>();
        for (Media m : media) {
            if (m.iceUfrag != null) {
                out.add(m.iceUfrag);
            }
        }
        return out;
    }

    /**
     * True if this offer restarts ICE relative to the previously applied one (a changed ufrag); webrtcbin 1.22
     * cannot do ICE restarts, it would keep answering with its old credentials.
     */
    boolean restartsIceComparedTo(Sdp previous) {
        if (previous == null) {
            return false;
        }
        Set<String> before = previous.iceUfrags();
        Set<String> now = iceUfrags();
        return !before.isEmpty() && !now.isEmpty() && !before.equals(now);
    }

    /**
     * Mids whose m-line was inactive in the previous offer and carries media again now: the server reused a dead
     * transceiver for a new track, which webrtcbin 1.22 rejects ("transceiver direction changes are not
     * implemented") and which poisons every later negotiation.
     */
    List<String> reusedMids(Sdp previous) {
        if (previous == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Media m : media) {
            if (m.mid == null || !m.isAudioOrVideo() || m.isInactive() || m.direction.equals("recvonly")) {
                continue;
            }
            previous.byMid(m.mid).ifPresent(p -> {
                // the server writes its own direction: a track it stopped sending shows up as inactive, or as
                // recvonly when pion removed the sender
                boolean wasDead = p.isInactive() || p.direction.equals("recvonly");
                boolean trackSwapped = p.msidTrack != null && m.msidTrack != null && !p.msidTrack.equals(m.msidTrack);
                if (wasDead || trackSwapped) {
                    out.add(m.mid);
                }
            });
        }
        return out;
    }

    /**
     * Keeps only supported codecs in every active audio/video m-line: payload types whose encoding is a
     * {@link TrackCodec}, plus RTX payloads pointing at a kept one. RED, ULPFEC, AV1, H.265, CN and
     * telephone-event go, with their rtpmap/fmtp/rtcp-fb lines. When {@code preferred} knows the track codec of a
     * mid and the offer has it, only that codec (and its RTX) is kept, so webrtcbin's answer, which picks the first
     * codec of an auto-created transceiver, matches what the server forwards. An m-line with nothing supported is
     * left untouched (its pad, if one ever appears, goes to a fakesink).
     */
    FilterResult filterCodecs(Function<String, Optional<TrackCodec>> preferred) {
        List<String> notes = new ArrayList<>();
        List<Media> out = new ArrayList<>();
        for (Media m : media) {
            if (!m.isAudioOrVideo() || m.isInactive() || m.formats.isEmpty()) {
                out.add(m);
                continue;
            }
            Set<String> keep = new LinkedHashSet<>();
            Optional<TrackCodec> pref = m.mid == null ? Optional.empty() : preferred.apply(m.mid);
            if (pref.isPresent()) {
                for (String pt : m.formats) {
                    if (m.encoding(pt).equals(pref.get().encodingName())) {
                        keep.add(pt);
                    }
                }
            }
            if (keep.isEmpty()) {
                for (String pt : m.formats) {
                    if (TrackCodec.fromEncodingName(m.encoding(pt)).isPresent()) {
                        keep.add(pt);
                    }
                }
            }
            if (keep.isEmpty()) {
                notes.add("mid " + m.mid + ": no supported codec in " + m.encodings() + ", left as offered");
                out.add(m);
                continue;
            }
            for (String pt : m.formats) {
                String apt = m.apt(pt);
                if (apt != null && keep.contains(apt)) {
                    keep.add(pt);
                }
            }
            List<String> kept = new ArrayList<>();
            for (String pt : m.formats) {
                if (keep.contains(pt)) {
                    kept.add(pt);
                }
            }
            // webrtcbin answers an auto-created transceiver with the first codec: put the best H.264 variant first
            // (packetization-mode=1, constrained baseline), which is what publishers send
            List<String> ordered = new ArrayList<>(kept);
            if (pref.isPresent() && pref.get() == TrackCodec.H264) {
                ordered.sort(java.util.Comparator.comparingInt(pt -> -preference(m, pt)));
            }
            boolean reordered = !ordered.equals(kept);
            kept = ordered;
            if (kept.size() == m.formats.size() && !reordered) {
                out.add(m);
                continue;
            }
            List<String> dropped = new ArrayList<>();
            for (String pt : m.formats) {
                if (!keep.contains(pt)) {
                    dropped.add(pt + "(" + m.encoding(pt) + ")");
                }
            }
            notes.add("mid " + m.mid + ": dropped " + dropped);
            String[] head = m.lines.get(0).split(" +");
            StringBuilder mline = new StringBuilder();
            for (int i = 0; i < 3 && i < head.length; i++) {
                mline.append(i == 0 ? "" : " ").append(head[i]);
            }
            for (String pt : kept) {
                mline.append(' ').append(pt);
            }
            List<String> lines = new ArrayList<>();
            lines.add(mline.toString());
            for (String l : m.lines.subList(1, m.lines.size())) {
                String pt = payloadOf(l);
                if (pt != null && !pt.equals("*") && !keep.contains(pt)) {
                    continue;
                }
                lines.add(l);
            }
            out.add(new Media(lines, m.iceUfrag));
        }
        return new FilterResult(new Sdp(session, out), notes);
    }

    /** Sort key among the H.264 payload types of one m-line: higher goes first, RTX last in their order. */
    private static int preference(Media m, String pt) {
        if (!m.encoding(pt).equals("H264")) {
            return 0;
        }
        String f = m.fmtp.getOrDefault(pt, "").toLowerCase(Locale.ROOT);
        int score = 1;
        if (f.contains("packetization-mode=1")) {
            score += 4;
        }
        if (f.contains("profile-level-id=42e0")) {
            score += 2;
        }
        return score;
    }

    /**
     * This answer with every codec we can receive that {@code offer} offers on the same m-line added after the
     * one webrtcbin chose (webrtcbin answers a single codec per m-line): one payload type per further codec. The server (pion) fixes the codecs it may
     * ever send to this subscriber from the first audio and the first video m-line of the first answer: answering
     * only the first track's codec there would make every later track of another codec (a VP8 camera after an H.264
     * one, a SIP participant's PCMU) unsubscribable ("SE_CODEC_UNSUPPORTED"). The server still binds each track to
     * its own codec, the first answered one webrtcbin expects; the extra codecs only widen what may come later.
     */
    Sdp withReceivableCodecs(Sdp offer) {
        List<Media> out = new ArrayList<>();
        boolean changed = false;
        for (Media a : media) {
            Optional<Media> o = a.mid == null ? Optional.empty() : offer.byMid(a.mid);
            if (!a.isAudioOrVideo() || a.isInactive() || o.isEmpty()) {
                out.add(a);
                continue;
            }
            Media off = o.get();
            // one payload type per codec the answer lacks (the best H.264 variant), never a second variant of the
            // answered codec: pion then re-offers that m-line with exactly the payload type webrtcbin answered
            Set<String> answered = new LinkedHashSet<>(a.encodings());
            Map<String, String> best = new LinkedHashMap<>();
            for (String pt : off.formats) {
                String enc = off.encoding(pt);
                if (answered.contains(enc) || TrackCodec.fromEncodingName(enc).isEmpty() || a.formats.contains(pt)) {
                    continue;
                }
                String current = best.get(enc);
                if (current == null || preference(off, pt) > preference(off, current)) {
                    best.put(enc, pt);
                }
            }
            Set<String> add = new LinkedHashSet<>(best.values());
            for (String pt : off.formats) {
                String apt = off.apt(pt);
                if (apt != null && best.containsValue(apt) && !a.formats.contains(pt)) {
                    add.add(pt);
                }
            }
            if (add.isEmpty()) {
                out.add(a);
                continue;
            }
            List<String> lines = new ArrayList<>();
            lines.add(a.lines.get(0) + " " + String.join(" ", add));
            int insertAt = 1;
            for (int i = 1; i < a.lines.size(); i++) {
                String l = a.lines.get(i);
                String pt = payloadOf(l);
                // webrtcbin drops profile-level-id from an H.264 answer; pion takes a codec without it for a partial
                // match and, next to the exact matches added here, would discard it: answer the offered parameters
                if (l.startsWith("a=fmtp:") && pt != null && off.fmtp.containsKey(pt)
                        && a.encoding(pt).equals("H264") && off.encoding(pt).equals("H264")) {
                    l = "a=fmtp:" + pt + " " + off.fmtp.get(pt);
                }
                lines.add(l);
                if (pt != null) {
                    insertAt = lines.size();
                }
            }
            List<String> extra = new ArrayList<>();
            for (String l : off.lines) {
                String pt = payloadOf(l);
                if (pt != null && add.contains(pt)) {
                    extra.add(l);
                }
            }
            lines.addAll(insertAt, extra);
            out.add(new Media(lines, a.iceUfrag));
            changed = true;
        }
        return changed ? new Sdp(session, out) : this;
    }

    /** The payload type an rtpmap/fmtp/rtcp-fb line is about, or null for other lines. */
    private static String payloadOf(String line) {
        String rest;
        if (line.startsWith("a=rtpmap:")) {
            rest = line.substring(9);
        } else if (line.startsWith("a=fmtp:")) {
            rest = line.substring(7);
        } else if (line.startsWith("a=rtcp-fb:")) {
            rest = line.substring(10);
        } else {
            return null;
        }
        int sp = rest.indexOf(' ');
        return sp < 0 ? rest : rest.substring(0, sp);
    }

    /** Whether any active m-line still offers or answers RED. */
    boolean hasRed() {
        for (Media m : media) {
            if (!m.isInactive()) {
                for (String pt : m.formats) {
                    if (m.encoding(pt).equals("RED")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (String l : session) {
            sb.append(l).append("\r\n");
        }
        for (Media m : media) {
            for (String l : m.lines) {
                sb.append(l).append("\r\n");
            }
        }
        return sb.toString();
    }
}
