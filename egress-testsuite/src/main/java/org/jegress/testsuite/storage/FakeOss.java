package org.jegress.testsuite.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An Alibaba Cloud OSS stand-in over real HTTP on loopback (no OSS emulator exists), strict where it matters to an
 * uploader: every request's V1 signature is checked ({@code Authorization: OSS ak:sig}, or the query signature of
 * a presigned URL), Content-MD5 is checked when sent, and every write answers the CRC-64 of what arrived
 * ({@code x-oss-hash-crc64ecma}), which the SDK compares with what it sent. Path-style addressing
 * ({@code /bucket/key}), as the SDK uses for an IP endpoint. Objects live in memory.
 */
public final class FakeOss implements AutoCloseable {

    public static final String ACCESS_KEY = "oss-access";
    public static final String SECRET = "oss-secret";
    /** Sub-resources that take part in the V1 string to sign. */
    private static final Set<String> SUB_RESOURCES = Set.of("acl", "uploads", "uploadId", "partNumber", "location",
            "tagging", "delete", "append", "position", "symlink", "restore", "response-content-type",
            "response-content-disposition", "security-token", "x-oss-process");

    private final HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
    private final Set<String> buckets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int failWith;

    private FakeOss(HttpServer server) {
        this.server = server;
    }

    public static FakeOss start(String... buckets) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        FakeOss oss = new FakeOss(s);
        oss.buckets.addAll(List.of(buckets));
        s.createContext("/", oss::handle);
        s.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-oss");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return oss;
    }

    /** {@code http://127.0.0.1:<port>}, the endpoint to give the uploader. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on every request is answered with this status (0: normal service again). */
    public void failWith(int status) {
        failWith = status;
    }

    public byte[] object(String bucket, String key) {
        return objects.get(bucket + "/" + key);
    }

    public Set<String> keys(String bucket) {
        Set<String> keys = new java.util.TreeSet<>();
        objects.keySet().stream().filter(k -> k.startsWith(bucket + "/")).forEach(k -> keys.add(k.substring(
                bucket.length() + 1)));
        return keys;
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ------------------------------------------------------------------------------------------- serving

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (failWith != 0) {
                error(ex, failWith, "ServiceUnavailable", "the fake is playing an outage");
                return;
            }
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
            String[] parts = path.substring(1).split("/", 2);
            String bucket = parts[0];
            String key = parts.length > 1 ? parts[1] : "";
            String problem = checkSignature(ex, path, query);
            if (problem != null) {
                error(ex, 403, "SignatureDoesNotMatch", problem);
                return;
            }
            String md5 = ex.getRequestHeaders().getFirst("Content-MD5");
            if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(digest("MD5", body)))) {
                error(ex, 400, "InvalidDigest", "Content-MD5 does not match the body");
                return;
            }
            String method = ex.getRequestMethod();
            if (key.isEmpty()) {
                if (method.equals("PUT")) {
                    buckets.add(bucket);
                    reply(ex, 200, null, new byte[0]);
                } else {
                    error(ex, 501, "NotImplemented", "bucket operation " + method);
                }
                return;
            }
            if (!buckets.contains(bucket)) {
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist.");
                return;
            }
            String id = bucket + "/" + key;
            switch (method) {
                case "PUT" -> {
                    if (query.containsKey("uploadId")) {
                        Map<Integer, byte[]> up = uploads.get(query.get("uploadId"));
                        if (up == null) {
                            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
                            return;
                        }
                        up.put(Integer.parseInt(query.get("partNumber")), body);
                    } else {
                        objects.put(id, body);
                    }
                    ex.getResponseHeaders().add("ETag", etag(body));
                    ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(crc64(body)));
                    reply(ex, 200, null, new byte[0]);
                }
                case "POST" -> post(ex, bucket, key, id, query, body);
                case "GET", "HEAD" -> {
                    byte[] data = objects.get(id);
                    if (data == null) {
                        error(ex, 404, "NoSuchKey", "The specified key does not exist.");
                        return;
                    }
                    ex.getResponseHeaders().add("ETag", etag(data));
                    ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(crc64(data)));
                    if (method.equals("HEAD")) {
                        ex.getResponseHeaders().add("x-oss-request-id", requestId());
                        ex.sendResponseHeaders(200, -1);
                    } else {
                        reply(ex, 200, "application/octet-stream", data);
                    }
                }
                case "DELETE" -> {
                    if (query.containsKey("uploadId")) {
                        uploads.remove(query.get("uploadId"));
                    } else {
                        objects.remove(id);
                    }
                    ex.getResponseHeaders().add("x-oss-request-id", requestId());
                    ex.sendResponseHeaders(204, -1);
                }
                default -> error(ex, 405, "MethodNotAllowed", method);
            }
        } catch (RuntimeException e) {
            error(ex, 500, "InternalError", e.toString());
        }
    }

    private void post(HttpExchange ex, String bucket, String key, String id, Map<String, String> query, byte[] body)
            throws IOException {
        if (query.containsKey("uploads")) {
            String uploadId = UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
            uploads.put(uploadId, new ConcurrentHashMap<>());
            reply(ex, 200, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<InitiateMultipartUploadResult><Bucket>" + bucket + "</Bucket><Key>" + key + "</Key>"
                    + "<UploadId>" + uploadId + "</UploadId></InitiateMultipartUploadResult>")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String uploadId = query.get("uploadId");
        Map<Integer, byte[]> up = uploadId == null ? null : uploads.remove(uploadId);
        if (up == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        Matcher m = Pattern.compile("<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]+)</ETag>")
                .matcher(new String(body, StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        int last = 0;
        StringBuilder md5s = new StringBuilder();
        List<Integer> numbers = new ArrayList<>();
        while (m.find()) {
            numbers.add(Integer.parseInt(m.group(1)));
        }
        m.reset();
        int index = 0;
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            byte[] part = up.get(n);
            String tag = m.group(2).replace("&quot;", "\"");
            if (part == null || n <= last || !tag.equals(etag(part))) {
                error(ex, 400, "InvalidPart", "part " + n + " is missing, out of order or has another ETag");
                return;
            }
            if (index < numbers.size() - 1 && part.length < 100 * 1024) {
                error(ex, 400, "EntityTooSmall", "part " + n + " is smaller than 100 KiB");
                return;
            }
            all.writeBytes(part);
            md5s.append(HexFormat.of().formatHex(digest("MD5", part)));
            last = n;
            index++;
        }
        byte[] data = all.toByteArray();
        objects.put(id, data);
        String etag = "\"" + HexFormat.of().formatHex(digest("MD5", HexFormat.of().parseHex(md5s.toString())))
                .toUpperCase(Locale.ROOT) + "-" + index + "\"";
        ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(crc64(data)));
        reply(ex, 200, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<CompleteMultipartUploadResult><Location>" + endpoint() + "/" + id + "</Location><Bucket>"
                + bucket + "</Bucket><Key>" + key + "</Key><ETag>" + etag.replace("\"", "&quot;")
                + "</ETag></CompleteMultipartUploadResult>").getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------------- V1 signatures

    /** Null when the request is signed with {@link #SECRET}, else what is wrong. */
    private String checkSignature(HttpExchange ex, String path, Map<String, String> query) {
        var h = ex.getRequestHeaders();
        String auth = h.getFirst("Authorization");
        String date;
        String given;
        if (auth != null) {
            if (!auth.startsWith("OSS " + ACCESS_KEY + ":")) {
                return "unknown access key or scheme in " + auth.replaceAll(":.*", ":…");
            }
            given = auth.substring(("OSS " + ACCESS_KEY + ":").length());
            date = h.getFirst("Date");
        } else if (query.containsKey("Signature")) {
            if (!ACCESS_KEY.equals(query.get("OSSAccessKeyId"))) {
                return "unknown access key";
            }
            if (Long.parseLong(query.get("Expires")) < System.currentTimeMillis() / 1000) {
                return "the URL has expired";
            }
            given = query.get("Signature");
            date = query.get("Expires");
        } else {
            return "the request is not signed";
        }
        StringBuilder toSign = new StringBuilder(ex.getRequestMethod()).append('\n');
        toSign.append(value(h.getFirst("Content-MD5"))).append('\n');
        toSign.append(value(h.getFirst("Content-Type"))).append('\n');
        toSign.append(value(date)).append('\n');
        TreeMap<String, String> oss = new TreeMap<>();
        h.forEach((k, v) -> {
            String lower = k.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-oss-")) {
                oss.put(lower, String.join(",", v).trim());
            }
        });
        oss.forEach((k, v) -> toSign.append(k).append(':').append(v).append('\n'));
        toSign.append(path);
        TreeMap<String, String> sub = new TreeMap<>();
        query.forEach((k, v) -> {
            if (SUB_RESOURCES.contains(k)) {
                sub.put(k, v);
            }
        });
        if (!sub.isEmpty()) {
            StringBuilder q = new StringBuilder();
            sub.forEach((k, v) -> q.append(q.length() == 0 ? '?' : '&').append(k)
                    .append(v == null || v.isEmpty() ? "" : "=" + v));
            toSign.append(q);
        }
        String expected = Base64.getEncoder().encodeToString(hmacSha1(toSign.toString()));
        return expected.equals(given) ? null : "signature mismatch (string to sign: "
                + toSign.toString().replace("\n", "\\n") + ")";
    }

    private static String value(String s) {
        return s == null ? "" : s;
    }

    private static byte[] hmacSha1(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    // ------------------------------------------------------------------------------------------- replies

    private static String requestId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 24).toUpperCase(Locale.ROOT);
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("x-oss-request-id", requestId());
        if (type != null) {
            ex.getResponseHeaders().add("Content-Type", type);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        reply(ex, status, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
                + "</Code><Message>" + message.replace("&", "&amp;").replace("<", "&lt;") + "</Message><RequestId>"
                + requestId() + "</RequestId><HostId>127.0.0.1</HostId></Error>").getBytes(StandardCharsets.UTF_8));
    }

    private static String etag(byte[] data) {
        return "\"" + HexFormat.of().formatHex(digest("MD5", data)).toUpperCase(Locale.ROOT) + "\"";
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- CRC-64/XZ

    private static final long[] CRC_TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xC96C5795D7870F42L : c >>> 1;
            }
            CRC_TABLE[i] = c;
        }
    }

    /** CRC-64/XZ (ECMA-182, reflected), which OSS reports as {@code x-oss-hash-crc64ecma}. */
    public static long crc64(byte[] data) {
        long c = ~0L;
        for (byte b : data) {
            c = CRC_TABLE[(int) ((c ^ b) & 0xff)] ^ (c >>> 8);
        }
        return ~c;
    }
}
