package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.FileOutput;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StorageConfig;
import org.jegress.api.livekit.StreamOutput;
import org.junit.jupiter.api.Test;

/** Mirrors upstream protocol {@code egress/redact_test.go} and egress {@code pkg/config/urls_test.go}. */
class RedactionTest {

    private static final S3Upload S3 = S3Upload.newBuilder()
            .setAccessKey("ACCESS_KEY")
            .setSecret("LONG_SECRET_STRING")
            .setAssumeRoleExternalId("EXTERNAL_ID")
            .setSessionToken("SESSION_TOKEN")
            .setRegion("us-east-1")
            .setBucket("bucket")
            .build();

    @Test
    void streamKeysAsUpstreamTestRedactStreamOutput() {
        StreamOutput so = StreamOutput.newBuilder()
                .addUrls("rtmps://foo.bar.com/app/secret_stream_key")
                .addUrls("mux://8e0b1b9c-50a2-d893-ec0a-102056d112ae")
                .addUrls("twitch://live_12345678_abcdefghijklmnop")
                .addUrls("srt://foo.bar.com:9999")
                .addUrls("srt://foo.bar.com:9999?streamid=124939da-5244&passphrase=WnxknzJTUbwYl9SpdqAudX")
                .build();
        assertThat(Redaction.stream(so).getUrlsList()).containsExactly(
                "rtmps://foo.bar.com/app/{sec...key}",
                "mux://{8e0...2ae}",
                "twitch://{liv...nop}",
                "srt://foo.bar.com:9999",
                "srt://foo.bar.com:9999?streamid={...}&passphrase={...}");
    }

    @Test
    void streamKeysAsUpstreamTestValidateUrl() {
        assertThat(Redaction.streamUrl("rtmp://localhost:1935/live/streamkey"))
                .isEqualTo("rtmp://localhost:1935/live/{str...key}");
        assertThat(Redaction.streamUrl("rtmps://localhost:1935/live/streamkey"))
                .isEqualTo("rtmps://localhost:1935/live/{str...key}");
        assertThat(Redaction.streamUrl("rtmps://global-live.mux.com:443/app/streamkey"))
                .isEqualTo("rtmps://global-live.mux.com:443/app/{str...key}");
        assertThat(Redaction.streamUrl("mux://streamkey")).isEqualTo("mux://{str...key}");
        assertThat(Redaction.streamUrl("twitch://streamkey")).isEqualTo("twitch://{str...key}");
        assertThat(Redaction.streamUrl("rtmp://fake.contribute.live-video.net/app/streamkey"))
                .isEqualTo("rtmp://fake.contribute.live-video.net/app/{str...key}");
    }

    @Test
    void rtmpShapes() {
        // the last path element is the key; the live=1 flag survives
        assertThat(Redaction.streamUrl("rtmp://host/app/streamkey live=1"))
                .isEqualTo("rtmp://host/app/{str...key} live=1");
        assertThat(Redaction.streamUrl("rtmp://host/path/to/app/abcdefghij"))
                .isEqualTo("rtmp://host/path/to/app/{abc...hij}");
        assertThat(Redaction.streamUrl("rtmp://host/app/")).isEqualTo("rtmp://host/app/{...}");
        // without app/key it is not an RTMP stream URL: left alone (no query to redact)
        assertThat(Redaction.streamUrl("rtmp://host")).isEqualTo("rtmp://host");
    }

    @Test
    void queryValues() {
        assertThat(Redaction.queryValues(
                "wss://foo.bar.com/audio?callId=12145&token=7df13dab0d4437602d6f7056b97e72b9"))
                .isEqualTo("wss://foo.bar.com/audio?callId={...}&token={...}");
        assertThat(Redaction.queryValues("wss://foo.bar.com/audio")).isEqualTo("wss://foo.bar.com/audio");
        assertThat(Redaction.queryValues("wss://foo.bar.com/audio?")).isEqualTo("wss://foo.bar.com/audio?");
        // empty values and bare names stay as they are
        assertThat(Redaction.queryValues("x?a=&b&c=1")).isEqualTo("x?a=&b&c={...}");
        // only the first '=' splits name from value
        assertThat(Redaction.queryValues("x?sig=a=b")).isEqualTo("x?sig={...}");
    }

    @Test
    void identifier() {
        assertThat(Redaction.identifier("")).isEqualTo("{...}");
        assertThat(Redaction.identifier("ab")).isEqualTo("{...}");
        assertThat(Redaction.identifier("abc")).isEqualTo("{a...c}");
        assertThat(Redaction.identifier("abcde")).isEqualTo("{a...e}");
        assertThat(Redaction.identifier("abcdef")).isEqualTo("{ab...ef}");
        assertThat(Redaction.identifier("abcdefgh")).isEqualTo("{ab...gh}");
        assertThat(Redaction.identifier("abcdefghi")).isEqualTo("{abc...ghi}");
        assertThat(Redaction.identifier("streamkey")).isEqualTo("{str...key}");
    }

    @Test
    void s3AsUpstreamTestRedactUpload() {
        S3Upload r = Redaction.s3(S3);
        assertThat(r.getAccessKey()).isEqualTo("{access_key}");
        assertThat(r.getSecret()).isEqualTo("{secret}");
        assertThat(r.getAssumeRoleExternalId()).isEqualTo("{external_id}");
        assertThat(r.getSessionToken()).isEqualTo("{session_token}");
        assertThat(r.getRegion()).isEqualTo("us-east-1");
        assertThat(r.getBucket()).isEqualTo("bucket");

        S3Upload sessionTokenOnly = Redaction.s3(S3Upload.newBuilder().setAccessKey("ACCESS_KEY")
                .setSecret("LONG_SECRET_STRING").setSessionToken("SESSION_TOKEN").build());
        assertThat(sessionTokenOnly.getSessionToken()).isEqualTo("{session_token}");
        // fields that were empty stay empty
        assertThat(sessionTokenOnly.getAssumeRoleExternalId()).isEmpty();
        assertThat(Redaction.s3(S3Upload.getDefaultInstance())).isEqualTo(S3Upload.getDefaultInstance());
    }

    @Test
    void otherProviders() {
        AliOSSUpload oss = Redaction.alioss(AliOSSUpload.newBuilder().setAccessKey("ACCESS_KEY")
                .setSecret("LONG_SECRET_STRING").setBucket("b").build());
        assertThat(oss.getAccessKey()).isEqualTo("{access_key}");
        assertThat(oss.getSecret()).isEqualTo("{secret}");
        assertThat(oss.getBucket()).isEqualTo("b");

        GCPUpload gcp = Redaction.gcp(GCPUpload.newBuilder().setCredentials("CREDENTIALS").setBucket("g").build());
        assertThat(gcp.getCredentials()).isEqualTo("{credentials}");
        assertThat(gcp.getBucket()).isEqualTo("g");

        AzureBlobUpload az = Redaction.azure(AzureBlobUpload.newBuilder().setAccountName("ACCOUNT_NAME")
                .setAccountKey("ACCOUNT_KEY").setContainerName("c").build());
        assertThat(az.getAccountName()).isEqualTo("{account_name}");
        assertThat(az.getAccountKey()).isEqualTo("{account_key}");
        assertThat(az.getContainerName()).isEqualTo("c");
    }

    @Test
    void outputMessages() {
        assertThat(Redaction.file(EncodedFileOutput.newBuilder().setFilepath("f").setS3(S3).build()).getS3()
                .getSecret()).isEqualTo("{secret}");
        assertThat(Redaction.file(DirectFileOutput.newBuilder().setAzure(AzureBlobUpload.newBuilder()
                .setAccountName("ACCOUNT_NAME").setAccountKey("ACCOUNT_KEY")).build()).getAzure().getAccountKey())
                .isEqualTo("{account_key}");
        assertThat(Redaction.segments(SegmentedFileOutput.newBuilder().setGcp(GCPUpload.newBuilder()
                .setCredentials("CREDENTIALS")).build()).getGcp().getCredentials()).isEqualTo("{credentials}");
        assertThat(Redaction.images(ImageOutput.newBuilder().setAliOSS(AliOSSUpload.newBuilder()
                .setAccessKey("ACCESS_KEY").setSecret("LONG_SECRET_STRING")).build()).getAliOSS().getSecret())
                .isEqualTo("{secret}");
        // no upload block: unchanged
        EncodedFileOutput local = EncodedFileOutput.newBuilder().setFilepath("f.mp4").build();
        assertThat(Redaction.file(local)).isEqualTo(local);
    }

    @Test
    void v2OutputAndStorage() {
        Output out = Output.newBuilder()
                .setStream(StreamOutput.newBuilder().addUrls("rtmp://h/live/streamkey"))
                .setStorage(StorageConfig.newBuilder().setS3(S3))
                .build();
        Output r = Redaction.output(out);
        assertThat(r.getStream().getUrls(0)).isEqualTo("rtmp://h/live/{str...key}");
        assertThat(r.getStorage().getS3().getAccessKey()).isEqualTo("{access_key}");

        Output file = Output.newBuilder().setFile(FileOutput.newBuilder().setFilepath("a.mp4")).build();
        assertThat(Redaction.output(file)).isEqualTo(file);

        StorageConfig gcp = Redaction.storage(StorageConfig.newBuilder()
                .setGcp(GCPUpload.newBuilder().setCredentials("CREDENTIALS")).build());
        assertThat(gcp.getGcp().getCredentials()).isEqualTo("{credentials}");
    }

    @Test
    void redactionDoesNotMutateTheOriginal() {
        EncodedFileOutput original = EncodedFileOutput.newBuilder().setS3(S3).build();
        Redaction.file(original);
        assertThat(original.getS3().getSecret()).isEqualTo("LONG_SECRET_STRING");
    }
}
