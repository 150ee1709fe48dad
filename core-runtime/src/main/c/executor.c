/*
 * cgroovy-executor: performs a launch plan compiled by core-runtime (Java).
 *
 *   cgroovy-executor PLAN STATUS
 *
 * PLAN is a file of ordered steps (format in core-runtime/README.md). The executor runs
 * them in order and makes no decisions of its own. The step "clone" splits the work: the
 * parent stays outside the container, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the child,
 * waits, writes "exit N" to STATUS and exits with the child's status (N, or 128+signal).
 * The child runs the remaining steps; the first failing step is reported to the parent as
 * (step index, errno) over a pipe that is close-on-exec, so EOF on that pipe means execve
 * succeeded. The parent then writes "error INDEX ERRNO TEXT" to STATUS and exits 125
 * (126/127 when execve itself failed with EACCES/ENOENT).
 *
 * Negative error numbers are the executor's own: see E_* below.
 * Only libc. Single-threaded, so the child may use all of libc after clone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "common.h"

#define E_SYMLINK   (-1001) /* a path component inside the rootfs is a symlink */
#define E_OUTSIDE   (-1002) /* the working directory is not inside the container's root */
#define E_DOTDOT    (-1003) /* a path inside the rootfs contains ".." */
#define E_PLAN      (-1004) /* the plan file is malformed */
#define E_BADSTEP   (-1005) /* unknown step or wrong number of arguments */

struct step {
    const char *op;
    int nargs;
    char **args;
};

static struct step *steps;
static int nsteps;
static int errfd = -1;        /* child: write end of the error pipe */
static int rootfd = -1;       /* child: O_PATH fd of the container's root */
static volatile pid_t child_pid = -1;
static const char *status_path;
/*
 * CGROOVY_HANDOVER=1 (set by the monitor): the container gets no parent-death signal and the parent
 * writes "running PID" and exits once execve succeeded; the container is then re-parented to the
 * monitor (a child subreaper), which waits for it.
 */
static int handover;
/*
 * runc-style create/start: "open-start FIFO" (before pivot_root) keeps an O_PATH fd of the start
 * fifo; "wait-start" (right before exec) tells the parent the container is created (a record with
 * index -2; a handover parent then writes "created PID" and exits) and blocks until "start" opens
 * the fifo for reading. Failures after that have no parent to report to: they go to stderr.
 */
static int startfd = -1;
static int created;
/*
 * A terminal (docker exec -t, run -t): the step "terminal ROWS COLS CONTROL" opens a PTY in the
 * container's own devpts (/dev/ptmx after the mount namespace is joined or pivot_root), makes the
 * slave the stdio (the "console" step then makes it the controlling terminal), and sends the master over console_fd
 * (SCM_RIGHTS). The parent either relays it to its own stdio and serves "resize ROWS COLS" on the
 * unix socket CONTROL, or (CGROOVY_CONSOLE_FD, a handover from the monitor) leaves console_fd to
 * the monitor, which holds the master from then on.
 */
static int console_fd = -1;
static int console_ack;       /* child: console_fd is the parent's, which answers one byte once the size is set */
static int inherited_console = -1;
static int console_rows, console_cols; /* CGROOVY_CONSOLE_SIZE from the monitor: the step's size when set */
/*
 * CGROOVY_TRACE=FILE (trace { } in the DSL): the parent writes "start NS", then "step INDEX NS" when each step
 * has ended (CLOCK_MONOTONIC, the clock of Java's System.nanoTime), and "exec NS" when execve succeeded (EOF on
 * the close-on-exec error pipe). The child reports its steps' ends over that pipe as {-3, INDEX} + int64 NS,
 * the clone step's end being the moment the child runs.
 */
static int tracefd = -1;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---------- small helpers ---------- */

static void trace_line(const char *what, int index, int64_t ns) {
    if (tracefd < 0) return;
    char line[64];
    int n = index >= 0 ? snprintf(line, sizeof line, "%s %d %lld\n", what, index, (long long)ns)
                       : snprintf(line, sizeof line, "%s %lld\n", what, (long long)ns);
    if (n > 0 && (size_t)n < sizeof line) write_all(tracefd, line, (size_t)n);
}

/* child: the end of step INDEX, to the parent (only when tracing a run the parent waits for) */
static void trace_child(int index) {
    if (tracefd < 0 || created || errfd < 0) return;
    struct { int32_t tag, index; int64_t ns; } rec = {-3, index, now_ns()};
    write_all(errfd, (const char *)&rec, sizeof rec);
}

static void write_status(const char *text) {
    int fd = open(status_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    write_all(fd, text, strlen(text));
    close(fd);
}

static const char *err_text(int err) {
    switch (err) {
    case E_SYMLINK: return "is a symlink inside the rootfs (refused)";
    case E_OUTSIDE: return "working directory is outside the container's root";
    case E_DOTDOT: return "path contains '..' (refused)";
    case E_PLAN: return "malformed launch plan";
    case E_BADSTEP: return "unknown launch step";
    default: return strerror(err);
    }
}

/* A failure before the container runs: "error INDEX ERRNO TEXT" to STATUS; returns 125, the exit status. */
static int fail_status(int index, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_status(int index, int err, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    verror_record(text, sizeof text - 1, index, err, fmt, ap);
    va_end(ap);
    strcat(text, "\n");
    write_status(text);
    return 125;
}

static long long num(const char *s) { return strtoll(s, NULL, 0); }

static unsigned long long unum(const char *s) { return strtoull(s, NULL, 0); }

/* ---------- plan parsing ---------- */

static char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) { close(fd); return NULL; }
    size_t cap = (size_t)st.st_size + 1, used = 0;
    char *buf = malloc(cap);
    if (!buf) { close(fd); return NULL; }
    for (;;) {
        if (used + 1 >= cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); close(fd); return NULL; }
            buf = nb;
        }
        ssize_t n = read(fd, buf + used, cap - used - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            free(buf); close(fd); return NULL;
        }
        if (n == 0) break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = 0;
    *len = used;
    return buf;
}

/* Reads a decimal number ending with `end` at *p (advancing past it); -1 when malformed. */
static long read_num(char **p, char *limit, char end) {
    char *s = *p;
    long v = 0;
    if (s >= limit || *s < '0' || *s > '9') return -1;
    while (s < limit && *s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v > 1L << 30) return -1;
        s++;
    }
    if (s >= limit || *s != end) return -1;
    *p = s + 1;
    return v;
}

/*
 * "CGROOVY-PLAN 1\n" "<nsteps>\n", then per step "<op> <nargs>\n" and per argument
 * "<len>\n<bytes>\n". Arguments are NUL-terminated in place (over their '\n').
 */
static int parse_plan(char *buf, size_t len) {
    static const char magic[] = "CGROOVY-PLAN 1\n";
    char *p = buf, *end = buf + len;
    if (len < sizeof magic - 1 || memcmp(buf, magic, sizeof magic - 1) != 0) return -1;
    p += sizeof magic - 1;
    long n = read_num(&p, end, '\n');
    if (n < 0 || n > 100000) return -1;
    steps = calloc((size_t)n + 1, sizeof *steps);
    if (!steps) return -1;
    nsteps = (int)n;
    for (int i = 0; i < nsteps; i++) {
        char *op = p;
        while (p < end && *p != ' ' && *p != '\n') p++;
        if (p >= end || *p != ' ' || p == op) return -1;
        *p++ = 0;
        long na = read_num(&p, end, '\n');
        if (na < 0 || na > 100000) return -1;
        steps[i].op = op;
        steps[i].nargs = (int)na;
        steps[i].args = calloc((size_t)na + 1, sizeof(char *));
        if (!steps[i].args) return -1;
        for (long a = 0; a < na; a++) {
            long l = read_num(&p, end, '\n');
            if (l < 0 || end - p < l + 1 || p[l] != '\n') return -1;
            if (memchr(p, 0, (size_t)l)) return -1;
            steps[i].args[a] = p;
            p[l] = 0;
            p += l + 1;
        }
    }
    return p == end ? 0 : -1;
}

/* ---------- user namespaces and detached mounts ---------- */

/*
 * A user namespace (docker run --userns-remap): "userns UIDMAP GIDMAP" (before the clone) records the
 * maps, written as to /proc/PID/uid_map. A clone with CLONE_NEWUSER then has the parent, root on the
 * host, write them for the child, put the child into the cgroups named by "child-cgroup DIR" steps
 * (an unprivileged uid on the host could not), and only then let it go on (sync pipe); the child
 * becomes root of its namespace (setresuid(0,0,0): the mapped uid on the host) before anything else.
 */
static const char *uid_map, *gid_map;
static int helper_userns = -1;          /* a namespace with the same maps, for idmapped mounts before the clone */
static const char *child_cgroups[64];
static int nchild_cgroups;
/*
 * "open-tree" and "open-fs" (before the clone, as root on the host) make detached mounts, kept per
 * step index; "attach INDEX DEST CREATE" (in the container's mount namespace) moves one into place.
 * So the container never has to reach a host path itself (a uid mapped to an unprivileged one cannot
 * pass a root-only directory), and filesystems it could not mount (sysfs of a network namespace the
 * engine made) are mounted with the host's rights.
 */
static int *slot_fds;

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = write_all(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

static int write_maps(long pid) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/uid_map", pid);
    int r = write_text(p, uid_map);
    if (r < 0) return r;
    snprintf(p, sizeof p, "/proc/%ld/gid_map", pid);
    return write_text(p, gid_map);
}

static int join_cgroup_pid(const char *dir, long pid) {
    char p[PATH_MAX], text[32];
    if (snprintf(p, sizeof p, "%s/cgroup.procs", dir) >= (int)sizeof p) return -ENAMETOOLONG;
    snprintf(text, sizeof text, "%ld", pid);
    return write_text(p, text);
}

/* An fd of a user namespace with the recorded maps, made by a helper process that only waits for it. */
static int userns_fd(void) {
    if (helper_userns >= 0) return helper_userns;
    if (!uid_map || !gid_map) return -EINVAL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -errno;
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0) { int e = errno; close(p[0]); close(p[1]); return -e; }
    if (pid == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    close(p[0]);
    int r = write_maps(pid);
    if (r == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/ns/user", pid);
        helper_userns = open(path, O_RDONLY | O_CLOEXEC);
        if (helper_userns < 0) r = -errno;
    }
    close(p[1]); /* the helper exits: the fd keeps its namespace */
    while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {}
    return r < 0 ? r : helper_userns;
}

/* "idmap DIR": DIR (an image layer) is shown through the namespace's maps: files of uid 0 belong to its root. */
static int step_idmap(char **a) {
    int u = userns_fd();
    if (u < 0) return u;
    int t = (int)syscall(SYS_open_tree, AT_FDCWD, a[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (t < 0) return -errno;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)u};
    int r = (int)syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof attr);
    if (r == 0) r = (int)syscall(SYS_move_mount, t, "", AT_FDCWD, a[0], MOVE_MOUNT_F_EMPTY_PATH);
    int e = errno;
    close(t);
    return r < 0 ? -e : 0;
}

/* "open-tree SOURCE RECURSIVE ATTRS": a detached copy of a bind mount source, MOUNT_ATTR_* set on it. */
static int step_open_tree(int index, char **a) {
    int rec = num(a[1]) != 0;
    int t = (int)syscall(SYS_open_tree, AT_FDCWD, a[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
    if (t < 0) return -errno;
    struct mount_attr attr = {.attr_set = unum(a[2])};
    if (attr.attr_set && syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
        int e = errno;
        close(t);
        return -e;
    }
    slot_fds[index] = t;
    return 0;
}

/* "open-fs TYPE ATTRS": a new detached filesystem (sysfs of the network namespace joined before the clone). */
static int step_open_fs(int index, char **a) {
    int fs = (int)syscall(SYS_fsopen, a[0], FSOPEN_CLOEXEC);
    if (fs < 0) return -errno;
    int m = -1;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned)unum(a[1]));
    int e = errno;
    close(fs);
    if (m < 0) return -e;
    slot_fds[index] = m;
    return 0;
}

static int resolve(int root, const char *path, int create);

/* "attach INDEX DEST CREATE": the detached mount of step INDEX onto DEST below the root. */
static int step_attach(char **a) {
    long i = num(a[0]);
    if (i < 0 || i >= nsteps || slot_fds[i] < 0) return -EBADF;
    int fd = resolve(rootfd, a[1], (int)num(a[2]));
    if (fd < 0) return fd;
    int r = (int)syscall(SYS_move_mount, slot_fds[i], "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    close(fd);
    close(slot_fds[i]);
    slot_fds[i] = -1;
    return r < 0 ? -e : 0;
}

/* ---------- paths inside the rootfs ---------- */

/*
 * Opens PATH (relative to the container root, leading '/' allowed) below `root`, one
 * component at a time with O_PATH|O_NOFOLLOW, so that no symlink (absolute or relative)
 * and no ".." can lead out of the rootfs. create: 0 = nothing, 1 = missing components are
 * made directories (0755), 2 = like 1 but the last component is made an empty file.
 * Returns an O_PATH fd, or -errno / E_*.
 */
static int resolve(int root, const char *path, int create) {
    char buf[PATH_MAX];
    if (strlen(path) >= sizeof buf) return -ENAMETOOLONG;
    strcpy(buf, path);
    int cur = fcntl(root, F_DUPFD_CLOEXEC, 3);
    if (cur < 0) return -errno;
    char *save = NULL;
    char *c = strtok_r(buf, "/", &save);
    while (c) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(c, ".") == 0) { c = next; continue; }
        if (strcmp(c, "..") == 0) { close(cur); return E_DOTDOT; }
        int fd = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
            if (next || create == 1) {
                if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST) { int e = errno; close(cur); return -e; }
            } else {
                int f = openat(cur, c, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0 && errno != EEXIST) { int e = errno; close(cur); return -e; }
                if (f >= 0) close(f);
            }
            fd = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) { int e = errno; close(cur); return -e; }
        struct stat st;
        if (fstat(fd, &st) < 0) { int e = errno; close(fd); close(cur); return -e; }
        close(cur);
        cur = fd;
        if (S_ISLNK(st.st_mode)) { close(cur); return E_SYMLINK; }
        if (next && !S_ISDIR(st.st_mode)) { close(cur); return -ENOTDIR; }
        c = next;
    }
    return cur;
}

/* Opens the parent directory of PATH (creating it) and points *name at the last component. */
static int resolve_parent(const char *path, char *copy, size_t size, const char **name) {
    if (strlen(path) >= size) return -ENAMETOOLONG;
    strcpy(copy, path);
    size_t l = strlen(copy);
    while (l > 1 && copy[l - 1] == '/') copy[--l] = 0;
    char *slash = strrchr(copy, '/');
    if (slash) {
        *slash = 0;
        *name = slash + 1;
        return resolve(rootfd, copy[0] ? copy : "/", 1);
    }
    *name = copy;
    return resolve(rootfd, "/", 0);
}

static void fd_path(int fd, char *out, size_t size) { snprintf(out, size, "/proc/self/fd/%d", fd); }

/* Mount flags of the mount holding fd that a bind remount must keep. */
static unsigned long kept_flags(int fd) {
    struct statfs sf;
    unsigned long f = 0;
    if (fstatfs(fd, &sf) < 0) return 0;
    if (sf.f_flags & ST_NOSUID) f |= MS_NOSUID;
    if (sf.f_flags & ST_NODEV) f |= MS_NODEV;
    if (sf.f_flags & ST_NOEXEC) f |= MS_NOEXEC;
    if (sf.f_flags & ST_NOATIME) f |= MS_NOATIME;
    if (sf.f_flags & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sf.f_flags & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

static int remount_path(const char *target, unsigned long flags) {
    int fd = resolve(rootfd, target, 0);
    if (fd < 0) return fd;
    char p[64];
    fd_path(fd, p, sizeof p);
    int r = mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags | kept_flags(fd), NULL);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

#define BIND_EXTRA (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* ---------- the steps ---------- */

static int do_clone_child_setup(void);

static int step_mount_in(char **a) {
    /* source, target (in rootfs), fstype, flags, data, create */
    unsigned long flags = unum(a[3]);
    int fd = resolve(rootfd, a[1], (int)num(a[5]));
    if (fd < 0) return fd;
    char p[64];
    fd_path(fd, p, sizeof p);
    const char *type = a[2][0] ? a[2] : NULL;
    const char *data = a[4][0] ? a[4] : NULL;
    unsigned long first = (flags & MS_BIND) ? flags & ~BIND_EXTRA : flags;
    int r = mount(a[0], p, type, first, data);
    int e = errno;
    close(fd);
    if (r < 0) return -e;
    if ((flags & MS_BIND) && (flags & BIND_EXTRA)) return remount_path(a[1], flags & BIND_EXTRA);
    return 0;
}

static int step_mask(char **a) {
    int fd = resolve(rootfd, a[0], 0);
    if (fd == -ENOENT) return 0;
    if (fd < 0) return fd;
    struct stat st;
    char p[64];
    fd_path(fd, p, sizeof p);
    int r;
    if (fstat(fd, &st) < 0) r = -1;
    else if (S_ISDIR(st.st_mode)) r = mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL);
    else r = mount("/dev/null", p, NULL, MS_BIND, NULL);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

static int step_readonly(char **a) {
    int fd = resolve(rootfd, a[0], 0);
    if (fd == -ENOENT) return 0;
    if (fd < 0) return fd;
    char p[64];
    fd_path(fd, p, sizeof p);
    int r = mount(p, p, NULL, MS_BIND | MS_REC, NULL);
    int e = errno;
    close(fd);
    if (r < 0) return -e;
    return remount_path(a[0], MS_RDONLY);
}

static int step_mknod(char **a) {
    /* path, mode (with S_IFCHR/S_IFBLK), major, minor, uid, gid, host path to bind on EPERM */
    char copy[PATH_MAX];
    const char *name;
    int pfd = resolve_parent(a[0], copy, sizeof copy, &name);
    if (pfd < 0) return pfd;
    mode_t mode = (mode_t)num(a[1]);
    int r = mknodat(pfd, name, mode, makedev((unsigned)num(a[2]), (unsigned)num(a[3])));
    if (r < 0 && errno == EPERM) {
        close(pfd);
        char *bind[] = {a[6], a[0], "", "4096", "", "2"};
        return step_mount_in(bind);
    }
    if (r < 0) { int e = errno; close(pfd); return -e; }
    r = fchownat(pfd, name, (uid_t)num(a[4]), (gid_t)num(a[5]), AT_SYMLINK_NOFOLLOW);
    int e = errno;
    close(pfd);
    return r < 0 ? -e : 0;
}

static int step_symlink(char **a) {
    char copy[PATH_MAX];
    const char *name;
    int pfd = resolve_parent(a[1], copy, sizeof copy, &name);
    if (pfd < 0) return pfd;
    int r = symlinkat(a[0], pfd, name);
    int e = errno;
    close(pfd);
    return r < 0 ? -e : 0;
}

static int step_mkdir(char **a) {
    int fd = resolve(rootfd, a[0], 1);
    if (fd < 0) return fd;
    close(fd);
    return 0;
}

static int step_pivot_root(void) {
    if (fchdir(rootfd) < 0) return -errno;
    if (syscall(SYS_pivot_root, ".", ".") < 0) return -errno;
    if (umount2(".", MNT_DETACH) < 0) return -errno;
    if (chdir("/") < 0) return -errno;
    close(rootfd);
    rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return rootfd < 0 ? -errno : 0;
}

static int step_lo_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    return r < 0 ? -e : 0;
}

/* Joins the namespace a file names (/proc/PID/ns/net, a bind-mounted netns file); NSTYPE is a CLONE_NEW* flag. */
static int step_setns(char **a) {
    int fd = open(a[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = setns(fd, (int)num(a[1]));
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

static const struct { const char *name; int res; } rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU}, {"RLIMIT_FSIZE", RLIMIT_FSIZE}, {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK}, {"RLIMIT_CORE", RLIMIT_CORE}, {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC}, {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_LOCKS", RLIMIT_LOCKS}, {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

static int step_rlimit(char **a) {
    for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++) {
        if (strcmp(rlimits[i].name, a[0]) == 0) {
            struct rlimit rl = {.rlim_cur = (rlim_t)unum(a[1]), .rlim_max = (rlim_t)unum(a[2])};
            return setrlimit(rlimits[i].res, &rl) < 0 ? -errno : 0;
        }
    }
    return -EINVAL;
}

static int step_bounding(char **a) {
    unsigned long long keep = unum(a[0]);
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* past the kernel's last capability */
            return -errno;
        }
    }
    return 0;
}

static int step_capset(char **a) {
    unsigned long long eff = unum(a[0]), perm = unum(a[1]), inh = unum(a[2]);
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    for (int i = 0; i < 2; i++) {
        d[i].effective = (uint32_t)(eff >> (32 * i));
        d[i].permitted = (uint32_t)(perm >> (32 * i));
        d[i].inheritable = (uint32_t)(inh >> (32 * i));
    }
    return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int step_setgroups(char **a) {
    gid_t gids[256];
    size_t n = 0;
    char *s = a[0];
    while (*s) {
        if (n == 256) return -EINVAL;
        char *e;
        gids[n++] = (gid_t)strtoul(s, &e, 10);
        if (*e == ',') e++;
        else if (*e) return -EINVAL;
        s = e;
    }
    return setgroups(n, gids) < 0 ? -errno : 0;
}

static int step_setuid(char **a) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return -errno;
    if (setuid((uid_t)num(a[0])) < 0) return -errno;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return -errno;
    /* changing credentials clears the parent-death signal: set it again */
    if (!handover && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return -errno;
    return 0;
}

static int step_close_fds(void) {
    int keep[2] = {errfd, startfd};
    if (keep[0] > keep[1]) { int t = keep[0]; keep[0] = keep[1]; keep[1] = t; }
    if (rootfd >= 0) { close(rootfd); rootfd = -1; }
    unsigned from = 3;
    int ok = 1;
    for (int k = 0; k < 2 && ok; k++) {
        if (keep[k] < (int)from) continue;
        if ((unsigned)keep[k] > from && syscall(SYS_close_range, from, (unsigned)keep[k] - 1, 0) != 0) ok = 0;
        from = (unsigned)keep[k] + 1;
    }
    if (ok && syscall(SYS_close_range, from, ~0U, 0) == 0) return 0;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 1 << 20) max = 1 << 20;
    for (int fd = 3; fd < max; fd++)
        if (fd != errfd && fd != startfd) close(fd);
    return 0;
}

static int send_fd(int sock, int fd) {
    char byte = 0;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
    return n == 1 ? 0 : -errno;
}

static int step_terminal(char **a) {
    if (console_fd < 0) return -EBADF;
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -errno;
    int unlock = 0, e;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0) { e = errno; close(m); return -e; }
    struct winsize ws = {.ws_row = (unsigned short)num(a[0]), .ws_col = (unsigned short)num(a[1])};
    if (console_rows > 0 && console_cols > 0) {
        ws.ws_row = (unsigned short)console_rows;
        ws.ws_col = (unsigned short)console_cols;
    }
    if (ws.ws_row > 0 && ws.ws_col > 0) ioctl(m, TIOCSWINSZ, &ws);
    /* the peer by the master, not by a path a container process could have replaced */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (s < 0) {
        int n;
        char name[64];
        if (ioctl(m, TIOCGPTN, &n) < 0) { e = errno; close(m); return -e; }
        snprintf(name, sizeof name, "/dev/pts/%d", n);
        s = open(name, O_RDWR | O_NOCTTY);
        if (s < 0) { e = errno; close(m); return -e; }
    }
    /* the "console" step that follows makes it the controlling terminal of a new session */
    if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0) {
        e = errno;
        close(m);
        close(s);
        return -e;
    }
    if (s > 2) close(s);
    int r = send_fd(console_fd, m);
    close(m);
    if (r == 0 && console_ack) {
        /* the process runs only once the parent has given the terminal the caller's latest size */
        char go;
        while (read(console_fd, &go, 1) < 0 && errno == EINTR) {}
    }
    close(console_fd);
    console_fd = -1;
    return r;
}

static int step_open_start(char **a) {
    if (startfd >= 0) close(startfd);
    startfd = open(a[0], O_PATH | O_CLOEXEC);
    return startfd < 0 ? -errno : 0;
}

static int step_wait_start(void) {
    if (startfd < 0) return -EBADF;
    int32_t rec[2] = {-2, 0};
    signal(SIGPIPE, SIG_IGN);
    if (write_all(errfd, (const char *)rec, sizeof rec) < 0) return -errno;
    created = 1;
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", startfd);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = write_all(fd, "0", 1);
    int e = errno;
    close(fd);
    close(startfd);
    startfd = -1;
    signal(SIGPIPE, SIG_DFL);
    return r < 0 ? -e : 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The filter arrives as hex of struct sock_filter in native byte order. */
static int step_seccomp(char **a) {
    size_t hex = strlen(a[0]);
    if (hex == 0 || hex % 16 != 0) return -EINVAL;
    size_t n = hex / 2;
    unsigned char *buf = malloc(n);
    if (!buf) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(a[0][2 * i]), lo = hexval(a[0][2 * i + 1]);
        if (hi < 0 || lo < 0) { free(buf); return -EINVAL; }
        buf[i] = (unsigned char)(hi << 4 | lo);
    }
    struct sock_fprog prog = {.len = (unsigned short)(n / sizeof(struct sock_filter)), .filter = (struct sock_filter *)buf};
    if (n / sizeof(struct sock_filter) > BPF_MAXINSNS) { free(buf); return -E2BIG; }
    int r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    int e = errno;
    free(buf);
    return r < 0 ? -e : 0;
}

static int step_chdir(char **a) {
    if (chdir(a[0]) < 0) return -errno;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/') return E_OUTSIDE;
    return 0;
}

/*
 * process.terminal: stdin is the container's PTY; a new session takes it as controlling terminal
 * (runc's setsid + TIOCSCTTY), so Ctrl-C typed there signals the foreground job and sh has job control.
 */
static int step_console(void) {
    if (setsid() < 0) return -errno;
    if (ioctl(0, TIOCSCTTY, 0) < 0) return -errno;
    return 0;
}

static int step_exec(char **a, int nargs) {
    /* argc, argv[0..argc-1], env... */
    long argc = num(a[0]);
    if (argc < 1 || argc + 1 > nargs) return -EINVAL;
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    char **envp = calloc((size_t)(nargs - argc), sizeof(char *));
    if (!argv || !envp) return -ENOMEM;
    for (long i = 0; i < argc; i++) argv[i] = a[1 + i];
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (long i = 1 + argc, j = 0; i < nargs; i++, j++) {
        envp[j] = a[i];
        if (strncmp(a[i], "PATH=", 5) == 0) path = a[i] + 5;
    }
    if (strchr(argv[0], '/')) {
        execve(argv[0], argv, envp);
        return -errno;
    }
    int seen_eacces = 0;
    const char *p = path;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char full[PATH_MAX];
        if (len > 0 && len + strlen(argv[0]) + 2 < sizeof full) {
            memcpy(full, p, len);
            full[len] = '/';
            strcpy(full + len + 1, argv[0]);
            execve(full, argv, envp);
            if (errno == EACCES) seen_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP && errno != ENAMETOOLONG) return -errno;
        }
        if (!colon) break;
        p = colon + 1;
    }
    return seen_eacces ? -EACCES : -ENOENT;
}

static int join_cgroup(const char *dir) {
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/cgroup.procs", dir) >= (int)sizeof p) return -ENAMETOOLONG;
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = write_all(fd, "0", 1);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

/* Runs one step; returns 0 or a negative error. "clone" is handled by the caller. */
static int run_step(struct step *s) {
    const char *op = s->op;
    char **a = s->args;
    int n = s->nargs;
#define OP(name, argc) (strcmp(op, name) == 0 && (n == (argc) || (argc) < 0))
    if (OP("join-cgroup", 1)) return join_cgroup(a[0]);
    if (OP("userns", 2)) { uid_map = a[0]; gid_map = a[1]; return 0; }
    if (OP("child-cgroup", 1)) {
        if (nchild_cgroups == (int)(sizeof child_cgroups / sizeof child_cgroups[0])) return -E2BIG;
        child_cgroups[nchild_cgroups++] = a[0];
        return 0;
    }
    if (OP("idmap", 1)) return step_idmap(a);
    if (OP("open-tree", 3)) return step_open_tree((int)(s - steps), a);
    if (OP("open-fs", 2)) return step_open_fs((int)(s - steps), a);
    if (OP("setns", 2)) return step_setns(a);
    if (OP("unshare", 1)) return unshare((int)num(a[0])) < 0 ? -errno : 0;
    if (OP("mount-host", 5))
        return mount(a[0][0] ? a[0] : NULL, a[1], a[2][0] ? a[2] : NULL, unum(a[3]), a[4][0] ? a[4] : NULL) < 0 ? -errno : 0;
    if (OP("chdir-host", 1)) return chdir(a[0]) < 0 ? -errno : 0;
    if (OP("open-root-copy", 1)) {
        /*
         * A user namespace: the rootfs mount came from the parent's namespace, so it is locked (pivot_root
         * refuses it). A recursive copy made here is not: it is stacked on the rootfs and becomes the root.
         */
        int t = (int)syscall(SYS_open_tree, AT_FDCWD, a[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (t < 0) return -errno;
        if (syscall(SYS_move_mount, t, "", AT_FDCWD, a[0], MOVE_MOUNT_F_EMPTY_PATH) < 0) { int e = errno; close(t); return -e; }
        if (rootfd >= 0) close(rootfd);
        rootfd = t;
        return 0;
    }
    if (OP("open-root", 1)) {
        if (rootfd >= 0) close(rootfd);
        rootfd = open(a[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -errno : 0;
    }
    if (rootfd < 0 && (OP("mount", 6) || OP("remount", 2) || OP("mask", 1) || OP("readonly", 1) ||
                       OP("mknod", 7) || OP("symlink", 2) || OP("mkdir", 1) || OP("pivot-root", 0) || OP("attach", 3)))
        return -EBADF;
    if (OP("mount", 6)) return step_mount_in(a);
    if (OP("attach", 3)) return step_attach(a);
    if (OP("remount", 2)) return remount_path(a[0], unum(a[1]));
    if (OP("mask", 1)) return step_mask(a);
    if (OP("readonly", 1)) return step_readonly(a);
    if (OP("mknod", 7)) return step_mknod(a);
    if (OP("symlink", 2)) return step_symlink(a);
    if (OP("mkdir", 1)) return step_mkdir(a);
    if (OP("pivot-root", 0)) return step_pivot_root();
    if (OP("sethostname", 1)) return sethostname(a[0], strlen(a[0])) < 0 ? -errno : 0;
    if (OP("lo-up", 0)) return step_lo_up();
    if (OP("sysctl", 2)) {
        if (strncmp(a[0], "/proc/sys/", 10) != 0 || strstr(a[0], "..")) return -EINVAL;
        return write_text(a[0], a[1]);
    }
    if (OP("rlimit", 3)) return step_rlimit(a);
    if (OP("bounding", 1)) return step_bounding(a);
    if (OP("setgroups", 1)) return step_setgroups(a);
    if (OP("setgid", 1)) return setgid((gid_t)num(a[0])) < 0 ? -errno : 0;
    if (OP("setuid", 1)) return step_setuid(a);
    if (OP("capset", 3)) return step_capset(a);
    if (OP("no-new-privs", 0)) return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
    if (OP("umask", 1)) { umask((mode_t)num(a[0])); return 0; }
    if (OP("close-fds", 0)) return step_close_fds();
    if (OP("open-start", 1)) return step_open_start(a);
    if (OP("terminal", 3)) return step_terminal(a);
    if (OP("wait-start", 0)) return step_wait_start();
    if (OP("chdir", 1)) return step_chdir(a);
    if (OP("console", 0)) return step_console();
    if (OP("seccomp", 1)) return step_seccomp(a);
    if (OP("exec", -1)) return n < 2 ? -EINVAL : step_exec(a, n);
#undef OP
    return E_BADSTEP;
}

/* ---------- parent: signal forwarding and waiting ---------- */

/*
 * Forwards a signal sent to the executor. A signal from the terminal (Ctrl-C: si_code SI_KERNEL)
 * went to the whole foreground process group, the container included, so it is not sent twice.
 */
static void forward(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    if (info && info->si_code == SI_KERNEL) return;
    if (child_pid > 0) kill(child_pid, sig);
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void child_fail(int index, int err) {
    if (created) {
        /* the parent has gone (create/start): say it on stderr, exit like a shell would */
        char text[512];
        const char *op = index >= 0 && index < nsteps ? steps[index].op : "plan";
        int n = snprintf(text, sizeof text, "cgroovy-executor: %s%s%s: %s\n", op,
                         strcmp(op, "exec") == 0 ? " " : "", strcmp(op, "exec") == 0 ? steps[index].args[1] : "", err_text(err));
        write_all(2, text, n > 0 && (size_t)n < sizeof text ? (size_t)n : strlen(text));
        _exit(strcmp(op, "exec") == 0 ? (err == ENOENT ? 127 : err == EACCES ? 126 : 125) : 125);
    }
    int32_t rec[2] = {index, err};
    write_all(errfd, (const char *)rec, sizeof rec);
    _exit(125);
}

static void run_child(int from) {
    for (int i = from; i < nsteps; i++) {
        if (strcmp(steps[i].op, "clone") == 0) child_fail(i, E_BADSTEP);
        int r = run_step(&steps[i]);
        if (r < 0) child_fail(i, r > -1000 ? -r : r);
        if (r > 0) child_fail(i, E_BADSTEP);
        if (strcmp(steps[i].op, "exec") != 0) trace_child(i);
    }
    /* a plan must end with exec */
    child_fail(nsteps - 1, E_BADSTEP);
}

static int do_clone_child_setup(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sigaction(sig, &dfl, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (!handover && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return -errno;
    umask(0);
    return 0;
}

/* ---------- parent: a terminal's master relayed to our stdio ---------- */

/* The unix socket a caller resizes the terminal through ("resize ROWS COLS" -> "ok"); -1 without one. */
static int control_listen(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path[0] || strlen(path) >= sizeof sa.sun_path) return -1;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0) { close(fd); return -1; }
    chmod(path, 0600);
    return fd;
}

/* runc's --console-socket: a connection to the caller's socket, to which the terminal step sends the master */
static int console_connect(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) { errno = ENAMETOOLONG; return -1; }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); errno = e; return -1; }
    return fd;
}

/*
 * A resize that came before this executor listened on CONTROL: the caller wrote the size to CONTROL.size
 * first (then found no socket), so it is there before the process runs (it waits for our byte).
 */
static void latest_size(const char *ctl_path, int master) {
    char path[PATH_MAX], line[64];
    if (snprintf(path, sizeof path, "%s.size", ctl_path) >= (int)sizeof path) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n;
    while ((n = read(fd, line, sizeof line - 1)) < 0 && errno == EINTR) {}
    close(fd);
    if (n <= 0) return;
    line[n] = 0;
    int rows, cols;
    if (sscanf(line, "%d %d", &rows, &cols) != 2 || rows <= 0 || cols <= 0) return;
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    ioctl(master, TIOCSWINSZ, &ws);
}

static void serve_control(int ctl, int master) {
    int c = accept4(ctl, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) return;
    struct timeval tv = {.tv_sec = 1};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char line[64];
    size_t len = 0;
    while (len < sizeof line - 1) {
        ssize_t n = read(c, line + len, sizeof line - 1 - len);
        if (n <= 0) break;
        len += (size_t)n;
        if (memchr(line, '\n', len)) break;
    }
    line[len] = 0;
    int rows, cols;
    const char *answer = "error unknown command\n";
    if (sscanf(line, "resize %d %d", &rows, &cols) == 2) {
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
        answer = rows > 0 && cols > 0 && ioctl(master, TIOCSWINSZ, &ws) == 0 ? "ok\n" : "error cannot set the window size\n";
    }
    send(c, answer, strlen(answer), MSG_NOSIGNAL);
    close(c);
}

/*
 * Copies our stdin to the master and the master to our stdout until the process has ended and its
 * terminal has no more output (EIO once every slave fd is closed; a background process that keeps
 * the terminal open gets 200 ms of quiet), serving resizes meanwhile.
 */
static void relay_terminal(int master, int ctl) {
    static char buf[16384];
    signal(SIGPIPE, SIG_IGN);
    int in_open = 1, exited = 0;
    int pidfd = (int)syscall(SYS_pidfd_open, child_pid, 0);
    for (;;) {
        struct pollfd pf[4] = {
            {.fd = master, .events = POLLIN},
            {.fd = in_open ? 0 : -1, .events = POLLIN},
            {.fd = ctl, .events = POLLIN},
            {.fd = exited ? -1 : pidfd, .events = POLLIN},
        };
        int r = poll(pf, 4, exited || pidfd < 0 ? 200 : -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (!exited && (pidfd < 0 || pf[3].revents)) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            if (waitid(P_PID, (id_t)child_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == child_pid) exited = 1;
        }
        if (r == 0 && exited) break;
        if (pf[0].revents) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) {
                if (write_all(1, buf, (size_t)n) < 0) break; /* the caller is gone: hang up the terminal */
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                break; /* EIO: no process has the terminal open any more */
            }
        }
        if (pf[1].revents) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n > 0) write_all(master, buf, (size_t)n);
            else if (n == 0 || errno != EINTR) in_open = 0;
        }
        if (pf[2].revents) serve_control(ctl, master);
    }
    if (pidfd >= 0) close(pidfd);
}

static int parent_wait(int index, int rfd, int master, int ctl) {
    int32_t rec[2];
    size_t got;
    char text[512];
    for (;;) {
        got = 0;
        while (got < sizeof rec) {
            ssize_t r = read(rfd, (char *)rec + got, sizeof rec - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        if (got == sizeof rec && rec[0] == -3) {
            int64_t ns = 0;
            size_t more = 0;
            while (more < sizeof ns) {
                ssize_t r = read(rfd, (char *)&ns + more, sizeof ns - more);
                if (r < 0 && errno == EINTR) continue;
                if (r <= 0) break;
                more += (size_t)r;
            }
            if (more == sizeof ns) trace_line("step", rec[1], ns);
            continue;
        }
        if (got == 0) trace_line("exec", -1, now_ns());
        if (got != sizeof rec || rec[0] != -2) break;
        /* the container is created and waits for "start" */
        if (handover) {
            snprintf(text, sizeof text, "created %d\n", (int)child_pid);
            write_status(text);
            close(rfd);
            return 0;
        }
    }
    close(rfd);
    if (master >= 0 && got == 0 && !handover) relay_terminal(master, ctl);
    if (master >= 0) close(master);
    if (ctl >= 0) close(ctl);
    if (handover && got == 0) {
        snprintf(text, sizeof text, "running %d\n", (int)child_pid);
        write_status(text);
        return 0;
    }
    int status = 0;
    while (waitpid(child_pid, &status, 0) < 0) {
        if (errno != EINTR) { status = 0; break; }
    }
    if (got == sizeof rec) {
        fail_status(rec[0], rec[1], "%s", err_text(rec[1]));
        if (rec[0] >= 0 && rec[0] < nsteps && strcmp(steps[rec[0]].op, "exec") == 0)
            return rec[1] == ENOENT ? 127 : rec[1] == EACCES ? 126 : 125;
        return 125;
    }
    (void)index;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 125;
    snprintf(text, sizeof text, "exit %d\n", code);
    write_status(text);
    return code;
}

/*
 * CVE-2019-5736: a process in the container must never be able to rewrite the executor through
 * /proc/PID/exe. The executor re-executes itself from a sealed memfd copy, so the file behind
 * /proc/PID/exe is an anonymous, write-sealed copy and the installed binary is never exposed.
 * Returns only on failure (-errno).
 */
static int reexec_sealed(char **argv) {
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0) return -errno;
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) { close(self); return 0; } /* already the sealed copy */
    struct stat st;
    if (fstat(self, &st) < 0) { int e = errno; close(self); return -e; }
    int mfd = memfd_create("cgroovy-executor", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) { int e = errno; close(self); return -e; }
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { int e = n < 0 ? errno : EIO; close(self); close(mfd); return -e; }
    }
    close(self);
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        int e = errno; close(mfd); return -e;
    }
    extern char **environ;
    fexecve(mfd, argv, environ);
    int e = errno;
    close(mfd);
    return -e;
}

/*
 * cgroovy-executor --probe-idmap DIR UIDMAP GIDMAP: exit 0 when DIR's filesystem can be shown through
 * an idmapped mount (mount_setattr MOUNT_ATTR_IDMAP), else 1 with the reason on stdout. Nothing stays
 * mounted: the idmapped mount is made detached and closed.
 */
static int probe_idmap(char **argv) {
    uid_map = argv[3];
    gid_map = argv[4];
    int u = userns_fd();
    int t = u < 0 ? -1 : (int)syscall(SYS_open_tree, AT_FDCWD, argv[2], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    int r = -1, e = u < 0 ? -u : errno;
    if (t >= 0) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)u};
        r = (int)syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof attr);
        e = errno;
        close(t);
    }
    if (r == 0) return 0;
    printf("%s\n", strerror(e));
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "--probe-idmap") == 0) return probe_idmap(argv);
    if (argc != 3) {
        static const char usage[] = "usage: cgroovy-executor PLAN STATUS\n";
        write_all(2, usage, sizeof usage - 1);
        return 125;
    }
    status_path = argv[2];
    int sealed = reexec_sealed(argv);
    if (sealed < 0) return fail_status(-1, -sealed, "cannot re-execute from a sealed memfd: %s", strerror(-sealed));
    /*
     * Die with the engine: Java passes its pid in CGROOVY_PARENT_PID and waits for us in the thread
     * that started us, so the parent-death signal fires only when the engine is gone; the container
     * then gets its own parent-death SIGKILL and its whole pid namespace goes with it.
     */
    const char *ho = getenv("CGROOVY_HANDOVER");
    handover = ho && strcmp(ho, "1") == 0;
    const char *cfd = getenv("CGROOVY_CONSOLE_FD");
    if (cfd && *cfd) inherited_console = (int)atol(cfd);
    const char *csock = getenv("CGROOVY_CONSOLE_SOCKET");
    if (csock && *csock && (inherited_console = console_connect(csock)) < 0) {
        int e = errno;
        return fail_status(-1, e, "cannot connect to the console socket %s: %s", csock, strerror(e));
    }
    const char *csize = getenv("CGROOVY_CONSOLE_SIZE");
    if (csize && sscanf(csize, "%d %d", &console_rows, &console_cols) != 2) console_rows = console_cols = 0;
    const char *parent = getenv("CGROOVY_PARENT_PID");
    if (parent) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != (pid_t)atol(parent)) {
            return fail_status(-1, -3, "the engine that started the executor is gone");
        }
    }
    /* a JVM starts us with some signals blocked (SIGQUIT is its thread-dump signal): unblock all */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    size_t len;
    char *buf = read_file(argv[1], &len);
    if (!buf) {
        int e = errno;
        return fail_status(-1, e, "%s", strerror(e));
    }
    if (parse_plan(buf, len) < 0) {
        return fail_status(-1, E_PLAN, "%s", err_text(E_PLAN));
    }
    slot_fds = malloc(sizeof(int) * (size_t)(nsteps + 1));
    if (!slot_fds) {
        return fail_status(-1, ENOMEM, "out of memory");
    }
    for (int k = 0; k <= nsteps; k++) slot_fds[k] = -1;
    const char *trace = getenv("CGROOVY_TRACE");
    if (trace && trace[0]) {
        tracefd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        trace_line("start", -1, now_ns());
    }
    for (int i = 0; i < nsteps; i++) {
        if (strcmp(steps[i].op, "clone") != 0) {
            int r = run_step(&steps[i]);
            if (r < 0) {
                int e = r > -1000 ? -r : r;
                return fail_status(i, e, "%s", err_text(e));
            }
            trace_line("step", i, now_ns());
            continue;
        }
        if (steps[i].nargs != 1 && steps[i].nargs != 2) return fail_status(i, E_BADSTEP, "%s", err_text(E_BADSTEP));
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            int e = errno;
            return fail_status(i, e, "%s", strerror(e));
        }
        /* a terminal step: its master comes back over a socket pair (or goes to the monitor's fd) */
        int pair[2] = {-1, -1}, ctl = -1;
        const char *ctl_path = NULL;
        for (int k = i + 1; k < nsteps; k++) {
            if (strcmp(steps[k].op, "terminal") != 0 || steps[k].nargs != 3) continue;
            if (inherited_console >= 0) break;
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                int e = errno;
                return fail_status(k, e, "%s", strerror(e));
            }
            ctl_path = steps[k].args[2];
            ctl = control_listen(ctl_path);
            break;
        }
        /* a user namespace: the child waits until the parent has written its maps and joined its cgroups */
        int userns = (unum(steps[i].args[0]) & CLONE_NEWUSER) != 0;
        int sync[2] = {-1, -1};
        if (userns && (!uid_map || pipe2(sync, O_CLOEXEC) < 0)) {
            int e = uid_map ? errno : EINVAL;
            return fail_status(i, e, "%s", strerror(e));
        }
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++) sigaddset(&block, forwarded[k]);
        sigprocmask(SIG_BLOCK, &block, &old);
        unsigned long flags = (unsigned long)unum(steps[i].args[0]);
        const char *into = steps[i].nargs == 2 ? steps[i].args[1] : NULL;
        int joined = 0;
        long pid = -1;
        if (into) {
            /* cgroup v2: born in the container's cgroup (no migration afterwards) */
            int cgfd = open(into, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (cgfd >= 0) {
                struct {
                    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
                } ca;
                memset(&ca, 0, sizeof ca);
                ca.flags = flags | 0x200000000ULL; /* CLONE_INTO_CGROUP */
                ca.exit_signal = SIGCHLD;
                ca.cgroup = (uint64_t)cgfd;
                pid = syscall(SYS_clone3, &ca, sizeof ca);
                int e = errno;
                close(cgfd);
                if (pid >= 0) joined = 1;
                else if (e == ENOSYS || e == E2BIG || e == EINVAL) pid = -2; /* no clone3 into a cgroup: clone, then join */
                else errno = e;
            }
        }
        if (!into || pid == -2) pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
        if (pid < 0) {
            int e = errno;
            sigprocmask(SIG_SETMASK, &old, NULL);
            return fail_status(i, e, "%s", strerror(e));
        }
        if (pid == 0) {
            close(p[0]);
            errfd = p[1];
            if (ctl >= 0) close(ctl);
            if (pair[0] >= 0) close(pair[0]);
            console_fd = pair[1] >= 0 ? pair[1] : inherited_console;
            console_ack = pair[1] >= 0;
            int r = do_clone_child_setup();
            if (r < 0) child_fail(i, -r);
            if (userns) {
                char go = 0;
                close(sync[1]);
                while (read(sync[0], &go, 1) < 0 && errno == EINTR) {}
                close(sync[0]);
                if (go != 1) _exit(125); /* the parent failed and reports it */
                /* root of the new namespace: the mapped uid on the host, with all capabilities in it */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) child_fail(i, errno);
                /* a credential change clears the parent-death signal */
                if (!handover && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) child_fail(i, errno);
            }
            if (into && !joined && !userns && (r = join_cgroup(into)) < 0) child_fail(i, -r);
            trace_child(i);
            run_child(i + 1);
        }
        close(p[1]);
        if (csock && *csock) close(inherited_console); /* the child holds the console socket */
        child_pid = (pid_t)pid;
        if (userns) {
            close(sync[0]);
            int r = write_maps(pid);
            for (int k = 0; r == 0 && k < nchild_cgroups; k++) r = join_cgroup_pid(child_cgroups[k], pid);
            if (r == 0 && into && !joined) r = join_cgroup_pid(into, pid);
            if (r < 0) {
                kill((pid_t)pid, SIGKILL);
                while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {}
                sigprocmask(SIG_SETMASK, &old, NULL);
                return fail_status(i, -r, "%s", strerror(-r));
            }
            char go = 1;
            write_all(sync[1], &go, 1);
            close(sync[1]);
        }
        int master = -1;
        if (pair[0] >= 0) {
            close(pair[1]);
            master = recv_fd(pair[0], 0); /* -1 when the child failed before its terminal step */
            if (master >= 0) {
                if (ctl_path && ctl_path[0]) latest_size(ctl_path, master);
                write_all(pair[0], "", 1);
            }
            close(pair[0]);
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = forward;
        sa.sa_flags = SA_RESTART | SA_SIGINFO;
        for (size_t k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++) sigaction(forwarded[k], &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int code = parent_wait(i, p[0], master, ctl);
        if (ctl_path && ctl >= 0) unlink(ctl_path);
        if (ctl_path && ctl_path[0]) {
            char size_path[PATH_MAX];
            if (snprintf(size_path, sizeof size_path, "%s.size", ctl_path) < (int)sizeof size_path) unlink(size_path);
        }
        return code;
    }
    return fail_status(nsteps - 1, E_BADSTEP, "%s", err_text(E_BADSTEP));
}
