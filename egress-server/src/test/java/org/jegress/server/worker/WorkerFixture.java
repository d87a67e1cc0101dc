package org.jegress.server.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;

/**
 * {@code egress server} in a child JVM, as an operator runs it, configured for the test's Redis and livekit-server.
 * Its working directory is where relative outputs land. The log is kept in memory and on disk.
 */
final class WorkerFixture implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private WorkerFixture(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                    Files.writeString(dir.resolve("worker.log"), line + "\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                log.add("log reader: " + e);
            }
        }, "worker-log");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @param extraYaml more config lines (e.g. ports, cpu_cost)
     */
    static WorkerFixture start(RedisServerExtension redis, LiveKitServer livekit, Path dir, String extraYaml)
            throws Exception {
        return start(redis, livekit, dir, extraYaml, System.getProperty("java.class.path"));
    }

    /**
     * @param classPath the worker's (and so its handlers') class path: the packaged {@code egress-server.jar} and
     *     {@code lib/*} run it as operators do, with class-data sharing for the handlers
     */
    static WorkerFixture start(RedisServerExtension redis, LiveKitServer livekit, Path dir, String extraYaml,
            String classPath) throws Exception {
        return start("  address: 127.0.0.1:" + redis.port(), livekit, dir, extraYaml, classPath);
    }

    /**
     * @param redisBlock the lines of the config's {@code redis:} block (e.g. sentinel keys)
     */
    static WorkerFixture start(String redisBlock, LiveKitServer livekit, Path dir, String extraYaml,
            String classPath) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("egress.yaml");
        Files.writeString(config, String.join("\n",
                "api_key: " + LiveKitServer.API_KEY,
                "api_secret: " + LiveKitServer.API_SECRET,
                "ws_url: " + livekit.wsUrl(),
                "redis:",
                redisBlock,
                "logging:",
                "  level: info",
                // The suite runs on 2 cores: upstream's default costs (4 per web egress) would admit nothing.
                "cpu_cost:",
                "  web_cpu_cost: 0.5",
                "  audio_web_cpu_cost: 0.25",
                extraYaml,
                ""));
        Files.createDirectories(dir.resolve("tmp"));
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-cp", classPath,
                "org.jegress.server.cli.Main", "server", "--config", config.toString()))
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("worker.out").toFile());
        // a pipeline that freezes leaves its graph beside the worker's log (EgressSession writes it there)
        pb.environment().put("GST_DEBUG_DUMP_DOT_DIR", dir.toString());
        Process p = pb.start();
        WorkerFixture w = new WorkerFixture(p, dir);
        w.awaitLog("serving StartEgress", 30_000);
        return w;
    }

    /**
     * {@code egress-server/target/room-it/<name>}, emptied: kept after the run for a look at the logs, and holding
     * only this run's files.
     */
    static Path freshDir(String name) throws IOException {
        Path root = Path.of(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
        Path dir = root.resolve("egress-server/target/room-it/" + name);
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** Waits for a log line containing {@code text}. */
    void awaitLog(String text, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (log.stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited: " + String.join("\n", log));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no '" + text + "' in worker log:\n" + String.join("\n", log));
    }

    /** How many log lines so far contain {@code text}. */
    long logCount(String text) {
        return log.stream().filter(l -> l.contains(text)).count();
    }

    /** Waits until more than {@code seen} log lines contain {@code text}. */
    void awaitLogCount(String text, long seen, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (logCount(text) <= seen) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no new '" + text + "' in worker log:\n" + String.join("\n", log));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited: " + String.join("\n", log));
            }
            Thread.sleep(50);
        }
    }

    List<String> log() {
        return List.copyOf(log);
    }

    Path dir() {
        return dir;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Sends a signal (e.g. "TERM", "INT", "KILL"). */
    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
    }

    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("INT");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                System.out.println("worker did not exit within 60 s of SIGINT; its log:\n"
                        + String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
                process.destroyForcibly();
            }
        }
    }
}
