package org.jegress.sources.room.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The private network namespace the test JVM runs in. The {@code livekit} surefire execution starts every fork
 * through {@code src/test/resources/room/netns-jvm/bin/java}, which creates a fresh namespace per fork ({@code ip netns add
 * jegress-lk-<wrapper pid>}) with {@code lo} up and a veth pair 10.99.0.1/24 ↔ 10.99.0.2/24, runs the JVM inside it
 * and deletes it (killing whatever is left in it) when the JVM exits. Everything a test starts inherits the
 * namespace; helpers still start their processes with {@code ip netns exec <ns>} so they cannot end up elsewhere
 * even when launched from a thread or tool that escaped it.
 */
public record TestNamespace(String name, String serverIp, String peerIp) {

    /** The namespace this JVM runs in, or null when it was not started by the wrapper. */
    public static TestNamespace current() {
        String ns = System.getenv("JEGRESS_NETNS");
        if (ns == null || ns.isBlank()) {
            return null;
        }
        return new TestNamespace(ns, env("JEGRESS_NETNS_SERVER_IP", "10.99.0.1"), env("JEGRESS_NETNS_PEER_IP",
                "10.99.0.2"));
    }

    /** The namespace this JVM runs in; fails the test when it was not started by the wrapper. */
    public static TestNamespace required() {
        TestNamespace ns = current();
        if (ns == null) {
            throw new IllegalStateException("not inside a test network namespace: run through the 'livekit' "
                    + "surefire execution");
        }
        return ns;
    }

    private static String env(String key, String dflt) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** {@code ip netns exec <ns> command...}. */
    public List<String> exec(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(command);
        return argv;
    }
}
