package io.cgroovy.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** The parts of an OCI/Docker image config the engine uses (field names as in the image spec). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageConfig {
    @JsonProperty("architecture") public String architecture;
    @JsonProperty("os") public String os;
    @JsonProperty("created") public String created;
    @JsonProperty("config") public Runtime config = new Runtime();
    @JsonProperty("rootfs") public RootFs rootfs = new RootFs();
    @JsonProperty("history") public List<History> history;

    /** The settings a container inherits from its image. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Runtime {
        @JsonProperty("User") public String user;
        @JsonProperty("Env") public List<String> env;
        @JsonProperty("Entrypoint") public List<String> entrypoint;
        @JsonProperty("Cmd") public List<String> cmd;
        @JsonProperty("WorkingDir") public String workingDir;
        @JsonProperty("Labels") public Map<String, String> labels;
        @JsonProperty("ExposedPorts") public Map<String, Object> exposedPorts;
        @JsonProperty("Volumes") public Map<String, Object> volumes;
        @JsonProperty("StopSignal") public String stopSignal;
        @JsonProperty("Healthcheck") public Healthcheck healthcheck;
    }

    /** Docker's HEALTHCHECK: Test ["CMD-SHELL", cmd] / ["CMD", argv...] / ["NONE"]; durations in nanoseconds, 0 = default. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Healthcheck {
        @JsonProperty("Test") public List<String> test;
        @JsonProperty("Interval") public Long interval;
        @JsonProperty("Timeout") public Long timeout;
        @JsonProperty("StartPeriod") public Long startPeriod;
        @JsonProperty("Retries") public Integer retries;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class RootFs {
        @JsonProperty("type") public String type = "layers";
        @JsonProperty("diff_ids") public List<String> diffIds = List.of();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class History {
        @JsonProperty("created") public String created;
        @JsonProperty("created_by") public String createdBy;
        @JsonProperty("comment") public String comment;
        @JsonProperty("empty_layer") public Boolean emptyLayer;
    }
}
