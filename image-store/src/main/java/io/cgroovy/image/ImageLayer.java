package io.cgroovy.image;

import java.nio.file.Path;

/**
 * One layer of an image, as its manifest, config and the store know it.
 *
 * @param index     position in the image, 0 = the lowest (the manifest's order)
 * @param digest    the blob's digest as the manifest names it ("sha256:...", compressed or not as stored)
 * @param mediaType the layer's media type as the manifest gives it (null when not recorded)
 * @param size      bytes of the blob as stored (what the manifest says)
 * @param diffId    the digest of the uncompressed tar (the config's rootfs.diff_ids)
 * @param chainId   the chain ID naming the unpacked directory {@code layers/<hex>}
 * @param dir       the unpacked directory (may not exist yet: layers are unpacked on first use)
 * @param createdBy the history step that made it ({@code created_by}), null when the image does not say
 * @param created   that step's time as the image writes it, or null
 */
public record ImageLayer(int index, String digest, String mediaType, long size, String diffId, String chainId, Path dir,
                         String createdBy, String created) {}
