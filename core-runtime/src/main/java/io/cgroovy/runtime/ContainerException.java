package io.cgroovy.runtime;

/** A one-line, user-facing failure to make or run a container (the message names what is wrong). */
public class ContainerException extends RuntimeException {
    public ContainerException(String message) { super(message); }
    public ContainerException(String message, Throwable cause) { super(message, cause); }
}
