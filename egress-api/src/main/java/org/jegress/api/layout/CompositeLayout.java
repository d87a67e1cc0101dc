package org.jegress.api.layout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The layout rules of a room composite, as functions: parse a layout name, pick the layout drawn and the tile in
 * focus, and arrange the tiles on the canvas.
 */
public final class CompositeLayout {

    private CompositeLayout() {
    }

    /** The three layouts. */
    public enum Base {
        GRID, SPEAKER, SINGLE_SPEAKER
    }

    /** The background: black (dark) or white (light). */
    public enum Theme {
        DARK, LIGHT
    }

    /** A parsed layout name. */
    public record Style(Base base, Theme theme) {
        /**
         * Upstream's names: {@code grid}, {@code speaker}, {@code single-speaker}, each optionally {@code -light}
         * or {@code -dark}; an empty or unknown base is {@code grid}, any suffix but {@code -light} is dark.
         */
        public static Style parse(String name) {
            String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
            Theme theme = n.endsWith("-light") ? Theme.LIGHT : Theme.DARK;
            String base = n.replaceFirst("-(light|dark)$", "");
            return new Style(switch (base) {
                case "speaker" -> Base.SPEAKER;
                case "single-speaker" -> Base.SINGLE_SPEAKER;
                default -> Base.GRID;
            }, theme);
        }
    }

    /**
     * One video on the stage.
     *
     * @param id          the track's SID
     * @param identity    its publisher
     * @param screenShare whether it is a screen share
     */
    public record Tile(String id, String identity, boolean screenShare) {
    }

    /** A rectangle on the canvas, in pixels. */
    public record Rect(int x, int y, int w, int h) {
    }

    /** The layout drawn: a grid becomes the speaker layout while a screen share is on. */
    public static Base effectiveBase(Base base, List<Tile> tiles) {
        return base == Base.GRID && tiles.stream().anyMatch(Tile::screenShare) ? Base.SPEAKER : base;
    }

    /** The tile in focus: a screen share first, else the active speaker's camera, else the first tile. */
    public static Optional<Tile> focus(List<Tile> tiles, String speaker) {
        return tiles.stream().filter(Tile::screenShare).findFirst()
                .or(() -> tiles.stream().filter(t -> t.identity().equals(speaker)).findFirst())
                .or(() -> tiles.stream().findFirst());
    }

    /**
     * Where each tile goes, in tile order; tiles left out are hidden. The grid takes the column count that gives each
     * 16:9 video the most area and centres the last row; the speaker layout puts the focus on the right (5/6 of the
     * width) and the others in a column on the left; single-speaker shows the focus alone. Videos keep their aspect
     * ratio inside their rectangles.
     */
    public static Map<String, Rect> arrange(Base base, List<Tile> tiles, String focusId, int width, int height) {
        Map<String, Rect> out = new LinkedHashMap<>();
        if (tiles.isEmpty()) {
            return out;
        }
        if (base == Base.SINGLE_SPEAKER || tiles.size() == 1) {
            out.put(tiles.size() == 1 ? tiles.get(0).id() : focusId, new Rect(0, 0, width, height));
            return out;
        }
        if (base == Base.SPEAKER) {
            int side = (int) Math.round(width / 6.0);
            out.put(focusId, new Rect(side, 0, width - side, height));
            List<Tile> others = tiles.stream().filter(t -> !t.id().equals(focusId)).toList();
            double h = Math.min((double) height / others.size(), side * 9 / 16.0);
            double top = (height - h * others.size()) / 2;
            for (int i = 0; i < others.size(); i++) {
                out.put(others.get(i).id(), span(0, side, top + i * h, top + (i + 1) * h));
            }
            return out;
        }
        int n = tiles.size();
        int cols = 1;
        double bestArea = 0;
        for (int c = 1; c <= n; c++) {
            int rows = (n + c - 1) / c;
            double w = Math.min((double) width / c, height / (double) rows * 16 / 9);
            if (w * w > bestArea) {
                cols = c;
                bestArea = w * w;
            }
        }
        int rows = (n + cols - 1) / cols;
        double tw = (double) width / cols;
        double th = (double) height / rows;
        for (int i = 0; i < n; i++) {
            int row = i / cols;
            int inRow = row == rows - 1 ? n - row * cols : cols; // the last row is centred
            double left = (width - inRow * tw) / 2;
            double x = left + (i % cols) * tw;
            out.put(tiles.get(i).id(), span(x, x + tw, row * th, (row + 1) * th));
        }
        return out;
    }

    /** The pixel rectangle between two edges, each rounded on its own, so neighbours neither overlap nor gap. */
    private static Rect span(double left, double right, double top, double bottom) {
        int x = (int) Math.round(left);
        int y = (int) Math.round(top);
        return new Rect(x, y, (int) Math.round(right) - x, (int) Math.round(bottom) - y);
    }
}
