package io.cgroovy.dsl.env

import com.fasterxml.jackson.databind.ObjectMapper
import groovy.transform.CompileStatic

import java.lang.reflect.RecordComponent
import java.security.MessageDigest

/**
 * The digest of a thing's settings in a canonical form: records by component name, maps by key
 * (sorted), lists in order, so equal settings always hash alike whatever order a map was filled in,
 * and a setting added to a record later changes the hash only where it is set.
 */
@CompileStatic
final class SettingsHash {
    private SettingsHash() {}

    /** "sha256:..." of {@link #canonical}. */
    static String of(Object settings) {
        byte[] json = new ObjectMapper().writeValueAsBytes(canonical(settings))
        'sha256:' + MessageDigest.getInstance('SHA-256').digest(json).encodeHex().toString()
    }

    /** Plain maps, lists and scalars; nulls, empty collections and false left out (they mean "not set"). */
    static Object canonical(Object v) {
        if (v == null) return null
        if (v instanceof CharSequence || v instanceof Number || v instanceof Boolean) return v instanceof CharSequence ? v.toString() : v
        if (v instanceof Enum) return ((Enum) v).name()
        if (v instanceof Map) {
            Map<String, Object> m = new TreeMap<>()
            ((Map) v).each { k, x -> put(m, String.valueOf(k), canonical(x)) }
            return m
        }
        if (v instanceof Collection || v.getClass().isArray()) return (v as List).collect { canonical(it) }
        if (v.getClass().isRecord()) {
            Map<String, Object> m = new TreeMap<>()
            for (RecordComponent c : v.getClass().recordComponents) put(m, c.name, canonical(c.accessor.invoke(v)))
            return m
        }
        v.toString()
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v == null || v == Boolean.FALSE || (v instanceof Collection && v.isEmpty()) || (v instanceof Map && v.isEmpty())) return
        m.put(k, v)
    }
}
