package io.cgroovy.api

import io.cgroovy.dsl.Interpreter
import io.cgroovy.dsl.Session

import java.nio.file.Files
import java.nio.file.Path

/**
 * A recipe run as `cgroovy run` runs it, with this process's streams and terminal (/dev/tty), for
 * specs that start it in a real pseudo-terminal (TmuxTerminal); the shell is not on api's classpath.
 * Arguments: the state root (a temp dir), the recipe file.
 */
class TerminalRecipe {
    static void main(String[] args) {
        Session session = Session.at(Path.of(args[0]))
        new Interpreter(session, System.out).withCloseable { it.eval(Files.readString(Path.of(args[1]))) }
        System.out.flush()
        System.exit(0)   // as cgroovy run ends (the shell's Main): without waiting for daemon threads
    }
}
