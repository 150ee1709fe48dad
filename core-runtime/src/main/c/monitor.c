/*
 * cgroovy-monitor: watches one detached container (the role conmon plays for Podman).
 *
 *   cgroovy-monitor -d DIR -e EXECUTOR -l LOG -s SOCKET [-r POLICY] [-m MAX] [-i] [-t]
 *                   [-o OOMFILE] [-c CGROUPDIR]... [-w]
 *                   [-H HEALTHDIR -I INTERVAL_MS -T TIMEOUT_MS -P START_PERIOD_MS -R RETRIES] [-x TRACEFILE]
 * -x (trace { } in the DSL): the first launch's executor writes its step times to TRACEFILE
 *    (CGROOVY_TRACE); restarts are not traced.
 *
 * -H: Docker's HEALTHCHECK, run by the monitor because it is the only process that stays with a
 * detached container (the JVM may be gone). HEALTHDIR/plan is an exec plan the engine compiled once
 * (PlanCompiler.compileExec) whose namespace paths go through the symlink HEALTHDIR/ns, which the
 * monitor points at /proc/PID/ns of each (re)started container. Every INTERVAL it runs the executor
 * on that plan (stdout+stderr captured, 4 KiB kept as Docker does), kills it after TIMEOUT, and writes
 * DIR/health.json ({"Status","FailingStreak","Log":[last 5 {"Start","End","ExitCode","Output"}]},
 * Docker's State.Health): "starting" until the first success, "healthy" after one, "unhealthy" after
 * RETRIES failures in a row; failures within START_PERIOD of a start do not count.
 *
 * -w (docker run -it without -d): report success as soon as the socket listens and start the
 * container only once a client has attached (or after 60 s), so no output is missed; a failed
 * start is then only in state.json.
 * The process Java starts forks the monitor proper and exits once the container has started
 * (status 0) or failed to (125, the reason in DIR/status), so the caller learns the outcome
 * synchronously. The monitor proper lives in its own session (setsid), is a child subreaper, and
 * runs the launch plan DIR/plan with the executor in "handover" mode: the executor exits as soon
 * as the container's execve succeeded and the container is re-parented to the monitor, so per
 * container only this small static process stays resident (no executor, no JVM).
 *
 * It holds the container's stdout/stderr pipes (and a stdin pipe with -i, or the PTY master with
 * -t), writes every line to LOG as Docker json-file records ({"log","stream","time"}), records the
 * exit status and the OOM kills (from OOMFILE, memory.oom_control or memory.events), restarts the
 * container as the restart policy says, and writes DIR/state.json atomically (temp file + rename)
 * at each change. It keeps a POSIX write lock on DIR/monitor.lock for its whole life: the engine
 * knows the monitor is gone when it can take that lock (no pid reuse question).
 *
 * SOCKET (unix stream) takes one command line per connection:
 *   attach          "ok", then the container's output (non-TTY: Docker's 8-byte frame headers
 *                   [stream,0,0,0,size32be]; TTY: raw) and the client's bytes go to stdin/the PTY
 *   attach stdin-once  as attach; when the client ends its sending side (shutdown SHUT_WR) the
 *                   container's stdin is closed (docker run -i's StdinOnce: cat sees EOF) and
 *                   the output goes on to the client
 *   kill SIG        signal the container          -> "ok" | "error ..."
 *   stop SIG        as kill, and do not restart it -> "ok"
 *   resize ROWS COLS  window size of the PTY (before -w's launch: its size at start) -> "ok"
 * A later exec can be served on the same socket.
 *
 * When the container is not restarted any more the monitor removes the -c cgroup directories
 * and the socket, and exits. Only libc, no heap: every buffer is static.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define MAX_CGROUPS 16
#define MAX_CLIENTS 16
#define LINE_MAX_BYTES 16384 /* Docker splits log records at 16 KiB too */

static const char *dir, *executor, *log_path, *sock_path, *oom_file, *trace_path;
static const char *cgroups[MAX_CGROUPS];
static int ncgroups;
static int policy; /* 0 no, 1 on-failure, 2 always, 3 unless-stopped */
static long max_retries;
static int opt_stdin, opt_tty, opt_wait_attach;
/* the PTY's size at launch: 24x80, or what a resize asked for before it (docker run -it passes the caller's) */
static struct winsize start_size = {.ws_row = 24, .ws_col = 80};

static int log_fd = -1, listen_fd = -1, sig_fd = -1;
static int out_fd = -1, err_fd = -1, in_fd = -1; /* our ends; with a TTY out_fd == in_fd == master */
static pid_t container = -1;
static int stop_requested;
static long restarts;
static int exit_code = -1, oom_killed;
static char started_at[40], finished_at[40], error_text[512];

struct client {
    int fd;
    int attached;
    int stdin_once; /* its EOF closes the container's stdin */
    int in_done;    /* its sending side has ended: not polled for input any more */
    size_t len;
    char cmd[96];
};
static struct client clients[MAX_CLIENTS];

struct partial {
    size_t len;
    char buf[LINE_MAX_BYTES];
};
static struct partial part_out, part_err;
static char json[LINE_MAX_BYTES * 6 + 256];

/* health checks (-H) */
#define HC_OUTPUT_MAX 4096 /* Docker keeps 4 KiB of a check's output */
#define HC_LOG_MAX 5       /* and the last 5 results */
static const char *health_dir;
static long hc_interval = 30000, hc_timeout = 30000, hc_start_period, hc_retries = 3;
static pid_t hc_pid = -1;
static int hc_out = -1, hc_timed_out, hc_failing;
static long long hc_next, hc_deadline, hc_container_start;
static const char *hc_status = "starting";
static char hc_start[40];
struct hc_result {
    char start[40], end[40];
    int code;
    size_t len;
    char output[HC_OUTPUT_MAX];
};
static struct hc_result hc_log[HC_LOG_MAX], hc_current;
static int hc_log_n;
static char hc_json[HC_LOG_MAX * (HC_OUTPUT_MAX * 6 + 200) + 256];
static char io_buf[32768];

/* ---------- small helpers ---------- */

static void now_rfc3339(char *out, size_t size) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static void path_in_dir(char *out, size_t size, const char *name) { snprintf(out, size, "%s/%s", dir, name); }

static void json_string(char **p, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char *o = *p;
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c == '\r') { *o++ = '\\'; *o++ = 'r'; }
        else if (c == '\t') { *o++ = '\\'; *o++ = 't'; }
        else if (c < 0x20 || c == 0x7f) {
            memcpy(o, "\\u00", 4);
            o += 4;
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else *o++ = (char)c;
    }
    *o++ = '"';
    *p = o;
}

/* state.json: written to a temp file and renamed, so a reader sees the old or the new record. */
static void write_state(const char *status) {
    char tmp[4096], final[4096];
    path_in_dir(tmp, sizeof tmp, ".state.json.tmp");
    path_in_dir(final, sizeof final, "state.json");
    char *p = json;
    p += sprintf(p, "{\"status\":\"%s\",\"pid\":%d,\"monitorPid\":%d,\"exitCode\":%d,\"oomKilled\":%s,"
                    "\"restartCount\":%ld,\"startedAt\":\"%s\",\"finishedAt\":\"%s\",\"error\":",
                 status, container > 0 ? (int)container : 0, (int)getpid(), exit_code < 0 ? 0 : exit_code,
                 oom_killed ? "true" : "false", restarts, started_at, finished_at);
    json_string(&p, error_text, strlen(error_text));
    p += sprintf(p, "}\n");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    int ok = write_all(fd, json, (size_t)(p - json)) == 0 && fsync(fd) == 0;
    close(fd);
    if (ok) rename(tmp, final);
    else unlink(tmp);
}

/* ---------- log and attach output ---------- */

static void log_record(const char *stream, const char *s, size_t len) {
    char *p = json;
    p += sprintf(p, "{\"log\":");
    json_string(&p, s, len);
    char t[40];
    now_rfc3339(t, sizeof t);
    p += sprintf(p, ",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, t);
    if (log_fd >= 0) write_all(log_fd, json, (size_t)(p - json));
}

/* Splits output into lines; a line longer than LINE_MAX_BYTES becomes several records. */
static void log_output(struct partial *pt, const char *stream, const char *s, size_t len) {
    while (len > 0) {
        const char *nl = memchr(s, '\n', len);
        size_t take = nl ? (size_t)(nl - s) + 1 : len;
        if (pt->len + take > sizeof pt->buf) take = sizeof pt->buf - pt->len;
        memcpy(pt->buf + pt->len, s, take);
        pt->len += take;
        s += take;
        len -= take;
        if (pt->buf[pt->len - 1] == '\n' || pt->len == sizeof pt->buf) {
            log_record(stream, pt->buf, pt->len);
            pt->len = 0;
        }
    }
}

static void flush_partial(struct partial *pt, const char *stream) {
    if (pt->len > 0) log_record(stream, pt->buf, pt->len);
    pt->len = 0;
}

static void drop_client(struct client *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->attached = 0;
    c->stdin_once = c->in_done = 0;
    c->len = 0;
}

/* The fd poll watches for a client's input: none once its sending side has ended. */
static int input_fd(const struct client *c) { return c->in_done ? -1 : c->fd; }

/* Attached clients get what the container writes; a client that cannot keep up loses output. */
static void to_clients(int stream, const char *s, size_t len) {
    unsigned char hdr[8] = {(unsigned char)stream, 0, 0, 0, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &clients[i];
        if (c->fd < 0 || !c->attached) continue;
        int bad = 0;
        if (!opt_tty) bad = send(c->fd, hdr, sizeof hdr, MSG_NOSIGNAL) != (ssize_t)sizeof hdr;
        if (!bad) bad = send(c->fd, s, len, MSG_NOSIGNAL) != (ssize_t)len;
        if (bad && errno != EAGAIN) drop_client(c);
    }
}

/* Reads what is there; returns 0 on EOF or error (the caller closes the fd). */
static int pump_output(int fd, int stream) {
    ssize_t n = read(fd, io_buf, sizeof io_buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0;
    if (stream == 2) log_output(&part_err, "stderr", io_buf, (size_t)n);
    else log_output(&part_out, "stdout", io_buf, (size_t)n);
    to_clients(stream, io_buf, (size_t)n);
    return 1;
}

/* ---------- commands on the socket ---------- */

static void reply(struct client *c, const char *text) {
    send(c->fd, text, strlen(text), MSG_NOSIGNAL);
}

static void command(struct client *c) {
    char *cmd = c->cmd;
    int a = 0, b = 0;
    if (strcmp(cmd, "attach") == 0 || strcmp(cmd, "attach stdin-once") == 0) {
        reply(c, "ok\n");
        c->attached = 1;
        c->stdin_once = cmd[6] != 0;
        return;
    }
    if (sscanf(cmd, "kill %d", &a) == 1 || sscanf(cmd, "stop %d", &a) == 1) {
        if (cmd[0] == 's') stop_requested = 1;
        if (container <= 0) reply(c, cmd[0] == 's' ? "ok\n" : "error the container is not running\n");
        else if (kill(container, a) < 0) {
            char t[128];
            snprintf(t, sizeof t, "error %s\n", strerror(errno));
            reply(c, t);
        } else reply(c, "ok\n");
    } else if (sscanf(cmd, "resize %d %d", &a, &b) == 2) {
        struct winsize ws = {.ws_row = (unsigned short)a, .ws_col = (unsigned short)b};
        if (opt_tty && out_fd < 0 && a > 0 && b > 0) {
            start_size = ws; /* -w: not launched yet; the PTY is made with this size */
            reply(c, "ok\n");
        } else if (!opt_tty || out_fd < 0 || ioctl(out_fd, TIOCSWINSZ, &ws) < 0) {
            reply(c, "error no terminal\n");
        } else {
            start_size = ws; /* a restart keeps the window's size */
            reply(c, "ok\n");
        }
    } else {
        reply(c, "error unknown command\n");
    }
    drop_client(c);
}

static void client_input(struct client *c) {
    if (c->attached) {
        ssize_t n = read(c->fd, io_buf, sizeof io_buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n == 0 && c->stdin_once) {
            /* a PTY has no separate stdin to close: its master also carries the output */
            if (in_fd >= 0 && in_fd != out_fd) { close(in_fd); in_fd = -1; }
            c->in_done = 1;
            return;
        }
        if (n <= 0) { drop_client(c); return; }
        if (in_fd >= 0) write_all(in_fd, io_buf, (size_t)n);
        return;
    }
    ssize_t n = read(c->fd, c->cmd + c->len, sizeof c->cmd - 1 - c->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) { drop_client(c); return; }
    c->len += (size_t)n;
    c->cmd[c->len] = 0;
    char *nl = strchr(c->cmd, '\n');
    if (nl) {
        *nl = 0;
        command(c);
    } else if (c->len == sizeof c->cmd - 1) {
        drop_client(c);
    }
}

static void accept_client(void) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) {
            clients[i].fd = fd;
            clients[i].attached = 0;
            clients[i].stdin_once = clients[i].in_done = 0;
            clients[i].len = 0;
            return;
        }
    }
    close(fd);
}

/* ---------- running the container ---------- */

static long read_oom_kills(void) {
    if (!oom_file) return 0;
    int fd = open(oom_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char *k = strstr(buf, "oom_kill ");
    return k ? atol(k + 9) : 0;
}

static void close_io(void) {
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    if (in_fd >= 0 && in_fd != out_fd) close(in_fd);
    out_fd = err_fd = in_fd = -1;
}

/* ---------- health checks ---------- */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_health(void) {
    char tmp[4096], final[4096];
    path_in_dir(tmp, sizeof tmp, ".health.json.tmp");
    path_in_dir(final, sizeof final, "health.json");
    char *p = hc_json;
    p += sprintf(p, "{\"Status\":\"%s\",\"FailingStreak\":%d,\"Log\":[", hc_status, hc_failing);
    for (int i = 0; i < hc_log_n; i++) {
        struct hc_result *r = &hc_log[i];
        p += sprintf(p, "%s{\"Start\":\"%s\",\"End\":\"%s\",\"ExitCode\":%d,\"Output\":", i ? "," : "", r->start, r->end, r->code);
        json_string(&p, r->output, r->len);
        *p++ = '}';
    }
    p += sprintf(p, "]}\n");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    int ok = write_all(fd, hc_json, (size_t)(p - hc_json)) == 0;
    close(fd);
    if (ok) rename(tmp, final);
    else unlink(tmp);
}

/* A (re)started container: its namespaces for the check plan, status starting, first check after one interval. */
static void health_started(pid_t pid) {
    if (!health_dir) return;
    char link[4096], target[64];
    snprintf(link, sizeof link, "%s/ns", health_dir);
    snprintf(target, sizeof target, "/proc/%d/ns", (int)pid);
    unlink(link);
    if (symlink(target, link) < 0) { /* the checks then fail and say so in their output */ }
    hc_status = "starting";
    hc_failing = 0;
    hc_container_start = now_ms();
    hc_next = hc_container_start + hc_interval;
    write_health();
}

static void health_run(void) {
    int o[2];
    if (pipe2(o, O_CLOEXEC) < 0) { hc_next = now_ms() + hc_interval; return; }
    char plan[4096], status[4096], parent[32];
    snprintf(plan, sizeof plan, "%s/plan", health_dir);
    snprintf(status, sizeof status, "%s/status", health_dir);
    snprintf(parent, sizeof parent, "CGROOVY_PARENT_PID=%d", (int)getpid());
    now_rfc3339(hc_start, sizeof hc_start);
    hc_current.len = 0;
    hc_timed_out = 0;
    pid_t e = fork();
    if (e < 0) { close(o[0]); close(o[1]); hc_next = now_ms() + hc_interval; return; }
    if (e == 0) {
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(o[1], 1);
        dup2(o[1], 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        char *argv[] = {"cgroovy-executor", plan, status, NULL};
        char *envp[] = {parent, NULL}; /* not handover: the check dies with its executor (parent-death signal) */
        execve(executor, argv, envp);
        _exit(127);
    }
    close(o[1]);
    hc_out = o[0];
    fcntl(hc_out, F_SETFL, O_NONBLOCK);
    hc_pid = e;
    hc_deadline = now_ms() + hc_timeout;
}

/* Reads the check's output (what does not fit is read and dropped); 0 on EOF. */
static int health_pump(void) {
    char buf[4096];
    ssize_t n = read(hc_out, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0;
    size_t take = (size_t)n;
    if (take > HC_OUTPUT_MAX - hc_current.len) take = HC_OUTPUT_MAX - hc_current.len;
    memcpy(hc_current.output + hc_current.len, buf, take);
    hc_current.len += take;
    return 1;
}

/* The check's executor was reaped with wait status st: record the result. */
static void health_done(int st) {
    if (hc_out >= 0) {
        while (health_pump()) {}
        close(hc_out);
        hc_out = -1;
    }
    hc_pid = -1;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (hc_timed_out) {
        code = -1;
        hc_current.len = (size_t)snprintf(hc_current.output, HC_OUTPUT_MAX, "Health check exceeded timeout (%ldms)", hc_timeout);
    }
    snprintf(hc_current.start, sizeof hc_current.start, "%s", hc_start);
    now_rfc3339(hc_current.end, sizeof hc_current.end);
    hc_current.code = code;
    if (hc_log_n == HC_LOG_MAX) {
        memmove(&hc_log[0], &hc_log[1], sizeof hc_log[0] * (HC_LOG_MAX - 1));
        hc_log_n--;
    }
    hc_log[hc_log_n++] = hc_current;
    long long now = now_ms();
    if (code == 0) {
        hc_status = "healthy";
        hc_failing = 0;
    } else if (now - hc_container_start >= hc_start_period || strcmp(hc_status, "healthy") == 0) {
        /* Docker: failures during the start period count only once the container was healthy */
        if (++hc_failing >= hc_retries) hc_status = "unhealthy";
    }
    write_health();
    hc_next = now + hc_interval;
}

/* The container ended: a running check goes with it. */
static void health_stop(void) {
    if (hc_pid <= 0) return;
    kill(hc_pid, SIGKILL);
    int st;
    while (waitpid(hc_pid, &st, 0) < 0 && errno == EINTR) {}
    if (hc_out >= 0) close(hc_out);
    hc_out = -1;
    hc_pid = -1;
}

/*
 * Whether the container is paused (docker pause): its cgroup's freezer asked to freeze (v2 cgroup.freeze
 * "1", v1 freezer.state FROZEN or FREEZING). Its checks wait meanwhile, so a pause never makes it unhealthy.
 */
static int container_frozen(void) {
    for (int i = 0; i < ncgroups; i++) {
        char path[4096], buf[16];
        snprintf(path, sizeof path, "%s/cgroup.freeze", cgroups[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(path, sizeof path, "%s/freezer.state", cgroups[i]);
            fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        if (buf[0] == '1' || strncmp(buf, "FROZEN", 6) == 0 || strncmp(buf, "FREEZING", 8) == 0) return 1;
    }
    return 0;
}

/* Poll timeout until the next health event (-1: none). Starts a due check, kills an overdue one; none while paused. */
static int health_tick(void) {
    if (!health_dir || container <= 0) return -1;
    long long now = now_ms();
    int wait_paused = hc_interval < 1000 ? (int)hc_interval : 1000;
    if (hc_pid > 0) {
        if (now >= hc_deadline && !hc_timed_out && container_frozen()) {
            /* paused while the check ran: it is frozen too; it gets its whole timeout again once thawed */
            hc_deadline = now + hc_timeout;
            return wait_paused;
        }
        if (now >= hc_deadline && !hc_timed_out) {
            hc_timed_out = 1;
            kill(hc_pid, SIGKILL);
        }
        return hc_timed_out ? 1000 : (int)(hc_deadline - now);
    }
    if (now >= hc_next && container_frozen()) {
        hc_next = now + wait_paused;   /* look again soon: the first check after unpause comes at once */
        return wait_paused;
    }
    if (now >= hc_next) {
        health_run();
        return hc_pid > 0 ? (int)hc_timeout : (int)hc_interval;
    }
    return (int)(hc_next - now);
}

/*
 * Runs the executor in handover mode with the container's stdio; returns the container's pid, or
 * -1 with error_text set and *code the executor's status (125, 126, 127).
 */
static pid_t launch(int *code) {
    int child_in = -1, child_out = -1, child_err = -1;
    int console[2] = {-1, -1};
    if (opt_tty) {
        /*
         * The plan's "terminal" step opens the PTY in the container's own devpts (so `tty` there names
         * it) and sends the master back over this socket pair; until then the executor has /dev/null.
         */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) goto fail_errno;
        child_in = child_out = child_err = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (child_in < 0) { close(console[0]); close(console[1]); goto fail_errno; }
    } else {
        int o[2], e[2], i[2] = {-1, -1};
        if (pipe2(o, O_CLOEXEC) < 0) goto fail_errno;
        if (pipe2(e, O_CLOEXEC) < 0) { close(o[0]); close(o[1]); goto fail_errno; }
        if (opt_stdin && pipe2(i, O_CLOEXEC) < 0) { close(o[0]); close(o[1]); close(e[0]); close(e[1]); goto fail_errno; }
        out_fd = o[0];
        err_fd = e[0];
        child_out = o[1];
        child_err = e[1];
        if (opt_stdin) {
            in_fd = i[1];
            child_in = i[0];
        } else {
            child_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
    }
    if (out_fd >= 0) fcntl(out_fd, F_SETFL, O_NONBLOCK);
    if (err_fd >= 0) fcntl(err_fd, F_SETFL, O_NONBLOCK);
    char plan[4096], status[4096], parent[32];
    path_in_dir(plan, sizeof plan, "plan");
    path_in_dir(status, sizeof status, "status");
    unlink(status);
    snprintf(parent, sizeof parent, "CGROOVY_PARENT_PID=%d", (int)getpid());
    pid_t e = fork();
    if (e < 0) goto fail_errno_close;
    if (e == 0) {
        /* the executor: stdio of the container, default signals, nothing else open */
        dup2(child_in, 0);
        dup2(child_out, 1);
        dup2(child_err, 2);
        if (console[1] >= 0) {
            /* fd 3 without close-on-exec: the executor finds it in CGROOVY_CONSOLE_FD */
            if (console[1] == 3) fcntl(3, F_SETFD, 0);
            else if (dup2(console[1], 3) < 0) _exit(125);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        char *argv[] = {"cgroovy-executor", plan, status, NULL};
        char size[64];
        snprintf(size, sizeof size, "CGROOVY_CONSOLE_SIZE=%d %d", start_size.ws_row, start_size.ws_col);
        /* the terminal step makes the PTY with the size the caller asked for before the launch */
        char trace[4200];
        char *envp[6];
        int n = 0;
        envp[n++] = parent;
        envp[n++] = "CGROOVY_HANDOVER=1";
        if (console[1] >= 0) {
            envp[n++] = "CGROOVY_CONSOLE_FD=3";
            envp[n++] = size;
        }
        if (trace_path) {
            snprintf(trace, sizeof trace, "CGROOVY_TRACE=%s", trace_path);
            envp[n++] = trace;
        }
        envp[n] = NULL;
        execve(executor, argv, envp);
        _exit(127);
    }
    trace_path = NULL; /* only the first launch is traced */
    if (child_in >= 0 && child_in != child_out) close(child_in);
    close(child_out);
    if (child_err != child_out) close(child_err);
    if (console[1] >= 0) close(console[1]);
    int st = 0;
    while (waitpid(e, &st, 0) < 0 && errno == EINTR) {}
    if (console[0] >= 0) {
        /* sent before the executor's parent reported: queued now, or EOF when the start failed */
        int m = recv_fd(console[0], MSG_DONTWAIT); /* the master the "terminal" step sent */
        close(console[0]);
        if (m >= 0) {
            fcntl(m, F_SETFL, O_NONBLOCK);
            out_fd = in_fd = m;
        }
    }
    char text[512];
    int fd = open(status, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0) close(fd);
    text[n > 0 ? n : 0] = 0;
    long pid = 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && sscanf(text, "running %ld", &pid) == 1 && pid > 0) return (pid_t)pid;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 125;
    if (*code == 0) *code = 125;
    char *nl = strchr(text, '\n');
    if (nl) *nl = 0;
    snprintf(error_text, sizeof error_text, "%s", text[0] ? text : "the executor ended without a status");
    close_io();
    return -1;
fail_errno_close:
    if (console[0] >= 0) close(console[0]);
    if (console[1] >= 0) close(console[1]);
    if (child_in >= 0 && child_in != child_out) close(child_in);
    if (child_out >= 0) close(child_out);
    if (child_err >= 0 && child_err != child_out) close(child_err);
    close_io();
fail_errno:
    error_record(error_text, sizeof error_text, -1, errno, "monitor: %s", strerror(errno));
    *code = 125;
    return -1;
}

/* Serves output, clients and signals until the container has been reaped. */
static void watch(void) {
    struct pollfd pf[5 + MAX_CLIENTS];
    for (;;) {
        int timeout = health_tick();
        int n = 0;
        pf[n++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        pf[n++] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
        pf[n++] = (struct pollfd){.fd = out_fd, .events = POLLIN};
        pf[n++] = (struct pollfd){.fd = err_fd, .events = POLLIN};
        for (int i = 0; i < MAX_CLIENTS; i++) pf[n++] = (struct pollfd){.fd = input_fd(&clients[i]), .events = POLLIN};
        pf[n++] = (struct pollfd){.fd = hc_out, .events = POLLIN};
        if (poll(pf, (nfds_t)n, timeout) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (pf[4 + MAX_CLIENTS].revents && hc_out >= 0 && !health_pump()) { close(hc_out); hc_out = -1; }
        if (pf[2].revents && out_fd >= 0 && !pump_output(out_fd, 1)) {
            if (in_fd == out_fd) in_fd = -1;
            close(out_fd);
            out_fd = -1;
        }
        if (pf[3].revents && err_fd >= 0 && !pump_output(err_fd, 2)) { close(err_fd); err_fd = -1; }
        if (pf[1].revents) accept_client();
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (pf[4 + i].revents && clients[i].fd >= 0) client_input(&clients[i]);
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo != SIGCHLD) {
                    /* SIGTERM/SIGINT/SIGHUP to the monitor: stop the container, do not restart it */
                    stop_requested = 1;
                    if (container > 0) kill(container, SIGTERM);
                }
            }
            int st;
            pid_t p;
            while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
                if (p == hc_pid) { health_done(st); continue; }
                if (p != container) continue; /* a stray child adopted as subreaper */
                exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 125;
                container = -1;
            }
            if (container < 0) {
                health_stop();
                /* the whole pid namespace is gone: read what is left in the pipes, then stop */
                while (out_fd >= 0 && pump_output(out_fd, 1)) {}
                while (err_fd >= 0 && pump_output(err_fd, 2)) {}
                flush_partial(&part_out, "stdout");
                flush_partial(&part_err, "stderr");
                close_io();
                return;
            }
        }
    }
}

/* Waits up to ms while serving the socket (a stop during a restart back-off is seen at once). */
static void pause_serving(long ms) {
    struct timespec end, now;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += ms / 1000;
    end.tv_nsec += (ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) { end.tv_sec++; end.tv_nsec -= 1000000000L; }
    while (!stop_requested) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
        if (left <= 0) return;
        struct pollfd pf[2 + MAX_CLIENTS];
        pf[0] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        pf[1] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
        /* an attached client's input waits in its socket until the container (and its stdin) exists */
        for (int i = 0; i < MAX_CLIENTS; i++)
            pf[2 + i] = (struct pollfd){.fd = clients[i].attached ? -1 : input_fd(&clients[i]), .events = POLLIN};
        if (poll(pf, 2 + MAX_CLIENTS, (int)left) <= 0) continue;
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
                if (si.ssi_signo != SIGCHLD) stop_requested = 1;
            while (waitpid(-1, NULL, WNOHANG) > 0) {}
        }
        if (pf[1].revents) accept_client();
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (pf[2 + i].revents && clients[i].fd >= 0) client_input(&clients[i]);
    }
}

static int should_restart(void) {
    if (stop_requested) return 0;
    switch (policy) {
    case 1: return exit_code != 0 && (max_retries <= 0 || restarts < max_retries);
    case 2:
    case 3: return 1;
    default: return 0;
    }
}

static void remove_cgroups(void) {
    for (int i = 0; i < ncgroups; i++) {
        for (int t = 0; t < 200 && rmdir(cgroups[i]) < 0 && errno == EBUSY; t++) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

static int usage(void) {
    static const char u[] = "usage: cgroovy-monitor -d DIR -e EXECUTOR -l LOG -s SOCKET [-r no|on-failure|always|unless-stopped]"
                            " [-m MAX] [-i] [-t] [-o OOMFILE] [-c CGROUPDIR]... [-H HEALTHDIR -I MS -T MS -P MS -R N]\n";
    write_all(2, u, sizeof u - 1);
    return 125;
}

int main(int argc, char **argv) {
    int opt;
    while ((opt = getopt(argc, argv, "d:e:l:s:r:m:ito:c:wH:I:T:P:R:x:")) != -1) {
        switch (opt) {
        case 'd': dir = optarg; break;
        case 'e': executor = optarg; break;
        case 'l': log_path = optarg; break;
        case 's': sock_path = optarg; break;
        case 'r':
            if (strcmp(optarg, "no") == 0) policy = 0;
            else if (strcmp(optarg, "on-failure") == 0) policy = 1;
            else if (strcmp(optarg, "always") == 0) policy = 2;
            else if (strcmp(optarg, "unless-stopped") == 0) policy = 3;
            else return usage();
            break;
        case 'm': max_retries = atol(optarg); break;
        case 'i': opt_stdin = 1; break;
        case 't': opt_tty = 1; break;
        case 'w': opt_wait_attach = 1; break;
        case 'o': oom_file = optarg; break;
        case 'x': trace_path = optarg; break;
        case 'H': health_dir = optarg; break;
        case 'I': hc_interval = atol(optarg) > 0 ? atol(optarg) : 30000; break;
        case 'T': hc_timeout = atol(optarg) > 0 ? atol(optarg) : 30000; break;
        case 'P': hc_start_period = atol(optarg); break;
        case 'R': hc_retries = atol(optarg) > 0 ? atol(optarg) : 3; break;
        case 'c':
            if (ncgroups == MAX_CGROUPS) return usage();
            cgroups[ncgroups++] = optarg;
            break;
        default: return usage();
        }
    }
    if (!dir || !executor || !log_path || !sock_path || optind != argc) return usage();
    for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;

    /* the caller waits on `ready` for the first start's outcome; the monitor proper goes on alone */
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) return 125;
    pid_t m = fork();
    if (m < 0) return 125;
    if (m > 0) {
        close(ready[1]);
        char r = 1;
        ssize_t n;
        while ((n = read(ready[0], &r, 1)) < 0 && errno == EINTR) {}
        return n == 1 && r == 0 ? 0 : 125;
    }
    close(ready[0]);
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) close(null);
    }
    if (chdir("/") < 0) return 125;
    char fail = 1;

    /* alive while this lock is held; a second monitor for the same container gives up */
    char lockp[4096];
    path_in_dir(lockp, sizeof lockp, "monitor.lock");
    int lock_fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (lock_fd < 0 || fcntl(lock_fd, F_SETLK, &fl) < 0) { write_all(ready[1], &fail, 1); return 125; }

    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(sock_path) >= sizeof sa.sun_path) { write_all(ready[1], &fail, 1); return 125; }
    strcpy(sa.sun_path, sock_path);
    unlink(sock_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sig_fd < 0 || listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(listen_fd, 16) < 0) {
        write_all(ready[1], &fail, 1);
        return 125;
    }
    chmod(sock_path, 0600);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    long backoff = 100;
    int first = 1, ever = 0;
    if (opt_wait_attach) {
        char ok = 0;
        write_all(ready[1], &ok, 1);
        close(ready[1]);
        ready[1] = -1;
        first = 0;
        struct timespec end, now;
        clock_gettime(CLOCK_MONOTONIC, &end);
        for (;;) {
            int attached = 0;
            for (int i = 0; i < MAX_CLIENTS; i++) attached |= clients[i].fd >= 0 && clients[i].attached;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (attached || stop_requested || now.tv_sec - end.tv_sec >= 60) break;
            pause_serving(20);
        }
    }
    for (;;) {
        int code = 125;
        long oom_before = read_oom_kills();
        error_text[0] = 0;
        container = launch(&code);
        if (container > 0) {
            now_rfc3339(started_at, sizeof started_at);
            finished_at[0] = 0;
            exit_code = -1;
            oom_killed = 0;
            write_state("running");
            health_started(container);
            ever = 1;
            if (first) { char ok = 0; write_all(ready[1], &ok, 1); close(ready[1]); first = 0; }
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            watch();
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if (t1.tv_sec - t0.tv_sec >= 10) backoff = 100; /* ran a while: start the back-off anew, as Docker does */
            oom_killed = read_oom_kills() > oom_before;
        } else {
            exit_code = code;
            if (!ever) {
                /* the first start failed: the caller reports it and removes the container */
                now_rfc3339(finished_at, sizeof finished_at);
                write_state("exited");
                remove_cgroups();
                unlink(sock_path);
                if (ready[1] >= 0) write_all(ready[1], &fail, 1);
                return 125;
            }
        }
        now_rfc3339(finished_at, sizeof finished_at);
        if (!should_restart()) break;
        restarts++;
        write_state("restarting");
        pause_serving(backoff);
        if (backoff < 60000) backoff *= 2;
        if (stop_requested) break;
    }
    write_state("exited");
    remove_cgroups();
    unlink(sock_path);
    return 0;
}
