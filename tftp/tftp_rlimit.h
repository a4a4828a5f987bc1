/* tftp_rlimit.h - RLIMIT_NOFILE raised to fit tftp.max-sessions: each
 * transfer holds two descriptors (config_open_files_needed), and the usual
 * soft limit of 1024 would make transfers fail with EMFILE long before
 * max-sessions. The hard limit is the administrator's: a max-sessions that
 * cannot fit under it is refused (config_check.c names the fix). */
#ifndef NETBOOTD_TFTP_RLIMIT_H
#define NETBOOTD_TFTP_RLIMIT_H

#include <sys/resource.h>

/* The soft limit that fits `need` open files: the current one when it
 * already does, else `need`; -EMFILE when the hard limit is below it. */
int tftp_rlimit_plan(rlim_t need, rlim_t soft, rlim_t hard, rlim_t *new_soft);

/* Raise the process's soft limit to fit `need`. 0, or a negative errno
 * (logged). */
int tftp_rlimit_fit(rlim_t need);

#endif
