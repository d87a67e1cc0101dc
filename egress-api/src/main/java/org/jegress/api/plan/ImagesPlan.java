package org.jegress.api.plan;

import java.util.Map;

import org.jegress.api.livekit.ImageFileSuffix;

/**
 * One image output: a JPEG of the picture every {@code captureInterval} seconds.
 *
 * @param id distinguishes several image outputs of one egress (their local directories, their bins)
 * @param captureInterval seconds between images (default 10)
 * @param width image width; the encoding width unless asked otherwise
 * @param height image height; the encoding height unless asked otherwise
 * @param storageDir directory of the images in storage, "" or ending in {@code /}
 * @param prefix image names start with it
 * @param suffix INDEX ({@code _00000.jpeg}), TIMESTAMP ({@code _20060102150405000.jpeg}) or NONE_OVERWRITE (one
 *        {@code <prefix>.jpeg}, replaced by each capture)
 * @param disableManifest skip the {@code <egress_id>.json} manifest next to the images
 * @param storage where the images go
 * @param pending the requested prefix while it still depends on the room's tracks, or null
 */
public record ImagesPlan(String id, int captureInterval, int width, int height, String storageDir, String prefix,
        ImageFileSuffix suffix, boolean disableManifest, StorageTarget storage, Pending pending) {

    /** Default seconds between images (upstream). */
    public static final int DEFAULT_CAPTURE_INTERVAL = 10;

    /** The requested prefix, placeholders known at request time replaced, and the name used when it names none. */
    public record Pending(String prefix, String generatedName) {
    }

    /** {@code ImagesInfo.filename_prefix}: where the images are, directory included. */
    public String prefixPath() {
        return storageDir + prefix;
    }

    /** An image's file name, relative to {@link #storageDir()}, for a suffix text (index or time; ignored for NONE_OVERWRITE). */
    public String imageName(String suffixText) {
        String ext = OutputType.JPEG.extension();
        return suffix == ImageFileSuffix.IMAGE_SUFFIX_NONE_OVERWRITE ? prefix + ext : prefix + "_" + suffixText + ext;
    }

    /** The plan with room-dependent placeholders filled in; itself when nothing was pending. */
    public ImagesPlan resolve(Map<String, String> replacements) {
        if (pending == null) {
            return this;
        }
        return named(id, SegmentsPlan.replace(pending.prefix(), replacements), pending.generatedName(),
                captureInterval, width, height, suffix, disableManifest, storage, null);
    }

    static ImagesPlan named(String id, String prefix, String generatedName, int captureInterval, int width, int height,
            ImageFileSuffix suffix, boolean disableManifest, StorageTarget storage, Pending pending) {
        String dir = SegmentsPlan.dir(prefix);
        String name = SegmentsPlan.name(prefix);
        return new ImagesPlan(id, captureInterval, width, height, dir, name.isEmpty() ? generatedName : name, suffix,
                disableManifest, storage, pending);
    }
}
