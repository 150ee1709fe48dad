package io.cgroovy.runtime;

/**
 * How a foreground container ended.
 *
 * @param exitCode   the process's exit status, 128+signal when it was killed
 * @param oomKilled  the kernel's OOM killer killed a process of the container
 */
public record RunResult(String id, String name, int exitCode, boolean oomKilled) {}
