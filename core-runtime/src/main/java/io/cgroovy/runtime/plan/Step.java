package io.cgroovy.runtime.plan;

import java.util.List;

/**
 * One step of a launch plan: an executor operation, its arguments (plain strings, no NUL),
 * and the description a failure of it is reported with ("mount proc on /proc").
 */
public record Step(String op, List<String> args, String description) {
    public Step {
        args = List.copyOf(args);
    }

    public static Step of(String description, String op, Object... args) {
        String[] s = new String[args.length];
        for (int i = 0; i < args.length; i++) s[i] = String.valueOf(args[i]);
        return new Step(op, List.of(s), description);
    }

    @Override
    public String toString() {
        return op + " " + args;
    }
}
