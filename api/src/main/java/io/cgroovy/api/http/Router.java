package io.cgroovy.api.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps method + path to handlers. Patterns name their parameters: {@code {id}} matches one path
 * segment, {@code {name*}} one or more (image names hold slashes: {@code /images/host:5000/a/b/json}).
 */
public final class Router implements Handler {
    private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    public Router on(String method, String pattern, Handler handler) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\{([a-zA-Z]+)(\\*?)}").matcher(pattern);
        StringBuilder re = new StringBuilder();
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(pattern.substring(last, m.start())));
            re.append(m.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            names.add(m.group(1));
            last = m.end();
        }
        re.append(Pattern.quote(pattern.substring(last)));
        routes.add(new Route(method, Pattern.compile(re.toString()), names, handler));
        return this;
    }

    @Override public void handle(Request req, Response res) throws IOException {
        for (Route r : routes) {
            Matcher m = r.pattern.matcher(req.path());
            if (!m.matches()) continue;
            boolean head = req.method().equals("HEAD") && r.method.equals("GET");
            if (!r.method.equals(req.method()) && !head) continue;
            Map<String, String> params = new HashMap<>();
            for (int i = 0; i < r.names.size(); i++) params.put(r.names.get(i), m.group(i + 1));
            req.params(params);
            r.handler.handle(req, res);
            return;
        }
        // a wrong method is answered like an unknown path (as dockerd does): wildcard routes such as
        // DELETE /images/{name*} would otherwise claim POST /images/create
        throw ApiError.notFound("cgroovy serve does not support " + req.method() + " " + req.path());
    }
}
