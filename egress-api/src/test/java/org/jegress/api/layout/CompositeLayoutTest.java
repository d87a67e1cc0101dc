package org.jegress.api.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jegress.api.layout.CompositeLayout.Base;
import org.jegress.api.layout.CompositeLayout.Rect;
import org.jegress.api.layout.CompositeLayout.Style;
import org.jegress.api.layout.CompositeLayout.Theme;
import org.jegress.api.layout.CompositeLayout.Tile;
import org.junit.jupiter.api.Test;

/** The same cases as the Chromium template's layout.test.js: both renderers must agree. */
class CompositeLayoutTest {

    private static final List<Tile> CAMS = List.of(new Tile("a", "alice", false), new Tile("b", "bob", false),
            new Tile("c", "carol", false));

    @Test
    void layoutNamesFollowUpstreamUnknownIsGridOnlyLightIsLight() {
        assertThat(Style.parse("speaker-light")).isEqualTo(new Style(Base.SPEAKER, Theme.LIGHT));
        assertThat(Style.parse("grid-dark")).isEqualTo(new Style(Base.GRID, Theme.DARK));
        assertThat(Style.parse("")).isEqualTo(new Style(Base.GRID, Theme.DARK));
        assertThat(Style.parse(null)).isEqualTo(new Style(Base.GRID, Theme.DARK));
        assertThat(Style.parse("mosaic-light")).isEqualTo(new Style(Base.GRID, Theme.LIGHT));
        assertThat(Style.parse("single-speaker")).isEqualTo(new Style(Base.SINGLE_SPEAKER, Theme.DARK));
    }

    @Test
    void threeCamerasOn1280x720MakeA2x2GridTheLastRowCentred() {
        Map<String, Rect> r = CompositeLayout.arrange(Base.GRID, CAMS, "a", 1280, 720);
        assertThat(r).containsExactly(Map.entry("a", new Rect(0, 0, 640, 360)), Map.entry("b", new Rect(640, 0, 640, 360)),
                Map.entry("c", new Rect(320, 360, 640, 360)));
    }

    @Test
    void aScreenShareTurnsAGridIntoTheSpeakerLayoutWithTheShareInFocus() {
        List<Tile> tiles = new ArrayList<>(CAMS);
        tiles.add(new Tile("s", "bob", true));
        assertThat(CompositeLayout.effectiveBase(Base.GRID, tiles)).isEqualTo(Base.SPEAKER);
        assertThat(CompositeLayout.focus(tiles, "alice").orElseThrow().id()).isEqualTo("s");
        Map<String, Rect> r = CompositeLayout.arrange(Base.SPEAKER, tiles, "s", 1200, 720);
        assertThat(r.get("s")).isEqualTo(new Rect(200, 0, 1000, 720));
        assertThat(r).hasSize(4);
        r.forEach((id, rect) -> {
            if (!id.equals("s")) {
                assertThat(rect.x()).isZero();
                assertThat(rect.w()).isEqualTo(200);
            }
        });
    }

    @Test
    void singleSpeakerShowsOnlyTheActiveSpeaker() {
        String focus = CompositeLayout.focus(CAMS, "bob").orElseThrow().id();
        assertThat(CompositeLayout.arrange(Base.SINGLE_SPEAKER, CAMS, focus, 1280, 720))
                .containsExactly(Map.entry("b", new Rect(0, 0, 1280, 720)));
    }

    @Test
    void withoutASpeakerTheFirstTileIsInFocusAndNoTilesDrawNothing() {
        assertThat(CompositeLayout.focus(CAMS, "").orElseThrow().id()).isEqualTo("a");
        assertThat(CompositeLayout.arrange(Base.GRID, List.of(), null, 1280, 720)).isEmpty();
        assertThat(CompositeLayout.arrange(Base.SPEAKER, CAMS.subList(0, 1), "a", 1280, 720))
                .containsExactly(Map.entry("a", new Rect(0, 0, 1280, 720)));
    }

    @Test
    void gridTilesNeverOverlapAndStayOnTheCanvas() {
        for (int n = 1; n <= 12; n++) {
            List<Tile> tiles = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tiles.add(new Tile("t" + i, "p" + i, false));
            }
            List<Rect> rects = List.copyOf(CompositeLayout.arrange(Base.GRID, tiles, "t0", 1280, 720).values());
            assertThat(rects).hasSize(n);
            for (int i = 0; i < n; i++) {
                Rect a = rects.get(i);
                assertThat(a.x()).isBetween(0, 1280 - a.w());
                assertThat(a.y()).isBetween(0, 720 - a.h());
                for (int j = i + 1; j < n; j++) {
                    Rect b = rects.get(j);
                    boolean apart = a.x() + a.w() <= b.x() || b.x() + b.w() <= a.x() || a.y() + a.h() <= b.y()
                            || b.y() + b.h() <= a.y();
                    assertThat(apart).as("%d tiles: %s and %s", n, a, b).isTrue();
                }
            }
        }
    }
}
