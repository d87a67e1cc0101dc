package org.jegress.server.handler;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.status.EndReason;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressOptions;
import org.jegress.server.handler.ipc.HandlerCommand;
import org.jegress.server.handler.ipc.HandlerEvent;
import org.jegress.sources.web.WarmBrowser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * Entry point of a handler child process: runs one egress (dedicated) or several light ones (shared, see
 * {@link EgressHost}) and reports to the worker.
 *
 * <p>Inputs come from the environment, as with the Go handler: {@value #ENV_REQUEST} (the rpc request, base64
 * protobuf), {@value #ENV_INFO} (the EgressInfo the worker already returned to livekit-server, whose
 * {@code started_at} fixes the {@code {time}} in file names so both processes agree on them) and
 * {@value #ENV_CONFIG} (the worker's config as YAML). stdout carries only IPC frames; logs go to stderr.
 *
 * <p>A <em>spare</em> handler is started without them ({@value #ENV_SPARE} set): it loads its classes and initialises
 * GStreamer, then waits for a {@code Start} command carrying the same three inputs, so an egress handed to it skips
 * the JVM and GStreamer start-up. A spare whose worker goes away exits. The first {@code Start} says whether the
 * handler is shared: a shared handler accepts more {@code Start}s and exits once its stdin closes and its egresses
 * have ended.
 */
public final class HandlerMain {

    public static final String ENV_REQUEST = "EGRESS_HANDLER_REQUEST";
    public static final String ENV_INFO = "EGRESS_HANDLER_INFO";
    public static final String ENV_CONFIG = "EGRESS_HANDLER_CONFIG_BODY";
    /** Set (to anything) for a spare handler that waits for its egress on stdin. */
    public static final String ENV_SPARE = "EGRESS_HANDLER_SPARE";

    /**
     * {@code EGRESS_WARM_BROWSER=false} keeps spares from starting Xvfb + PulseAudio + Chromium ahead of time (an
     * idle browser less per worker; web egress and room composite then start about a second later).
     */
    public static final String ENV_WARM_BROWSER = "EGRESS_WARM_BROWSER";

    private static final Logger LOG = LoggerFactory.getLogger(HandlerMain.class);

    private final OutputStream ipcOut;
    private final InputStream ipcIn;

    /**
     * How the worker's egresses run, from its config: {@code local_directory} (when set) holds the staged files and
     * the upload journal, so the worker finds what a dead handler left there.
     */
    public static EgressOptions options(EgressConfig config) {
        EgressOptions options = EgressOptions.defaults().withConfig(config);
        if (config.localDirectory() != null && !config.localDirectory().isEmpty()) {
            options = options.withWorkRoot(Path.of(config.localDirectory()));
        }
        return options;
    }

    private HandlerMain(OutputStream ipcOut, InputStream ipcIn) {
        this.ipcOut = ipcOut;
        this.ipcIn = ipcIn;
    }

    public static void main(String[] args) {
        // Keep the real stdout for frames; anything printed by libraries goes to stderr instead.
        OutputStream ipc = new BufferedOutputStream(IpcChannel.open());
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in));
        int code = new HandlerMain(ipc, in).run(System.getenv());
        System.exit(code);
    }

    int run(Map<String, String> env) {
        EgressHost host = new EgressHost(this::send, ManagementFactory.getRuntimeMXBean().getStartTime());
        boolean shared;
        try {
            if (env.containsKey(ENV_SPARE)) {
                warmUp();
                String spareConfig = env.getOrDefault(ENV_CONFIG, "");
                boolean warmBrowser = !"false".equalsIgnoreCase(env.get(ENV_WARM_BROWSER));
                if (warmBrowser) {
                    EgressConfig c = ConfigLoader.parse(spareConfig, env);
                    WarmBrowser.prewarmInBackground(c, options(c).workRoot());
                }
                HandlerCommand first = HandlerCommand.parseDelimitedFrom(ipcIn);
                if (first == null || !first.hasStart()) {
                    LOG.debug("spare handler released without an egress");
                    WarmBrowser.discard();
                    return 0;
                }
                shared = first.getStart().getShared();
                if (!first.getStart().getConfigYaml().equals(spareConfig)) {
                    WarmBrowser.discard();
                }
                if (!start(host, first, env) && !shared) {
                    return 1;
                }
            } else {
                shared = false;
                if (!host.start(StartEgressRequest.parseFrom(decode(env, ENV_REQUEST)),
                        EgressInfo.parseFrom(decode(env, ENV_INFO)), env.getOrDefault(ENV_CONFIG, ""), env)) {
                    return 1;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("handler failed to start", e);
            return 1;
        }

        Signal.handle(new Signal("INT"), s -> host.stopAll(EndReason.KILLED));
        Signal.handle(new Signal("TERM"), s -> host.stopAll(EndReason.KILLED));
        Thread commands = new Thread(() -> readCommands(host, shared, env), "handler-commands");
        commands.setDaemon(true);
        commands.start();
        try {
            if (shared) {
                // a shared handler lives until the worker releases it (or goes away): stdin closes
                commands.join();
            }
            host.awaitAll();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static boolean start(EgressHost host, HandlerCommand c, Map<String, String> env) throws IOException {
        return host.start(StartEgressRequest.parseFrom(c.getStart().getRequest()),
                EgressInfo.parseFrom(c.getStart().getInfo()), c.getStart().getConfigYaml(), env);
    }

    /**
     * Made-up requests whose planning loads the planner's, the sources' and the sinks' classes (a track egress, a
     * participant egress, a web egress); the spare handler and the worker's first bid run them once ahead of time.
     */
    public static final java.util.List<StartEgressRequest> WARM_UP_REQUESTS = java.util.List.of(
            StartEgressRequest.newBuilder().setEgressId("EG_warmup").setRoomName("warmup")
                    .setTrack(org.jegress.api.livekit.TrackEgressRequest.newBuilder().setRoomName("warmup")
                            .setTrackId("TR_warmup").setFile(org.jegress.api.livekit.DirectFileOutput
                                    .newBuilder().setFilepath("warmup")))
                    .build(),
            StartEgressRequest.newBuilder().setEgressId("EG_warmup").setRoomName("warmup")
                    .setParticipant(org.jegress.api.livekit.ParticipantEgressRequest.newBuilder()
                            .setRoomName("warmup").setIdentity("warmup")
                            .addFileOutputs(org.jegress.api.livekit.EncodedFileOutput.newBuilder()
                                    .setFilepath("warmup.mp4")))
                    .build(),
            StartEgressRequest.newBuilder().setEgressId("EG_warmup").setWeb(
                    org.jegress.api.livekit.WebEgressRequest.newBuilder().setUrl("http://127.0.0.1/")
                            .addFileOutputs(org.jegress.api.livekit.EncodedFileOutput.newBuilder()
                                    .setFilepath("warmup.mp4"))).build());

    /** What every egress needs first, done while the spare waits: GStreamer, its plugins, the planner's classes. */
    private static void warmUp() {
        long t0 = System.nanoTime();
        org.jegress.pipeline.gst.GstRuntime.ensureInitialized();
        // making an element loads its plugin (and the libraries behind it): the slow part of a first use; the first
        // dtlsdec also generates the process's DTLS certificate (an RSA key), which every peer connection then shares
        for (String factory : new String[] {"webrtcbin", "dtlsdec", "rtpbin", "rtpopusdepay", "rtph264depay", "rtpvp8depay", "opusparse",
                "oggmux", "mp4mux", "webmmux", "x264enc", "avenc_aac", "opusenc", "audiomixer", "compositor",
                "opusdec", "avdec_h264", "vp8dec", "valve", "queue", "filesink"}) {
            try {
                org.freedesktop.gstreamer.Element e = org.freedesktop.gstreamer.ElementFactory.make(factory, null);
                e.dispose();
            } catch (RuntimeException e) {
                LOG.debug("warm-up: {}: {}", factory, e.toString());
            }
        }
        // The Java side of a start, run once on made-up requests: config parsing (Jackson YAML), planning, provider
        // lookup (loads the source and sink classes), token signing (JCA), the HTTP client the signalling uses.
        try {
            EgressConfig config = ConfigLoader.parse(String.join("\n", "api_key: warmup", "api_secret: warmup",
                    "ws_url: ws://127.0.0.1:7880", "log_level: info", ""), Map.of());
            EgressPlanner planner = new EgressPlanner(config, Clock.systemUTC(), java.time.ZoneOffset.UTC);
            for (StartEgressRequest r : WARM_UP_REQUESTS) {
                Egress.checkSupported(planner.plan(r));
            }
            org.jegress.api.auth.EgressToken.build("EG_warmup", "warmup", "warmup", "warmup", Instant.now());
            java.util.ServiceLoader.load(org.jegress.pipeline.spi.SourceProvider.class)
                    .forEach(org.jegress.pipeline.spi.SourceProvider::warmUp);
            java.net.http.HttpClient.newHttpClient();
        } catch (RuntimeException e) {
            LOG.debug("warm-up: {}", e.toString());
        }
        LOG.info("spare handler warmed up in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private void readCommands(EgressHost host, boolean shared, Map<String, String> env) {
        try {
            while (true) {
                HandlerCommand c = HandlerCommand.parseDelimitedFrom(ipcIn);
                if (c == null) {
                    break;
                }
                if (c.hasStart()) {
                    if (shared) {
                        start(host, c, env);
                    } else {
                        LOG.warn("{}: a dedicated handler runs one egress only", c.getEgressId());
                    }
                } else {
                    host.handle(c);
                }
            }
        } catch (IOException e) {
            LOG.warn("reading commands: {}", e.toString());
        }
        // stdin closed: the worker is gone, or it released this shared handler (then nothing runs here any more)
        host.workerGone();
    }

    private synchronized void send(HandlerEvent event) {
        try {
            event.writeDelimitedTo(ipcOut);
            ipcOut.flush();
        } catch (IOException e) {
            LOG.debug("worker pipe closed: {}", e.toString());
        }
    }

    private static byte[] decode(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return Base64.getDecoder().decode(v);
    }
}
