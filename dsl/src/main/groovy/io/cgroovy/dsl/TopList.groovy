package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.inspect.Processes

/**
 * {@code c.top()}: the processes of a running container (docker top), one map per process (user, pid, ppid,
 * cpu, started, tty, time, cmd; pids are the host's); the shell prints it as ps -ef's table.
 */
@CompileStatic
class TopList extends ArrayList<Map<String, Object>> {
    public static final List<String> HEADERS = Processes.TITLES

    private final List<Processes.Process> processes

    TopList(List<Processes.Process> processes) {
        super(processes.collect { Processes.Process p -> p.toMap() })
        this.processes = processes
    }

    /** One row per process, under {@link #HEADERS}. */
    List<List<String>> rows() { processes.collect { Processes.Process p -> p.row() } }

    @Override
    String toString() {
        ([HEADERS] + rows()).collect { List<String> r -> r.join('   ') }.join('\n')
    }
}
