package io.cgroovy.runtime

/** StdinLeaseSpec's child: leases of its stdin (a pipe from the spec), what each read got on stdout. */
class StdinLeaseChild {
    static void main(String[] args) {
        byte[] buf = new byte[16]
        StdinLease first = StdinLease.take()
        int n = first.read(buf, 0, buf.length)
        println "first ${new String(buf, 0, n, 'UTF-8')}"
        int[] got = new int[1]
        Thread waiting = Thread.start { got[0] = first.read(buf, 0, buf.length) }
        println 'waiting'
        sleep(300)
        first.end()
        waiting.join()
        println "left ${got[0]}"   // the spec writes more only now
        StdinLease second = StdinLease.take()
        n = second.read(buf, 0, buf.length)
        StringBuilder s = new StringBuilder(new String(buf, 0, n, 'UTF-8'))
        while (s.length() < 2) {
            n = second.read(buf, 0, buf.length)
            s.append(new String(buf, 0, n, 'UTF-8'))
        }
        println "second ${s}"
        second.end()
        StdinLease third = StdinLease.take()
        String[] outcome = new String[1]
        Thread reader = Thread.start {
            try {
                outcome[0] = "read ${third.read(buf, 0, buf.length)}"
            } catch (IOException e) {
                outcome[0] = "interrupted ${e.class.name}"
            }
        }
        sleep(300)
        reader.interrupt()
        reader.join()
        println outcome[0]
        System.out.flush()
    }
}
