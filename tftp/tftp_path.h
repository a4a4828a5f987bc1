/* tftp_path.h - a requested file name -> a file opened beneath the root.
 *
 * The clean-up is pure (unit-tested without files): backslashes optionally
 * become slashes (Windows-style clients), leading slashes are dropped (GRUB
 * asks for "/grub/..."), and a name whose ".." would climb above the root
 * is refused before any system call. The open itself is done by the
 * kernel with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): symlinks
 * that leave the root (absolute or relative) are refused there. */
#ifndef NETBOOTD_TFTP_PATH_H
#define NETBOOTD_TFTP_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 and the relative path in out, or -EACCES (escapes the root, control
 * characters), -ENOENT (empty), -ENAMETOOLONG. */
int tftp_path_clean(const char *name, size_t len, bool map_backslash, char *out, size_t size);

/* Open `rel` read-only beneath root_fd; only regular files. Returns the fd
 * and its size, or -ENOENT (not there) / -EACCES (refused: escape, symlink
 * out, device, directory) / other -errno. */
int tftp_path_open(int root_fd, const char *rel, uint64_t *size);

#endif
