/* tftp_netascii.h - netascii (RFC 764 as RFC 1350 uses it: LF -> CR LF,
 * CR -> CR NUL) converted block by block while a transfer is sent. Pure:
 * the file's bytes come through a read callback.
 *
 * Converting the whole file up front would cost a whole-file read on the
 * loop and two copies of the file per session; here a session keeps only
 * where each block of its window starts in the file (input offset, and the
 * second byte of a CR LF / CR NUL pair that the previous block had no room
 * for). A resend from the window's first block converts again from there.
 *
 * The converted size is only known once the conversion meets the end of
 * the file: until then the transfer runs on an upper bound (every byte
 * doubled) and the sender learns the real end when it produces the final
 * block (tftp_session_set_size). So no tsize is offered for netascii
 * (counting the size first would read the whole file again). */
#ifndef NETBOOTD_TFTP_NETASCII_H
#define NETBOOTD_TFTP_NETASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Windows above this are clamped for netascii: a block start is kept for
 * each block of the window (and one past it). */
#define TFTP_NETASCII_MAX_WINDOW 64

/* Where the conversion stands: the next input byte, and a byte still owed
 * from a pair split by the end of the previous output (-1: none). */
struct tftp_netascii_pos {
    uint64_t in_off;
    int16_t carry;
};

/* Convert input (the file's bytes from pos->in_off on) into out, at most
 * cap bytes, owed byte first. Advances pos; returns the bytes written. */
size_t tftp_netascii_step(struct tftp_netascii_pos *pos, const uint8_t *in, size_t len,
                          uint8_t *out, size_t cap);

/* The biggest size a file of in_size bytes can convert to. */
uint64_t tftp_netascii_size_bound(uint64_t in_size);

struct tftp_netascii {
    uint64_t in_size;       /* the file's size when it was opened */
    uint16_t blksize;
    uint32_t slots;         /* block n starts at ring[n % slots] */
    uint32_t known;         /* ... for blocks 1..known, the last `slots` of them */
    bool ended;             /* the end of the input was met: */
    uint64_t size;          /* ... the converted size */
    struct tftp_netascii_pos ring[];
};

/* A stream for a file of in_size bytes, sent in blocks of blksize with at
 * most `window` blocks unacknowledged. NULL when out of memory. */
struct tftp_netascii *tftp_netascii_new(uint64_t in_size, uint16_t blksize, uint16_t window);

/* The file's bytes at `off`: points *data at them and returns how many
 * (at least 1), or a negative errno (-EIO: the file shrank). */
typedef ssize_t (*tftp_netascii_read_fn)(void *ctx, uint64_t off, const uint8_t **data);

/* Convert blocks first..first+count-1 into out (room for count * blksize
 * bytes), back to back: full blocks, and a short (maybe empty) final one.
 * `first` must be at most one past the last block converted, and not
 * older than the window. Returns how many blocks were made (fewer than
 * count past the final block) with their bytes in *bytes, or a negative
 * errno (-EINVAL: first out of range; the read callback's error). */
long tftp_netascii_blocks(struct tftp_netascii *na, uint32_t first, uint32_t count,
                          tftp_netascii_read_fn read, void *ctx, uint8_t *out, size_t *bytes);

#endif
