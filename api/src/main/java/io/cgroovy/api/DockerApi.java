package io.cgroovy.api;

import io.cgroovy.api.endpoints.ContainerEndpoints;
import io.cgroovy.api.endpoints.Events;
import io.cgroovy.api.endpoints.ExecEndpoints;
import io.cgroovy.api.endpoints.ImageEndpoints;
import io.cgroovy.api.endpoints.NetworkEndpoints;
import io.cgroovy.api.endpoints.StatsEndpoints;
import io.cgroovy.api.endpoints.TopEndpoints;
import io.cgroovy.api.endpoints.VolumeEndpoints;
import io.cgroovy.api.endpoints.RegistryEndpoints;
import io.cgroovy.api.endpoints.SystemEndpoints;
import io.cgroovy.api.http.Router;
import io.cgroovy.runtime.Engine;

import java.util.Map;

/** The Docker Engine API over one engine: every endpoint cgroovy answers, in one router. */
public final class DockerApi {
    private DockerApi() {}

    public static Router router(Engine engine) {
        Router r = new Router();
        Events events = new Events();
        events.register(r);
        new SystemEndpoints(engine).register(r);
        new ImageEndpoints(engine, events).register(r);
        new ContainerEndpoints(engine, events).register(r);
        new RegistryEndpoints(engine, events).register(r);
        new ExecEndpoints(engine).register(r);
        new NetworkEndpoints(engine).register(r);
        new VolumeEndpoints(engine).register(r);
        new StatsEndpoints(engine).register(r);
        new TopEndpoints(engine).register(r);
        return r;
    }

    /** Headers every answer carries; clients read the API version from them. */
    public static Map<String, String> headers() {
        return Map.of("Api-Version", ApiVersion.CURRENT,
                "Server", "cgroovy/" + ApiVersion.ENGINE + " (linux)",
                "Docker-Experimental", "false",
                "Ostype", "linux");
    }
}
