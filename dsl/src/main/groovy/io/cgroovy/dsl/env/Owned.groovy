package io.cgroovy.dsl.env

import com.fasterxml.jackson.databind.ObjectMapper
import groovy.transform.CompileStatic

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.security.MessageDigest

/**
 * Which networks and volumes a recipe's {@code up} made, and with which settings hash: the engine
 * keeps labels on containers but not on networks and volumes, so {@code up}/{@code down} keep
 * this record under {@code <root>/recipes/<sha256 of the recipe's path>.json}
 * ({"recipe": path, "network": {name: hash}, "volume": {name: hash}}). A thing the record names
 * that the engine no longer has is simply absent (someone removed it by hand).
 */
@CompileStatic
final class Owned {
    static final String DIR = 'recipes'
    private static final ObjectMapper JSON = new ObjectMapper()

    final String recipe
    /** kind ("network", "volume") → name → settings hash */
    final Map<String, Map<String, String>> things

    private Owned(String recipe, Map<String, Map<String, String>> things) { this.recipe = recipe; this.things = things }

    static Path file(Path root, String recipe) {
        String h = MessageDigest.getInstance('SHA-256').digest(recipe.getBytes('UTF-8')).encodeHex().toString()
        root.resolve(DIR).resolve(h.substring(0, 32) + '.json')
    }

    /** The record of {@code recipe} (empty when it made nothing yet). */
    static Owned of(Path root, String recipe) {
        Path f = file(root, recipe)
        if (!Files.exists(f)) return new Owned(recipe, [network: [:], volume: [:]] as Map<String, Map<String, String>>)
        Map m = JSON.readValue(f.toFile(), Map)
        new Owned(recipe, [network: new TreeMap<String, String>((Map) (m.network ?: [:])),
                           volume : new TreeMap<String, String>((Map) (m.volume ?: [:]))] as Map<String, Map<String, String>>)
    }

    /** Every recipe's record under {@code root}. */
    static List<Owned> all(Path root) {
        Path d = root.resolve(DIR)
        if (!Files.isDirectory(d)) return []
        List<Owned> out = []
        Files.list(d).withCloseable { s ->
            s.filter { Path p -> p.fileName.toString().endsWith('.json') }.forEach { Path p ->
                Map m = JSON.readValue(p.toFile(), Map)
                if (m.recipe) out << of(root, String.valueOf(m.recipe))
            }
        }
        out
    }

    void put(Resource.Kind kind, String name, String hash) { things[kind.toString()][name] = hash }

    void remove(Resource.Kind kind, String name) { things[kind.toString()].remove(name) }

    /** Writes the record (temp file + rename), or deletes it when the recipe owns nothing any more. */
    void write(Path root) {
        Path f = file(root, recipe)
        if (things.values().every { it.isEmpty() }) {
            Files.deleteIfExists(f)
            return
        }
        Files.createDirectories(f.parent)
        Path tmp = f.resolveSibling('.' + f.fileName + '.tmp')
        Map<String, Object> doc = new LinkedHashMap<>()
        doc.put('recipe', recipe)
        doc.putAll(things)
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc))
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    }
}
