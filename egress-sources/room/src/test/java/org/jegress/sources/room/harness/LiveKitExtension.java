package org.jegress.sources.room.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for tests against a real LiveKit server: starts livekit-server v1.13.5 inside the private network
 * namespace the test JVM runs in (see {@link TestNamespace}) once per test class and injects a
 * {@link LiveKitEnvironment} into test methods and lifecycle methods. Everything it started (server, publishers) is
 * stopped in {@code afterAll}, whether the tests passed or not; JUnit also closes the stored environment if
 * {@code afterAll} never ran, the processes die with the JVM through their watchdogs, and the namespace wrapper
 * kills whatever is left in the namespace and deletes it.
 *
 * <pre>{@code
 * @Tag("livekit")
 * @ExtendWith(LiveKitExtension.class)
 * class MyRoomTest {
 *     @Test void records(LiveKitEnvironment env) throws Exception {
 *         String room = env.newRoom("rec");
 *         TestPublisher pub = env.publisher(room, "alice");
 *         String sid = pub.publishTone("mic", 440);
 *         try (RoomConnection rc = RoomConnection.connect(env.recorder(room, "EG_test").build(), null, null)) { ... }
 *     }
 * }
 * }</pre>
 *
 * Outside the namespace (a run that did not go through the {@code livekit} surefire execution, e.g. from an IDE as a
 * non-root user) the tests are skipped with a message saying so.
 */
public final class LiveKitExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(LiveKitExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestNamespace ns = TestNamespace.current();
        Assumptions.assumeTrue(ns != null, "not inside a test network namespace: run through the 'livekit' surefire "
                + "execution (mvn -pl egress-sources/room test), which starts the JVM via src/test/resources/room/netns-jvm/bin/java");
        Path module = Paths.get(System.getProperty("basedir", "")).toAbsolutePath();
        // the publisher script lives with this harness; other modules reusing it point here with jegress.test.node
        String nodeProp = System.getProperty("jegress.test.node", "");
        Path nodeDir = nodeProp.isBlank() ? module.resolve("src/test/node") : Paths.get(nodeProp).normalize();
        if (!Files.isDirectory(nodeDir.resolve("node_modules/@livekit/rtc-node"))) {
            throw new IllegalStateException(nodeDir + "/node_modules is missing: run scripts/setup test");
        }
        String cls = context.getRequiredTestClass().getSimpleName();
        Path workDir = module.resolve("target/room-it/" + cls);
        Files.createDirectories(workDir);
        // unix socket paths must stay short (108 bytes): keep the control sockets in /tmp
        Path sockets = Files.createTempDirectory("jeg-lk");
        LiveKitServer server = LiveKitServer.start(ns, workDir);
        LiveKitEnvironment env = new LiveKitEnvironment(ns, server, workDir, sockets, nodeDir);
        context.getStore(STORE).put(LiveKitEnvironment.class, (ExtensionContext.Store.CloseableResource) env::close);
        context.getStore(STORE).put("env", env);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LiveKitEnvironment env = context.getStore(STORE).remove("env", LiveKitEnvironment.class);
        if (env != null) {
            env.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LiveKitEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        LiveKitEnvironment env = extensionContext.getStore(STORE).get("env", LiveKitEnvironment.class);
        if (env == null) {
            throw new ParameterResolutionException("LiveKit environment not started");
        }
        return env;
    }
}
