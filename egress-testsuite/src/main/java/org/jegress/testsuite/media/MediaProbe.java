package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What ffprobe says about a file: the container and each stream, decoded from its JSON output. Tests judge
 * recordings by this, never by "the file exists".
 */
public final class MediaProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stream of the file. */
    public record Stream(String type, String codec, String profile, int width, int height, double frameRate,
            int sampleRate, int channels, double duration, long bitRate, long frames) {
    }

    private final String format;
    private final double duration;
    private final List<Stream> streams;

    private MediaProbe(String format, double duration, List<Stream> streams) {
        this.format = format;
        this.duration = duration;
        this.streams = streams;
    }

    /** Probes a file, counting video frames by decoding (so a truncated file reports what really plays). */
    public static MediaProbe of(Path file) throws IOException, InterruptedException {
        String out = Tools.run(List.of("ffprobe", "-v", "error", "-count_frames", "-print_format", "json",
                "-show_format", "-show_streams", file.toString()));
        JsonNode root = JSON.readTree(out);
        List<Stream> streams = new ArrayList<>();
        for (JsonNode s : root.path("streams")) {
            streams.add(new Stream(s.path("codec_type").asText(), s.path("codec_name").asText(),
                    s.path("profile").asText(""), s.path("width").asInt(), s.path("height").asInt(),
                    rate(s.path("avg_frame_rate").asText("0/1")), s.path("sample_rate").asInt(),
                    s.path("channels").asInt(), s.path("duration").asDouble(Double.NaN),
                    s.path("bit_rate").asLong(), s.path("nb_read_frames").asLong(-1)));
        }
        return new MediaProbe(root.path("format").path("format_name").asText(),
                root.path("format").path("duration").asDouble(Double.NaN), streams);
    }

    private static double rate(String fraction) {
        String[] p = fraction.split("/");
        double den = p.length > 1 ? Double.parseDouble(p[1]) : 1;
        return den == 0 ? 0 : Double.parseDouble(p[0]) / den;
    }

    public String format() {
        return format;
    }

    /** Container duration in seconds. */
    public double duration() {
        return duration;
    }

    public Optional<Stream> video() {
        return streams.stream().filter(s -> s.type().equals("video")).findFirst();
    }

    public Optional<Stream> audio() {
        return streams.stream().filter(s -> s.type().equals("audio")).findFirst();
    }

    public List<Stream> streams() {
        return streams;
    }

    @Override
    public String toString() {
        return format + " " + duration + " s " + streams;
    }
}
