package org.jegress.api.plan;

/** What kind of egress a request asks for; the label is the one used in metrics and logs upstream. */
public enum RequestType {
    ROOM_COMPOSITE("room_composite"),
    WEB("web"),
    PARTICIPANT("participant"),
    TRACK_COMPOSITE("track_composite"),
    TRACK("track"),
    TEMPLATE("template"),
    MEDIA("media"),
    REPLAY("replay");

    private final String label;

    RequestType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
