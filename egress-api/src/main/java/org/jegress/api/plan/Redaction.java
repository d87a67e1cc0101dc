package org.jegress.api.plan;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StorageConfig;
import org.jegress.api.livekit.StreamOutput;

/**
 * Replaces secrets in the request echoed in EgressInfo: credentials become placeholders such as
 * {@code {secret}}, stream keys become {@code {str...key}}, URL query values become {@code {...}}.
 */
public final class Redaction {

    private static final Pattern RTMP = Pattern.compile("^(rtmps?://)(.*/)(.*/)(\\S*)( live=1)?$");
    private static final Pattern SHORTHAND = Pattern.compile("^(mux|twitch)://(\\S+)$");

    private Redaction() {
    }

    /** Redacts the stream key of an RTMP(S) or {@code mux://} / {@code twitch://} URL, or its query values. */
    public static String streamUrl(String url) {
        Matcher m = SHORTHAND.matcher(url);
        if (m.matches()) {
            return m.group(1) + "://" + identifier(m.group(2));
        }
        m = RTMP.matcher(url);
        if (m.matches()) {
            return m.group(1) + m.group(2) + m.group(3) + identifier(m.group(4))
                    + (m.group(5) == null ? "" : m.group(5));
        }
        return queryValues(url);
    }

    /** {@code key=value} → {@code key={...}} for every non-empty query value. */
    public static String queryValues(String url) {
        int q = url.indexOf('?');
        if (q < 0 || q == url.length() - 1) {
            return url;
        }
        String[] params = url.substring(q + 1).split("&", -1);
        for (int i = 0; i < params.length; i++) {
            int eq = params[i].indexOf('=');
            if (eq >= 0 && eq < params[i].length() - 1) {
                params[i] = params[i].substring(0, eq) + "={...}";
            }
        }
        return url.substring(0, q) + "?" + String.join("&", params);
    }

    /** Keeps up to three characters at each end: {@code {abc...xyz}}. */
    public static String identifier(String id) {
        for (int i = 3; i > 0; i--) {
            if (id.length() >= i * 3) {
                return "{" + id.substring(0, i) + "..." + id.substring(id.length() - i) + "}";
            }
        }
        return "{...}";
    }

    private static String secret(String value, String placeholder) {
        return value.isEmpty() ? "" : placeholder;
    }

    static S3Upload s3(S3Upload s3) {
        return s3.toBuilder()
                .setAccessKey(secret(s3.getAccessKey(), "{access_key}"))
                .setSecret(secret(s3.getSecret(), "{secret}"))
                .setAssumeRoleExternalId(secret(s3.getAssumeRoleExternalId(), "{external_id}"))
                .setSessionToken(secret(s3.getSessionToken(), "{session_token}"))
                .build();
    }

    static GCPUpload gcp(GCPUpload gcp) {
        return gcp.toBuilder().setCredentials(secret(gcp.getCredentials(), "{credentials}")).build();
    }

    static AzureBlobUpload azure(AzureBlobUpload azure) {
        return azure.toBuilder()
                .setAccountName(secret(azure.getAccountName(), "{account_name}"))
                .setAccountKey(secret(azure.getAccountKey(), "{account_key}"))
                .build();
    }

    static AliOSSUpload alioss(AliOSSUpload oss) {
        return oss.toBuilder()
                .setAccessKey(secret(oss.getAccessKey(), "{access_key}"))
                .setSecret(secret(oss.getSecret(), "{secret}"))
                .build();
    }

    static EncodedFileOutput file(EncodedFileOutput f) {
        EncodedFileOutput.Builder b = f.toBuilder();
        if (f.hasS3()) {
            b.setS3(s3(f.getS3()));
        } else if (f.hasGcp()) {
            b.setGcp(gcp(f.getGcp()));
        } else if (f.hasAzure()) {
            b.setAzure(azure(f.getAzure()));
        } else if (f.hasAliOSS()) {
            b.setAliOSS(alioss(f.getAliOSS()));
        }
        return b.build();
    }

    static DirectFileOutput file(DirectFileOutput f) {
        DirectFileOutput.Builder b = f.toBuilder();
        if (f.hasS3()) {
            b.setS3(s3(f.getS3()));
        } else if (f.hasGcp()) {
            b.setGcp(gcp(f.getGcp()));
        } else if (f.hasAzure()) {
            b.setAzure(azure(f.getAzure()));
        } else if (f.hasAliOSS()) {
            b.setAliOSS(alioss(f.getAliOSS()));
        }
        return b.build();
    }

    static SegmentedFileOutput segments(SegmentedFileOutput s) {
        SegmentedFileOutput.Builder b = s.toBuilder();
        if (s.hasS3()) {
            b.setS3(s3(s.getS3()));
        } else if (s.hasGcp()) {
            b.setGcp(gcp(s.getGcp()));
        } else if (s.hasAzure()) {
            b.setAzure(azure(s.getAzure()));
        } else if (s.hasAliOSS()) {
            b.setAliOSS(alioss(s.getAliOSS()));
        }
        return b.build();
    }

    static ImageOutput images(ImageOutput i) {
        ImageOutput.Builder b = i.toBuilder();
        if (i.hasS3()) {
            b.setS3(s3(i.getS3()));
        } else if (i.hasGcp()) {
            b.setGcp(gcp(i.getGcp()));
        } else if (i.hasAzure()) {
            b.setAzure(azure(i.getAzure()));
        } else if (i.hasAliOSS()) {
            b.setAliOSS(alioss(i.getAliOSS()));
        }
        return b.build();
    }

    static StreamOutput stream(StreamOutput s) {
        List<String> urls = s.getUrlsList().stream().map(Redaction::streamUrl).toList();
        return s.toBuilder().clearUrls().addAllUrls(urls).build();
    }

    static StorageConfig storage(StorageConfig s) {
        StorageConfig.Builder b = s.toBuilder();
        if (s.hasS3()) {
            b.setS3(s3(s.getS3()));
        } else if (s.hasGcp()) {
            b.setGcp(gcp(s.getGcp()));
        } else if (s.hasAzure()) {
            b.setAzure(azure(s.getAzure()));
        } else if (s.hasAliOSS()) {
            b.setAliOSS(alioss(s.getAliOSS()));
        }
        return b.build();
    }

    static Output output(Output o) {
        Output.Builder b = o.toBuilder();
        if (o.hasStorage()) {
            b.setStorage(storage(o.getStorage()));
        }
        if (o.hasStream()) {
            b.setStream(stream(o.getStream()));
        }
        return b.build();
    }

    // ------------------------------------------------------------------------------- request echoes

    static RoomCompositeEgressRequest request(RoomCompositeEgressRequest r) {
        RoomCompositeEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(segments(r.getSegments()));
        }
        return b.build();
    }

    static WebEgressRequest request(WebEgressRequest r) {
        WebEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(segments(r.getSegments()));
        }
        return b.build();
    }

    static ParticipantEgressRequest request(ParticipantEgressRequest r) {
        ParticipantEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        return b.build();
    }

    static TrackCompositeEgressRequest request(TrackCompositeEgressRequest r) {
        TrackCompositeEgressRequest.Builder b = r.toBuilder();
        b.clearFileOutputs().addAllFileOutputs(r.getFileOutputsList().stream().map(Redaction::file).toList());
        b.clearStreamOutputs().addAllStreamOutputs(r.getStreamOutputsList().stream().map(Redaction::stream).toList());
        b.clearSegmentOutputs()
                .addAllSegmentOutputs(r.getSegmentOutputsList().stream().map(Redaction::segments).toList());
        b.clearImageOutputs().addAllImageOutputs(r.getImageOutputsList().stream().map(Redaction::images).toList());
        if (r.hasFile()) {
            b.setFile(file(r.getFile()));
        } else if (r.hasStream()) {
            b.setStream(stream(r.getStream()));
        } else if (r.hasSegments()) {
            b.setSegments(segments(r.getSegments()));
        }
        return b.build();
    }

    static TrackEgressRequest request(TrackEgressRequest r) {
        TrackEgressRequest.Builder b = r.toBuilder();
        if (r.hasFile()) {
            b.setFile(file(r.getFile()));
        } else if (r.getOutputCase() == TrackEgressRequest.OutputCase.WEBSOCKET_URL) {
            b.setWebsocketUrl(queryValues(r.getWebsocketUrl()));
        }
        return b.build();
    }

    static org.jegress.api.livekit.StartEgressRequest request(org.jegress.api.livekit.StartEgressRequest r) {
        org.jegress.api.livekit.StartEgressRequest.Builder b = r.toBuilder();
        if (r.hasStorage()) {
            b.setStorage(storage(r.getStorage()));
        }
        b.clearOutputs().addAllOutputs(r.getOutputsList().stream().map(Redaction::output).toList());
        return b.build();
    }
}
