package io.cgroovy.api;

/** The Docker Engine API versions cgroovy serves (clients negotiate down to CURRENT from the ping). */
public final class ApiVersion {
    public static final String CURRENT = "1.41";
    public static final String MIN = "1.24";
    public static final String ENGINE = "0.1.0";

    private ApiVersion() {}
}
