/* probe: makes one syscall and prints what the kernel answered, for SecuritySpec.
 *   probe keyctl | probe pidfd_getfd PID | probe ptrace PID | probe unshare-user */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(const char *what, long r) {
    if (r < 0) printf("%s: %s\n", what, strerrorname_np(errno));
    else printf("%s: ok\n", what);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "keyctl")) /* KEYCTL_GET_KEYRING_ID of the session keyring, creating it */
        return report("keyctl", syscall(SYS_keyctl, 0, -3, 1));
    if (!strcmp(argv[1], "unshare-user")) return report("unshare-user", unshare(CLONE_NEWUSER));
    if (argc < 3) return 2;
    long pid = atol(argv[2]);
    if (!strcmp(argv[1], "pidfd_getfd")) {
        long pfd = syscall(SYS_pidfd_open, pid, 0);
        if (pfd < 0) return report("pidfd_open", pfd);
        return report("pidfd_getfd", syscall(SYS_pidfd_getfd, pfd, 0, 0));
    }
    if (!strcmp(argv[1], "ptrace")) {
        long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
        report("ptrace", r);
        if (r == 0) { waitpid(pid, NULL, 0); ptrace(PTRACE_DETACH, pid, 0, 0); }
        return 0;
    }
    return 2;
}
