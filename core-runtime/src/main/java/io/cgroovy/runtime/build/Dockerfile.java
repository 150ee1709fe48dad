package io.cgroovy.runtime.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cgroovy.runtime.ContainerException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Dockerfile front-end: reads a Dockerfile into {@link Stage}s of {@link BuildStep}s.
 * Line continuations with {@code \}, comments, exec (JSON) and shell forms, ${VAR}
 * substitution (with {@code :-} and {@code :+}) from ENV and ARG where Docker does it.
 * Every error names the file and line: {@code Dockerfile:3: unknown instruction 'FORM'}.
 */
public final class Dockerfile {
    static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "EXPOSE",
            "VOLUME", "LABEL", "ENTRYPOINT", "CMD", "SHELL", "MAINTAINER", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;
    private final Map<String, String> buildArgs;
    private final List<Stage> stages = new ArrayList<>();
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    // the stage being read
    private String stageName, stageFrom, stageWhere;
    private List<BuildStep> steps;
    private Map<String, String> vars;
    private List<String> shell;

    private Dockerfile(String file, Map<String, String> buildArgs) {
        this.file = file;
        this.buildArgs = buildArgs == null ? Map.of() : buildArgs;
    }

    /** Parses {@code text}; {@code file} is how errors name it. */
    public static List<Stage> parse(String text, String file, Map<String, String> buildArgs) {
        Dockerfile d = new Dockerfile(file, buildArgs);
        d.read(text);
        return d.stages;
    }

    private ContainerException error(int line, String message) {
        return new ContainerException(file + ":" + line + ": " + message);
    }

    private void read(String text) {
        String[] lines = text.split("\r?\n", -1);
        StringBuilder cur = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            String t = l.strip();
            if (t.startsWith("#")) continue; // comments (also between continued lines); parser directives are comments here
            if (cur == null) {
                if (t.isEmpty()) continue;
                cur = new StringBuilder();
                start = i + 1;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            instruction(start, cur.toString().strip());
            cur = null;
        }
        if (cur != null && !cur.toString().isBlank()) instruction(start, cur.toString().strip());
        endStage();
        if (stages.isEmpty()) throw new ContainerException(file + ": no FROM instruction");
    }

    private void instruction(int line, String text) {
        int sp = indexOfSpace(text);
        String word = sp < 0 ? text : text.substring(0, sp);
        String rest = sp < 0 ? "" : text.substring(sp).strip();
        String op = word.toUpperCase(Locale.ROOT);
        String where = file + ":" + line;
        if (!INSTRUCTIONS.contains(op)) {
            String hint = io.cgroovy.runtime.build.Suggestion.of(op, INSTRUCTIONS);
            throw error(line, "unknown instruction '" + word + "'" + hint);
        }
        if (op.equals("FROM")) {
            from(line, where, rest);
            return;
        }
        if (op.equals("ARG") && steps == null) {
            Map.Entry<String, String> a = arg(line, rest);
            String v = buildArgs.containsKey(a.getKey()) ? buildArgs.get(a.getKey()) : a.getValue();
            globalArgs.put(a.getKey(), v);
            return;
        }
        if (steps == null) throw error(line, op + " before the first FROM (every build starts with FROM)");
        switch (op) {
            case "RUN" -> {
                need(line, op, rest);
                List<String> json = jsonArray(rest);
                steps.add(json != null ? new BuildStep.Run(where, json, json.toString())
                        : new BuildStep.Run(where, concat(shell, rest), String.join(" ", shell) + " " + rest));
            }
            case "CMD", "ENTRYPOINT" -> {
                need(line, op, rest);
                List<String> json = jsonArray(rest);
                List<String> argv = json != null ? json : concat(shell, rest);
                steps.add(op.equals("CMD") ? new BuildStep.Cmd(where, argv) : new BuildStep.Entrypoint(where, argv));
            }
            case "SHELL" -> {
                List<String> json = jsonArray(rest);
                if (json == null || json.isEmpty()) throw error(line, "SHELL requires the arguments to be a JSON array, e.g. SHELL [\"/bin/sh\", \"-c\"]");
                shell = json;
                steps.add(new BuildStep.Shell(where, json));
            }
            case "COPY", "ADD" -> copy(line, where, op, rest);
            case "ENV", "LABEL" -> {
                Map<String, String> kv = pairs(line, op, rest);
                if (op.equals("ENV")) {
                    vars.putAll(kv);
                    steps.add(new BuildStep.Env(where, kv));
                } else {
                    steps.add(new BuildStep.Label(where, kv));
                }
            }
            case "ARG" -> {
                Map.Entry<String, String> a = arg(line, rest);
                String v = buildArgs.containsKey(a.getKey()) ? buildArgs.get(a.getKey())
                        : a.getValue() != null ? a.getValue() : globalArgs.get(a.getKey());
                if (v != null) vars.putIfAbsent(a.getKey(), v);
                steps.add(new BuildStep.Arg(where, a.getKey(), a.getValue() != null ? a.getValue() : globalArgs.get(a.getKey())));
            }
            case "WORKDIR" -> {
                need(line, op, rest);
                steps.add(new BuildStep.Workdir(where, subst(line, rest)));
            }
            case "USER" -> {
                need(line, op, rest);
                steps.add(new BuildStep.User(where, subst(line, rest)));
            }
            case "EXPOSE" -> {
                need(line, op, rest);
                List<String> ports = new ArrayList<>();
                for (String p : words(line, subst(line, rest))) {
                    if (!p.matches("\\d{1,5}(-\\d{1,5})?(/(tcp|udp|sctp))?")) throw error(line, "EXPOSE: invalid port '" + p + "'");
                    String[] range = p.replaceFirst("/.*", "").split("-");
                    int lo = Integer.parseInt(range[0]), hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                    if (lo < 1 || hi > 65535 || hi < lo) throw error(line, "EXPOSE: invalid port '" + p + "' (ports are 1-65535, a range low-high)");
                    ports.add(p);
                }
                steps.add(new BuildStep.Expose(where, ports));
            }
            case "VOLUME" -> {
                need(line, op, rest);
                List<String> json = jsonArray(rest);
                List<String> paths = json != null ? json : words(line, subst(line, rest));
                for (String p : paths) if (!p.startsWith("/")) throw error(line, "VOLUME: '" + p + "' is not an absolute path");
                steps.add(new BuildStep.Volume(where, paths));
            }
            case "MAINTAINER" -> steps.add(new BuildStep.Label(where, Map.of("maintainer", rest)));
            default -> throw error(line, op + " is not supported by cgroovy builds yet");
        }
    }

    private void from(int line, String where, String rest) {
        endStage();
        List<String> w = words(line, rest);
        w.removeIf(s -> s.startsWith("--platform="));
        if (w.isEmpty()) throw error(line, "FROM requires an image (FROM busybox, FROM scratch)");
        String image = substitute(line, w.get(0), globalArgs);
        String name = null;
        if (w.size() == 3 && w.get(1).equalsIgnoreCase("AS")) {
            name = w.get(2).toLowerCase(Locale.ROOT);
            if (!name.matches("[a-z][a-z0-9._-]*")) throw error(line, "invalid stage name '" + w.get(2) + "'");
            for (Stage s : stages) if (name.equals(s.name())) throw error(line, "duplicate stage name '" + name + "'");
        } else if (w.size() != 1) {
            throw error(line, "FROM takes an image and optionally AS name, not '" + rest + "'");
        }
        if (image.isBlank()) throw error(line, "FROM: the image is empty");
        stageName = name;
        stageFrom = image;
        stageWhere = where;
        steps = new ArrayList<>();
        vars = new HashMap<>();
        shell = List.of("/bin/sh", "-c");
    }

    private void endStage() {
        if (steps != null) stages.add(new Stage(stageName, stageFrom, stageWhere, steps));
        steps = null;
    }

    private void copy(int line, String where, String op, String rest) {
        List<String> w = words(line, rest);
        String from = null, chown = null;
        while (!w.isEmpty() && w.get(0).startsWith("--")) {
            String f = w.remove(0);
            if (f.startsWith("--from=") && op.equals("COPY")) {
                from = subst(line, f.substring(7));
                if (from.isEmpty()) throw error(line, "COPY --from needs a stage or image");
                String lower = from.toLowerCase(Locale.ROOT);
                for (Stage s : stages) if (lower.equals(s.name())) from = lower;
                if (from.matches("\\d+") && Integer.parseInt(from) >= stages.size()) throw error(line, "COPY --from=" + from + ": no such stage before this one");
            } else if (f.startsWith("--chown=")) {
                chown = subst(line, f.substring(8));
            } else if (f.equals("--link") || f.startsWith("--link=")) {
                // a layer-sharing hint of buildkit; the result is the same
            } else {
                throw error(line, op + ": unknown flag " + f);
            }
        }
        List<String> json = jsonArray(String.join(" ", w).strip());
        List<String> args = new ArrayList<>();
        for (String s : json != null ? json : w) args.add(subst(line, s));
        if (args.size() < 2) throw error(line, op + " requires at least two arguments: a source and a destination");
        String dest = args.remove(args.size() - 1);
        steps.add(new BuildStep.Copy(where, args, dest, from, chown, op.equals("ADD")));
    }

    private Map.Entry<String, String> arg(int line, String rest) {
        if (rest.isBlank()) throw error(line, "ARG requires a name (ARG NAME or ARG NAME=default)");
        String r = rest.strip();
        int eq = r.indexOf('=');
        String name = eq < 0 ? r : r.substring(0, eq);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw error(line, "ARG: invalid name '" + name + "'");
        String value = eq < 0 ? null : unquote(line, r.substring(eq + 1));
        return new java.util.AbstractMap.SimpleEntry<>(name, value);
    }

    /** ENV/LABEL: {@code k=v k2="v 2"}, or the old {@code ENV k v with spaces}. */
    private Map<String, String> pairs(int line, String op, String rest) {
        need(line, op, rest);
        Map<String, String> out = new LinkedHashMap<>();
        List<String> w = words(line, rest);
        if (!w.get(0).contains("=")) {
            if (w.size() < 2) throw error(line, op + " " + w.get(0) + ": missing value (" + op + " KEY=VALUE)");
            int sp = indexOfSpace(rest);
            out.put(w.get(0), subst(line, rest.substring(sp).strip()));
            return out;
        }
        for (String kv : w) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw error(line, op + ": '" + kv + "' is not KEY=VALUE");
            out.put(subst(line, kv.substring(0, eq)), subst(line, kv.substring(eq + 1)));
        }
        return out;
    }

    private void need(int line, String op, String rest) {
        if (rest.isBlank()) throw error(line, op + " requires an argument");
    }

    /** A JSON array of strings, or null when {@code s} is not one (then it is the shell form). */
    private static List<String> jsonArray(String s) {
        if (!s.startsWith("[")) return null;
        try {
            JsonNode n = JSON.readTree(s);
            if (!n.isArray()) return null;
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) return null;
                out.add(e.asText());
            }
            return out;
        } catch (Exception e) {
            return null;
        }
    }

    /** Splits on whitespace, keeping quoted parts ('...' and "...") and backslash escapes; quotes are removed. */
    private List<String> words(int line, String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < s.length()) w.append(c).append(s.charAt(++i));
                else w.append(c);
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (w != null) out.add(w.toString());
                w = null;
                continue;
            }
            if (w == null) w = new StringBuilder();
            if (c == '"' || c == '\'') {
                quote = c;
                if (c == '\'') w.append("\u0000'"); // single quotes: no substitution inside (marked)
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(c).append(s.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (quote != 0) throw error(line, "unterminated quote in '" + s + "'");
        if (w != null) out.add(w.toString());
        return out;
    }

    private String unquote(int line, String s) {
        List<String> w = words(line, s);
        return w.isEmpty() ? "" : subst(line, String.join(" ", w));
    }

    private String subst(int line, String s) {
        return substitute(line, s, vars == null ? globalArgs : vars);
    }

    /** $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt}; \$ is a literal $. */
    private String substitute(int line, String s, Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        boolean literal = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                literal = !literal;
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < s.length()) {
                b.append(s.charAt(++i));
                continue;
            }
            if (c != '$' || literal || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            if (s.charAt(i + 1) == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) throw error(line, "missing '}' in '" + s + "'");
                String expr = s.substring(i + 2, end);
                String name = expr, mod = null, word = null;
                int m = expr.indexOf(':');
                if (m >= 0) {
                    name = expr.substring(0, m);
                    if (m + 1 >= expr.length() || (expr.charAt(m + 1) != '-' && expr.charAt(m + 1) != '+')) {
                        throw error(line, "unsupported substitution '${" + expr + "}'");
                    }
                    mod = expr.substring(m + 1, m + 2);
                    word = expr.substring(m + 2);
                }
                String v = env.get(name);
                if ("-".equals(mod)) b.append(v == null || v.isEmpty() ? word : v);
                else if ("+".equals(mod)) b.append(v == null || v.isEmpty() ? "" : word);
                else b.append(v == null ? "" : v);
                i = end;
            } else {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                if (j == i + 1) {
                    b.append(c);
                    continue;
                }
                String v = env.get(s.substring(i + 1, j));
                b.append(v == null ? "" : v);
                i = j - 1;
            }
        }
        return b.toString();
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> l = new ArrayList<>(a);
        l.add(b);
        return l;
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }
}
