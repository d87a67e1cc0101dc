package org.jegress.api.plan;

/**
 * One stream destination.
 *
 * @param requested the URL as requested (may be a {@code mux://} or {@code twitch://} shorthand)
 * @param url the URL the sink connects to
 * @param redacted the URL with its stream key hidden: what {@code StreamInfo.url} and logs show
 */
public record StreamUrl(String requested, String url, String redacted) {

    @Override
    public String toString() {
        return redacted;
    }
}
