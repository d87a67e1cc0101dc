package org.jegress.api.layout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one room composite's stage: the video tiles in the order they were subscribed, the active speaker,
 * the layout name (the request's, then the recorder's metadata through UpdateLayout) and the canvas. Each change
 * returns the {@link Frame} to draw when what is drawn changed, so a renderer applies only real changes. Not
 * thread-safe: one renderer thread owns it.
 */
public final class RoomLayout {

    /**
     * What to draw: the background and a rectangle per visible tile (tiles not in {@code rects} are hidden).
     *
     * @param rects by tile id, in tile order
     */
    public record Frame(CompositeLayout.Theme theme, Map<String, CompositeLayout.Rect> rects) {
        public Frame {
            rects = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rects));
        }
    }

    private final int width;
    private final int height;
    private final List<CompositeLayout.Tile> tiles = new ArrayList<>();
    private CompositeLayout.Style style;
    private String speaker = "";
    private Frame last;

    public RoomLayout(String layout, int width, int height) {
        this.width = width;
        this.height = height;
        this.style = CompositeLayout.Style.parse(layout);
        this.last = compute();
    }

    /** What is drawn now. */
    public Frame frame() {
        return last;
    }

    /** A video tile appears (at the end of the order); empty if it was there already. */
    public Optional<Frame> add(CompositeLayout.Tile tile) {
        if (tiles.stream().anyMatch(t -> t.id().equals(tile.id()))) {
            return Optional.empty();
        }
        tiles.add(tile);
        return changed();
    }

    /** A video tile goes (its track was unpublished or its publisher left). */
    public Optional<Frame> remove(String id) {
        return tiles.removeIf(t -> t.id().equals(id)) ? changed() : Optional.empty();
    }

    /**
     * The loudest remote participant, as the signalling's speaker updates report it; a change to nobody keeps the
     * last speaker in focus (as the template does).
     */
    public Optional<Frame> speaker(String identity) {
        if (identity == null || identity.isEmpty() || identity.equals(speaker)) {
            return Optional.empty();
        }
        speaker = identity;
        return changed();
    }

    /** A new layout name (UpdateLayout). */
    public Optional<Frame> layout(String name) {
        style = CompositeLayout.Style.parse(name);
        return changed();
    }

    private Optional<Frame> changed() {
        Frame next = compute();
        if (next.equals(last)) {
            return Optional.empty();
        }
        last = next;
        return Optional.of(next);
    }

    private Frame compute() {
        CompositeLayout.Base base = CompositeLayout.effectiveBase(style.base(), tiles);
        String focus = CompositeLayout.focus(tiles, speaker).map(CompositeLayout.Tile::id).orElse(null);
        return new Frame(style.theme(), CompositeLayout.arrange(base, tiles, focus, width, height));
    }

    @Override
    public String toString() {
        return "RoomLayout[" + style + ", speaker " + speaker + ", " + Objects.toString(last.rects()) + "]";
    }
}
