/* sendfile_piece.h - larger sendfile pieces for the files libmicrohttpd
 * sends.
 *
 * libmicrohttpd sends a file response in sendfile calls of 128 KiB (a
 * compile-time constant outside its thread-per-connection mode; no option
 * changes it). On Linux the kernel's cost per byte of a sendfile call
 * falls with its size: 2 MiB pieces, as nginx sends them, cost about half
 * the CPU per GiB (docs/http.md). netbootd defines sendfile64 itself; the
 * dynamic linker binds libmicrohttpd's calls to it (an executable's
 * definitions come first). A call for a response netbootd registered is
 * widened to SENDFILE_PIECE_MAX bytes; every other call goes to the kernel
 * unchanged. The response's last piece is left to libmicrohttpd as it
 * asked for it (that call pushes the data out), so its byte accounting,
 * which adds whatever sendfile returns, ends exactly at the response's
 * end. */
#ifndef NETBOOTD_SENDFILE_PIECE_H
#define NETBOOTD_SENDFILE_PIECE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENDFILE_PIECE_MAX (2u << 20)

/* The size to send from `offset` when `asked` bytes were asked for and
 * the response ends at file offset `end`: `asked` for the last piece
 * (asked >= end - offset), else up to `max`, always leaving at least
 * `asked` bytes for the last call. Pure. */
size_t sendfile_piece_len(size_t asked, uint64_t offset, uint64_t end, size_t max);

/* Calls sending file_fd on socket sock may be widened, up to the file
 * offset end (where the response's bytes end). False (and calls stay as
 * asked) when the table cannot grow. */
bool sendfile_piece_allow(int sock, int file_fd, uint64_t end);

/* The response from file_fd is over (before the descriptor is closed and
 * its number can be reused). */
void sendfile_piece_forget(int file_fd);

#endif
