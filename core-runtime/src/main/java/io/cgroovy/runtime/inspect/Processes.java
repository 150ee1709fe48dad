package io.cgroovy.runtime.inspect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The processes of a container (docker top): each pid of its cgroup read from /proc, in the columns
 * of {@code ps -ef}, which Docker runs for a top without ps arguments. Pids that end meanwhile are left out.
 */
public final class Processes {
    /** Docker's titles for {@code ps -ef}. */
    public static final List<String> TITLES = List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
    /** USER_HZ: the unit of the times in /proc/PID/stat on every architecture Linux exports to user space. */
    private static final long TICKS = 100;
    private static final Path PROC = Path.of("/proc");

    /**
     * One process, as ps -ef shows it.
     *
     * @param user      the user name of its real uid on the host (the number when the host has no such user)
     * @param cpu       ps's C: its CPU time over its life, in percent, at most 99
     * @param started   STIME: HH:MM today, else MonDD, else the year
     * @param tty       its controlling terminal ("pts/0"), or "?"
     * @param time      its CPU time, [DD-]HH:MM:SS
     * @param cmd       its command line, or [comm] for a kernel thread or a zombie
     */
    public record Process(String user, long pid, long ppid, int cpu, String started, String tty, String time, String cmd) {
        /** The row under {@link #TITLES}. */
        public List<String> row() {
            return List.of(user, Long.toString(pid), Long.toString(ppid), Integer.toString(cpu), started, tty, time, cmd);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", user);
            m.put("pid", pid);
            m.put("ppid", ppid);
            m.put("cpu", cpu);
            m.put("started", started);
            m.put("tty", tty);
            m.put("time", time);
            m.put("cmd", cmd);
            return m;
        }
    }

    private Processes() {}

    /** The processes with these host pids, in the order given (the cgroup's order: ascending). */
    public static List<Process> of(List<Long> pids) {
        return of(PROC, pids, Instant.now());
    }

    static List<Process> of(Path proc, List<Long> pids, Instant now) {
        long bootSeconds = bootTime(proc);
        Map<Long, String> users = users();
        List<Process> out = new ArrayList<>();
        for (long pid : pids) {
            Process p = read(proc.resolve(Long.toString(pid)), pid, bootSeconds, now, users);
            if (p != null) out.add(p);
        }
        return out;
    }

    private static Process read(Path dir, long pid, long bootSeconds, Instant now, Map<Long, String> users) {
        String stat;
        byte[] cmdline;
        String status;
        try {
            stat = Files.readString(dir.resolve("stat"));
            cmdline = Files.readAllBytes(dir.resolve("cmdline"));
            status = Files.readString(dir.resolve("status"));
        } catch (IOException e) {
            return null; // ended meanwhile
        }
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < 0) return null;
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).trim().split(" ");
        long ppid = Long.parseLong(f[1]);
        long ttyNr = Long.parseLong(f[4]);
        long cpuTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long startTicks = Long.parseLong(f[19]);
        long uid = realUid(status);
        Instant started = Instant.ofEpochSecond(bootSeconds).plusMillis(startTicks * 1000 / TICKS);
        long lived = Math.max(0, now.getEpochSecond() - started.getEpochSecond());
        int cpu = lived == 0 ? 0 : (int) Math.min(99, cpuTicks * 100 / TICKS / lived);
        String cmd = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        if (cmd.isEmpty()) cmd = "[" + comm + "]";
        return new Process(users.getOrDefault(uid, Long.toString(uid)), pid, ppid, cpu, stime(started, now), tty(ttyNr),
                time(cpuTicks / TICKS), cmd);
    }

    private static long realUid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
        return -1;
    }

    /** ps's STIME: the time of day within the last 24 hours, else month and day within a year, else the year. */
    static String stime(Instant started, Instant now) {
        LocalDateTime t = LocalDateTime.ofInstant(started, ZoneId.systemDefault());
        long ago = now.getEpochSecond() - started.getEpochSecond();
        if (ago <= 24 * 3600) return t.format(DateTimeFormatter.ofPattern("HH:mm"));
        if (ago <= 365 * 24 * 3600) return t.format(DateTimeFormatter.ofPattern("MMMdd", Locale.ENGLISH));
        return Integer.toString(t.getYear());
    }

    /** ps's TIME: [DD-]HH:MM:SS. */
    static String time(long seconds) {
        long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
        String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", h, m, s);
        return d > 0 ? d + "-" + hms : hms;
    }

    /** The name of a tty_nr of /proc/PID/stat: pts/N for Unix 98 pseudo-terminals (majors 136-143), ttyN for 4, else "?". */
    static String tty(long nr) {
        long major = (nr >> 8) & 0xfff;
        long minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
        if (nr == 0) return "?";
        if (major >= 136 && major <= 143) return "pts/" + ((major - 136) * 256 + minor);
        if (major == 4 && minor < 64) return "tty" + minor;
        return "?";
    }

    private static long bootTime(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).trim());
            }
        } catch (IOException | NumberFormatException e) {
            // no boot time: start times count from the epoch
        }
        return 0;
    }

    /** uid → name from the host's /etc/passwd (ps -ef names the host's users). */
    private static Map<Long, String> users() {
        Map<Long, String> m = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].matches("[0-9]+")) m.putIfAbsent(Long.parseLong(f[2]), f[0]);
            }
        } catch (IOException e) {
            // numbers then
        }
        return m;
    }
}
