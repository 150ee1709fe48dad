package io.cgroovy.api.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.cgroovy.api.http.ApiError;
import io.cgroovy.api.http.Response;
import io.cgroovy.runtime.ContainerInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The {@code filters} query of {@code /containers/json}: {"status":["running"],"name":["web"],"id":["ab12"]}. */
final class Filters {
    private final Map<String, List<String>> terms;

    private Filters(Map<String, List<String>> terms) {
        this.terms = terms;
    }

    static Filters parse(String json) {
        return new Filters(read(json, List.of("status", "name", "id"), "cgroovy serve (status, name and id are)"));
    }

    /** The filters of another list endpoint, checked against the keys it knows. */
    static Terms terms(String json, List<String> known) {
        return new Terms(read(json, known, "cgroovy serve here (" + String.join(", ", known) + " are)"));
    }

    /** Key to values, in both forms clients send: {"name":["a"]} and {"name":{"a":true}}; a key not {@code known} is refused. */
    private static Map<String, List<String>> read(String json, List<String> known, String supported) {
        Map<String, List<String>> terms = new HashMap<>();
        if (json == null || json.isBlank()) return terms;
        JsonNode n;
        try {
            n = Response.JSON.readTree(json);
        } catch (IOException e) {
            throw ApiError.badRequest("filters: not JSON: " + json);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!known.contains(f.getKey())) {
                throw ApiError.badRequest("filters: '" + f.getKey() + "' is not supported by " + supported);
            }
            List<String> values = new ArrayList<>();
            if (f.getValue().isArray()) f.getValue().forEach(v -> values.add(v.asText()));
            else f.getValue().fieldNames().forEachRemaining(values::add);
            terms.put(f.getKey(), values);
        }
        return terms;
    }

    /** Filter terms by key: an item passes a key when any of its values matches (or the key is absent). */
    record Terms(Map<String, List<String>> terms) {
        boolean any(String key, java.util.function.Predicate<String> match) {
            List<String> v = terms.get(key);
            return v == null || v.stream().anyMatch(match);
        }
    }

    boolean has(String key) {
        return terms.containsKey(key);
    }

    boolean matches(ContainerInfo c) {
        for (Map.Entry<String, List<String>> t : terms.entrySet()) {
            boolean any = t.getValue().stream().anyMatch(v -> switch (t.getKey()) {
                case "status" -> c.status().equals(v);
                case "name" -> c.name().contains(v.startsWith("/") ? v.substring(1) : v);
                case "id" -> c.id().startsWith(v);
                default -> false;
            });
            if (!any) return false;
        }
        return true;
    }
}
