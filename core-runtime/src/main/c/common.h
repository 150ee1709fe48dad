/*
 * What the executor and the monitor share (compiled into both; only libc, no heap).
 */
#ifndef CGROOVY_COMMON_H
#define CGROOVY_COMMON_H

#include <stdarg.h>
#include <stddef.h>

/* Writes all of buf, again after EINTR; 0, or -1 with errno set. */
int write_all(int fd, const char *buf, size_t len);

/*
 * The one form a failure is reported in, "error INDEX ERRNO TEXT" (no newline), which the engine
 * parses from a status file or state.json: INDEX the plan step (-1: none), TEXT from fmt.
 */
void error_record(char *out, size_t size, int index, int err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void verror_record(char *out, size_t size, int index, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* A file descriptor sent over a unix socket (SCM_RIGHTS), received close-on-exec; -1 when none came. */
int recv_fd(int sock, int flags);

#endif
