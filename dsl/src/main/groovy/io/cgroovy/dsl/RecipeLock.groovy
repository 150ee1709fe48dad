package io.cgroovy.dsl

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.SerializationFeature
import groovy.transform.CompileStatic
import io.cgroovy.image.ImageException
import io.cgroovy.image.ImageRecord
import io.cgroovy.image.ImageStore

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption

/**
 * {@code env.cgroovy.lock}: every image reference a recipe resolved, pinned to its manifest digest.
 * A run with a lock uses exactly those digests even when a tag has moved since; references new to
 * the lock are pinned on first use and written back. The file is JSON with sorted keys, one pin a
 * line, so it diffs well in version control.
 */
@CompileStatic
class RecipeLock {
    static final int VERSION = 1

    final Path file
    /** reference as written (":latest" added when it had no tag) → "sha256:..." */
    private final Map<String, String> pins = new TreeMap<>()
    private boolean changed
    /** Fetches {@code name@digest} into the store when a locked image is not there (the registry's pull); null: none. */
    Closure<?> fetch

    private RecipeLock(Path file) { this.file = file }

    /** The lock beside {@code recipe} ({@code recipe + '.lock'}), read when it exists and {@code update} is false. */
    static RecipeLock forRecipe(Path recipe, boolean update) {
        RecipeLock lock = new RecipeLock(recipe.resolveSibling(recipe.fileName.toString() + '.lock'))
        if (!update && Files.exists(lock.file)) lock.read()
        lock
    }

    /** The lock's pins, sorted by reference. */
    Map<String, String> getPins() { Collections.unmodifiableMap(pins) }

    boolean isChanged() { changed }

    private void read() {
        Object doc
        try {
            doc = new ObjectMapper().readValue(file.toFile(), Object)
        } catch (Exception e) {
            throw new DslException("${file}: not a lock file (${Errors.message(e)}); delete it or run with --update-lock".toString())
        }
        Object images = doc instanceof Map ? ((Map) doc).get('images') : null
        if (!(images instanceof Map)) throw new DslException("${file}: not a lock file (no \"images\" map); delete it or run with --update-lock".toString())
        ((Map) images).each { k, v ->
            if (!(v instanceof String) || !(((String) v) ==~ /sha256:[0-9a-f]{64}/)) {
                throw new DslException("${file}: image '${k}': '${v}' is not a sha256 digest".toString())
            }
            pins.put(String.valueOf(k), (String) v)
        }
    }

    /**
     * The reference to run for {@code ref}: {@code name@digest} from the lock, or the image's
     * current digest, pinned now. A reference with a digest is already pinned.
     */
    String resolve(String ref, ImageStore store) {
        if (ref.contains('@')) return ref
        String key = key(ref)
        String name = name(key)
        String digest = pins.get(key)
        if (digest != null) {
            String pinned = "${name}@${digest}".toString()
            if (!has(store, pinned) && fetch != null) {
                try {
                    fetch.call(pinned)
                } catch (Exception e) {
                    throw new DslException("image '${ref}' is locked to ${digest} (${file.fileName}), which could not be pulled: ${Errors.message(e)}; --update-lock pins the current one".toString())
                }
            }
            if (!has(store, pinned)) {
                throw new DslException("image '${ref}' is locked to ${digest} (${file.fileName}), which is not in the store; --update-lock pins the current one".toString())
            }
            return pinned
        }
        ImageRecord r = store.inspect(ref)
        digest = r.manifestDigest() ?: r.id()
        pins.put(key, digest)
        changed = true
        "${name}@${digest}".toString()
    }

    /** Pins {@code ref} to {@code digest} (a session saved as a recipe: the image its container ran). */
    void pin(String ref, String digest) {
        if (!(digest ==~ /sha256:[0-9a-f]{64}/)) throw new DslException("image '${ref}': '${digest}' is not a sha256 digest".toString())
        pins.put(key(ref), digest)
        changed = true
    }

    /** Writes the lock (temp file and rename, so a reader sees the old one or the new one). */
    void write() {
        Map<String, Object> doc = new TreeMap<>()
        doc.put('images', new TreeMap<String, String>(pins))
        doc.put('lockVersion', VERSION)
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + '\n'
        Path tmp = file.resolveSibling(".${file.fileName}.tmp${ProcessHandle.current().pid()}")
        Files.writeString(tmp, text)
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
        changed = false
    }

    private static boolean has(ImageStore store, String ref) {
        try {
            store.inspect(ref)
            true
        } catch (ImageException ignored) {
            false
        }
    }

    /** "busybox" → "busybox:latest"; a reference with a tag stays as it is. */
    static String key(String ref) {
        String r = ref.trim()
        int colon = r.lastIndexOf(':')
        colon > r.lastIndexOf('/') ? r : r + ':latest'
    }

    /** The reference without its tag. */
    static String name(String key) {
        int colon = key.lastIndexOf(':')
        colon > key.lastIndexOf('/') ? key.substring(0, colon) : key
    }
}
