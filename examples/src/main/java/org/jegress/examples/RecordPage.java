package org.jegress.examples;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;

/** Records a web page for ten seconds into {@code out/page.mp4}: {@code RecordPage https://example.com}. */
public final class RecordPage {

    public static void main(String[] args) throws InterruptedException {
        WebEgressRequest request = WebEgressRequest.newBuilder()
                .setUrl(args.length > 0 ? args[0] : "https://example.com")
                .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("out/page.mp4"))
                .build();
        EgressHandle egress = Egress.start(request, EgressOptions.defaults());
        egress.addListener(info -> System.err.println("status: " + info.getStatus()));
        Thread.sleep(10_000);
        egress.stop();
        EgressInfo result = egress.awaitCompletion();
        System.out.println(result.getFileResults(0).getLocation() + " " + result.getFileResults(0).getSize() + " bytes");
    }

    private RecordPage() {
    }
}
