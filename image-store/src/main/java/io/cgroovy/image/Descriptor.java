package io.cgroovy.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/** An OCI content descriptor (also the shape Docker schema2 uses). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
final class Descriptor {
    public String mediaType;
    public String digest;
    public Long size;
    public Map<String, String> annotations;
    public Platform platform;

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class Platform {
        public String architecture;
        public String os;
        public String variant;
    }

    Descriptor() {}

    Descriptor(String mediaType, String digest, long size) {
        this.mediaType = mediaType;
        this.digest = digest;
        this.size = size;
    }

    /** Checks the fields an untrusted descriptor must carry before it is used as a file name or a size. */
    Descriptor checked(String what) {
        Digest.check(digest, what);
        if (size == null || size < 0) throw new ImageException(what + " " + digest + ": missing or negative size");
        return this;
    }

    String annotation(String key) {
        return annotations == null ? null : annotations.get(key);
    }
}
