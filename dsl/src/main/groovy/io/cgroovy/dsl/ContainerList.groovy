package io.cgroovy.dsl

import groovy.transform.CompileStatic
import io.cgroovy.runtime.ContainerInfo

import java.time.Instant

/**
 * What {@code ps()} returns: handles of detached containers that print as Docker's table
 * CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES (newest first).
 */
@CompileStatic
class ContainerList extends ArrayList<Container> {
    public static final List<String> HEADERS = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'].asImmutable()

    private final List<ContainerInfo> infos

    ContainerList(Session session, List<ContainerInfo> infos) {
        super(infos.collect { ContainerInfo i -> new Container(session, i, null) })
        this.infos = List.copyOf(infos)
    }

    /** The rows as read when ps() ran. */
    List<List<String>> rows() {
        Instant now = Instant.now()
        List<List<String>> rows = []
        for (ContainerInfo i : infos) {
            rows << ([i.shortId(), i.image(), command(i.command()), ContainerInfo.ago(i.created(), now) + ' ago',
                      i.statusText(now), '', i.name()] as List<String>)
        }
        rows
    }

    /** Docker quotes the command and cuts it at 20 characters. */
    static String command(List<String> argv) {
        String c = argv.join(' ')
        '"' + (c.length() > 20 ? c.substring(0, 19) + '…' : c) + '"'
    }

    @Override
    String toString() {
        TextTable.format(HEADERS, rows())
    }
}
