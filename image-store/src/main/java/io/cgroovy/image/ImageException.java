package io.cgroovy.image;

/** A one-line, user-facing failure of the image store (the message names what is wrong). */
public class ImageException extends RuntimeException {
    public ImageException(String message) { super(message); }
    public ImageException(String message, Throwable cause) { super(message, cause); }
}
