package io.cgroovy.image;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} header (RFC 7235): the scheme ("bearer" or "basic") and its
 * parameters (realm, service, scope, error). Quoted values may hold commas.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    static AuthChallenge parse(String header) {
        if (header == null || header.isBlank()) return null;
        String h = header.strip();
        int sp = h.indexOf(' ');
        String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(java.util.Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp < 0 ? h.length() : sp + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int eq = h.indexOf('=', i);
            if (eq < 0) break;
            String key = h.substring(i, eq).strip().toLowerCase(java.util.Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) i++;
                    v.append(h.charAt(i++));
                }
                i++; // closing quote
            } else {
                while (i < h.length() && h.charAt(i) != ',') v.append(h.charAt(i++));
            }
            params.put(key, v.toString().strip());
        }
        return new AuthChallenge(scheme, params);
    }

    String param(String key) {
        return params.get(key);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }
}
