package org.jegress.pipeline;

/**
 * Told about every upload an egress makes, for upstream's upload metrics: {@code livekit_egress_pipeline_uploads}
 * ({@code type}, {@code status}, {@code custom_endpoint}), {@code livekit_egress_pipline_upload_response_time_ms}
 * and {@code livekit_egress_backup_storage_writes}. Called on upload threads; must not block.
 */
public interface UploadObserver {

    /** Nobody listening. */
    UploadObserver NONE = new UploadObserver() {
        @Override
        public void uploaded(String contentType, String status, boolean customEndpoint, long millis) {
        }

        @Override
        public void backupWritten(String contentType) {
        }
    };

    /**
     * One attempt at the primary storage (the provider's own retries included).
     *
     * @param contentType the object's MIME type (upstream's {@code type} label)
     * @param status "success", "4xx", "5xx" or "internal"
     * @param customEndpoint whether the storage is reached at an endpoint of the user's
     * @param millis how long the upload took
     */
    void uploaded(String contentType, String status, boolean customEndpoint, long millis);

    /** An object went to backup storage. */
    void backupWritten(String contentType);
}
