package io.cgroovy.runtime.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The one syscall the runtime command needs that Java lacks: kill with any signal. */
interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int kill(int pid, int sig);

    int mkfifo(String path, int mode);
}
