package org.jegress.server.psrpc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jegress.testsuite.servers.Ports;

/**
 * A real three-master Redis Cluster on loopback for tests: three {@code redis-server --cluster-enabled yes}
 * processes joined with {@code redis-cli --cluster create}, no replicas, no persistence.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<Process> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private RedisCluster() {
    }

    /** Starts the nodes in {@code dir} and waits until the cluster reports {@code cluster_state:ok}. */
    public static RedisCluster start(Path dir) throws Exception {
        RedisCluster c = new RedisCluster();
        try {
            for (int i = 0; i < 3; i++) {
                int port = Ports.freeTcp();
                Path nodeDir = Files.createDirectories(dir.resolve("redis-" + port));
                c.ports.add(port);
                c.nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                        "--appendonly", "no")
                        .directory(nodeDir.toFile()).redirectErrorStream(true)
                        .redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
            }
            for (int port : c.ports) {
                awaitCli(port, "PONG", "ping");
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            c.ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
            for (int port : c.ports) {
                awaitCli(port, "cluster_state:ok", "cluster", "info");
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** {@code host:port} of every node, for {@code cluster_addresses}. */
    public List<String> addresses() {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    private static void awaitCli(int port, String expected, String... args) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            if (last.contains(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("redis node " + port + " never answered " + expected + ": " + last);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : nodes) {
            p.destroy();
        }
        for (Process p : nodes) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
