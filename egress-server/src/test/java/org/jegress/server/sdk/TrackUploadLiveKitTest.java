package org.jegress.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.storage.Azurite;
import org.jegress.testsuite.storage.FakeGcs;
import org.jegress.testsuite.storage.FakeOss;
import org.jegress.testsuite.storage.S3Emulator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room egress uploading to each provider: four track egresses of one published microphone, at once, each to
 * its own storage's emulator, each object downloaded and decoded.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class TrackUploadLiveKitTest {

    private static final String BUCKET = "tracks";

    @TempDir
    Path dir;

    @Test
    void oneTrackToEachProviderAtOnce(LiveKitEnvironment env) throws Exception {
        try (S3Emulator s3 = S3Emulator.start(dir.resolve("s3"), BUCKET); Azurite azure = Azurite.start();
                FakeGcs gcs = FakeGcs.start(dir.resolve("gcs.log"), BUCKET); FakeOss oss = FakeOss.start(BUCKET)) {
            azure.createContainer(BUCKET);
            RoomEgressFixture egress = new RoomEgressFixture(env, dir, "storage_endpoints:\n  azure: 'http://127.0.0.1:"
                    + URI.create(azure.accountEndpoint()).getPort() + "/{account}'\n  gcp: '" + gcs.endpoint() + "'\n");
            String room = env.newRoom("uploads");
            TestPublisher alice = env.publisher(room, "alice");
            String sid = alice.publishTone("mic", 440);
            List<DirectFileOutput.Builder> outputs = List.of(
                    DirectFileOutput.newBuilder().setFilepath("s3/{track_id}").setS3(S3Upload.newBuilder()
                            .setAccessKey(S3Emulator.ACCESS_KEY).setSecret(S3Emulator.SECRET).setRegion("us-east-1")
                            .setEndpoint(s3.endpoint()).setBucket(BUCKET).setForcePathStyle(true)),
                    DirectFileOutput.newBuilder().setFilepath("azure/{track_id}").setAzure(AzureBlobUpload.newBuilder()
                            .setAccountName(Azurite.ACCOUNT).setAccountKey(Azurite.KEY).setContainerName(BUCKET)),
                    DirectFileOutput.newBuilder().setFilepath("gcs/{track_id}").setGcp(GCPUpload.newBuilder()
                            .setBucket(BUCKET)),
                    DirectFileOutput.newBuilder().setFilepath("oss/{track_id}").setAliOSS(AliOSSUpload.newBuilder()
                            .setAccessKey(FakeOss.ACCESS_KEY).setSecret(FakeOss.SECRET).setEndpoint(oss.endpoint())
                            .setBucket(BUCKET)));
            List<RoomEgressFixture.Running> running = new ArrayList<>();
            for (DirectFileOutput.Builder out : outputs) {
                running.add(egress.start(RoomEgressFixture.rpc(room).setTrack(TrackEgressRequest.newBuilder()
                        .setRoomName(room).setTrackId(sid).setFile(out))));
            }
            for (RoomEgressFixture.Running r : running) {
                r.awaitActive();
            }
            Thread.sleep(5000);
            running.forEach(r -> r.handle.stop());
            List<byte[]> objects = new ArrayList<>();
            for (RoomEgressFixture.Running r : running) {
                EgressInfo end = r.awaitEnd();
                assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
                assertThat(end.getFileResults(0).getLocation()).endsWith("/" + BUCKET + "/"
                        + end.getFileResults(0).getFilename());
            }
            String key = sid + ".ogg";
            objects.add(s3.get(BUCKET, "s3/" + key));
            objects.add(azure.get(BUCKET, "azure/" + key));
            objects.add(gcs.get(BUCKET, "gcs/" + key));
            objects.add(oss.object(BUCKET, "oss/" + key));
            for (byte[] o : objects) {
                Path f = Files.write(Files.createTempFile(dir, "track", ".ogg"), o);
                MediaProbe p = MediaProbe.of(f);
                assertThat(p.format()).isEqualTo("ogg");
                assertThat(p.audio()).hasValueSatisfying(a -> assertThat(a.codec()).isEqualTo("opus"));
                assertThat(p.duration()).isCloseTo(5.0, within(1.5));
            }
        }
    }
}
