package io.cgroovy.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * A manifest or an index (OCI or Docker), parsed into one shape so that a document of the wrong
 * kind can be recognised by its fields as well as by its mediaType (CVE-2021-41190).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
final class OciDocument {
    public Integer schemaVersion;
    public String mediaType;
    public Descriptor config;
    public List<Descriptor> layers;
    public List<Descriptor> manifests;
    public Map<String, String> annotations;
}
