package org.jegress.testsuite.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jegress.testsuite.servers.Ports;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * S3Proxy (its standalone jar, copied by the egress-testsuite build) as a child process on a loopback port,
 * checking SigV4 signatures and payload checksums as S3 does, storing objects in a directory: large objects cost
 * no memory, and they survive {@link #outage()} and {@link #resume()} on the same port.
 */
public final class S3Emulator implements AutoCloseable {

    public static final String ACCESS_KEY = "egress-access";
    public static final String SECRET = "egress-secret-key";

    private final Path dir;
    private final int port;
    private Process process;
    private final S3Client client;

    private S3Emulator(Path dir, int port) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = port;
        launch();
        client = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
                .build();
    }

    /** Starts an emulator keeping its objects under {@code dir}, with the given (empty) buckets. */
    public static S3Emulator start(Path dir, String... buckets) throws IOException, InterruptedException {
        S3Emulator e = new S3Emulator(dir, Ports.freeTcp());
        for (String b : buckets) {
            e.client.createBucket(r -> r.bucket(b));
        }
        return e;
    }

    private void launch() throws IOException, InterruptedException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET,
                // the SDK's multipart client sends x-amz-mp-object-size, which S3Proxy does not know
                "s3proxy.ignore-unknown-headers=true",
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data, ""));
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar().toString(), "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("s3proxy.log").toFile())).start();
        Ports.awaitListening(port, Duration.ofSeconds(30));
    }

    private static Path jar() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path jar = d.resolve("egress-testsuite/target/tools/s3proxy.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("s3proxy.jar not found: build egress-testsuite first");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops answering (connections are refused) until {@link #resume()}; the objects stay. */
    public void outage() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public void resume() throws IOException, InterruptedException {
        launch();
    }

    /** An object's content, read back with a plain client. */
    public byte[] get(String bucket, String key) {
        return client.getObject(r -> r.bucket(bucket).key(key), ResponseTransformer.toBytes()).asByteArray();
    }

    public HeadObjectResponse head(String bucket, String key) {
        return client.headObject(r -> r.bucket(bucket).key(key));
    }

    public List<String> keys(String bucket) {
        return client.listObjectsV2(r -> r.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
