package org.jegress.server.web;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds helper processes (Xvfb, Chromium, PulseAudio) an egress left behind: descendants of this JVM, or any
 * whose command line carries the egress work directory (all three do), which also finds orphans of a killed JVM.
 */
public final class LeftoverProcesses {

    private LeftoverProcesses() {
    }

    /** Helper processes still running: descendants of this JVM, or anything mentioning {@code marker}. */
    public static List<String> find(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> isHelper(p) && !ofLiveSpare(p) && (isDescendant(p) || mentions(p, marker)))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.toList());
    }

    /** Waits up to {@code millis} for helpers to disappear and returns what is still there. */
    public static List<String> awaitGone(String marker, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        List<String> left = find(marker);
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            left = find(marker);
        }
        return left;
    }

    private static boolean isHelper(ProcessHandle p) {
        String cmd = p.info().command().orElse("");
        return cmd.endsWith("Xvfb") || cmd.contains("chrom") || cmd.endsWith("pulseaudio");
    }

    private static boolean isDescendant(ProcessHandle p) {
        return ProcessHandle.current().descendants().anyMatch(d -> d.pid() == p.pid());
    }

    /**
     * A spare handler's warm browser (its directory names the spare's pid): there by design while that spare lives;
     * left behind once it is gone.
     */
    private static boolean ofLiveSpare(ProcessHandle p) {
        java.util.regex.Pattern warm = java.util.regex.Pattern.compile(
                org.jegress.sources.web.WarmBrowser.DIR_PREFIX + "(\\d+)");
        // Chromium's own children do not repeat its profile directory: look up the parent chain too
        for (java.util.Optional<ProcessHandle> h = java.util.Optional.of(p); h.isPresent(); h = h.get().parent()) {
            java.util.regex.Matcher m = warm.matcher(h.get().info().commandLine().orElse(""));
            if (m.find()) {
                return ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false);
            }
        }
        return false;
    }

    private static boolean mentions(ProcessHandle p, String marker) {
        return p.info().commandLine().map(c -> c.contains(marker)).orElse(false);
    }
}
