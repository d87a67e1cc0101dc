package org.jegress.api.layout;

import static org.assertj.core.api.Assertions.assertThat;

import org.jegress.api.layout.CompositeLayout.Rect;
import org.jegress.api.layout.CompositeLayout.Theme;
import org.jegress.api.layout.CompositeLayout.Tile;
import org.junit.jupiter.api.Test;

class RoomLayoutTest {

    @Test
    void eachChangeReturnsTheNewFrameAndNonChangesReturnNothing() {
        RoomLayout stage = new RoomLayout("speaker", 1200, 720);
        assertThat(stage.frame().rects()).isEmpty();
        assertThat(stage.add(new Tile("a", "alice", false)).orElseThrow().rects())
                .containsEntry("a", new Rect(0, 0, 1200, 720));
        assertThat(stage.add(new Tile("a", "alice", false))).isEmpty();
        RoomLayout.Frame two = stage.add(new Tile("b", "bob", false)).orElseThrow();
        assertThat(two.rects().get("a")).isEqualTo(new Rect(200, 0, 1000, 720)); // first tile in focus
        // bob speaks: he takes the stage; speaking again changes nothing, silence keeps him there
        assertThat(stage.speaker("bob").orElseThrow().rects().get("b")).isEqualTo(new Rect(200, 0, 1000, 720));
        assertThat(stage.speaker("bob")).isEmpty();
        assertThat(stage.speaker("")).isEmpty();
        assertThat(stage.layout("speaker")).isEmpty();
        assertThat(stage.layout("speaker-light").orElseThrow().theme()).isEqualTo(Theme.LIGHT);
    }

    @Test
    void aLeavingParticipantsTileGoesAndTheOthersAreLaidOutAgain() {
        RoomLayout stage = new RoomLayout("grid", 1280, 720);
        stage.add(new Tile("a", "alice", false));
        stage.add(new Tile("b", "bob", false));
        stage.add(new Tile("c", "carol", false));
        RoomLayout.Frame after = stage.remove("b").orElseThrow();
        assertThat(after.rects()).containsOnlyKeys("a", "c");
        // two tiles stack (as wide as side by side would be, and the first count wins)
        assertThat(after.rects().get("a")).isEqualTo(new Rect(0, 0, 1280, 360));
        assertThat(after.rects().get("c")).isEqualTo(new Rect(0, 360, 1280, 360));
        assertThat(stage.remove("b")).isEmpty();
    }

    @Test
    void singleSpeakerFollowsTheSpeakerAndAScreenShareWinsOverIt() {
        RoomLayout stage = new RoomLayout("single-speaker", 1280, 720);
        stage.add(new Tile("a", "alice", false));
        stage.add(new Tile("b", "bob", false));
        assertThat(stage.frame().rects()).containsOnlyKeys("a");
        assertThat(stage.speaker("bob").orElseThrow().rects()).containsOnlyKeys("b");
        assertThat(stage.add(new Tile("s", "alice", true)).orElseThrow().rects()).containsOnlyKeys("s");
        assertThat(stage.remove("s").orElseThrow().rects()).containsOnlyKeys("b");
    }
}
