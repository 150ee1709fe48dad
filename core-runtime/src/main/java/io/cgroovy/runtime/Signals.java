package io.cgroovy.runtime;

import java.util.List;
import java.util.Locale;

/** Signal names as docker kill takes them: "TERM", "SIGTERM", "15" (Linux x86-64/arm64 numbers). */
final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private Signals() {}

    static int number(String signal) {
        if (signal == null || signal.isBlank()) return 9; // docker kill's default
        String s = signal.strip().toUpperCase(Locale.ROOT);
        if (s.matches("[0-9]{1,2}")) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 64) return n;
        } else {
            if (s.startsWith("SIG")) s = s.substring(3);
            int i = NAMES.indexOf(s);
            if (i > 0) return i;
            if (s.equals("IOT")) return 6;
            if (s.equals("POLL")) return 29;
        }
        throw new ContainerException("invalid signal '" + signal + "' (a name like TERM or SIGKILL, or a number 1-64)");
    }
}
