package io.cgroovy.shell

/**
 * A spec's own cgroup parent ({@code CGROOVY_CGROUP_PARENT}), removed at the end: in every v1
 * hierarchy and in the v2 tree. What still runs in it was started by the spec (its containers);
 * it is killed first, by pid, so a shell that died mid-way leaves nothing behind.
 */
class TestCgroups {
    static final File ROOT = new File('/sys/fs/cgroup')

    /** The parent's directory in each hierarchy where it exists. */
    static List<File> dirs(String parent) {
        List<File> out = []
        if (new File(ROOT, parent).isDirectory()) out << new File(ROOT, parent)
        ROOT.listFiles()?.each { File h ->
            File d = new File(h, parent)
            if (h.isDirectory() && !h.name.startsWith('cgroovy') && d.isDirectory()) out << d
        }
        out
    }

    /** Removes the parent and everything under it; the directories still there after {@code seconds}. */
    static List<String> remove(String parent, long seconds = 60) {
        long end = System.nanoTime() + seconds * 1_000_000_000L
        while (true) {
            List<File> left = []
            for (File top : dirs(parent)) {
                List<File> all = [top]
                top.eachDirRecurse { File d -> all << d }
                for (File d : all.sort { File a, File b -> b.path.length() <=> a.path.length() }) {   // deepest first
                    File procs = new File(d, 'cgroup.procs')
                    if (procs.exists()) {
                        procs.readLines().findAll { it.isLong() }.each { String pid -> ['kill', '-KILL', pid].execute().waitFor() }
                    }
                    if (!d.delete()) left << d
                }
            }
            if (left.isEmpty() || System.nanoTime() > end) return left*.path
            sleep 200
        }
    }
}
