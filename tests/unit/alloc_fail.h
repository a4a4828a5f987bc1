/* alloc_fail.h - make malloc, calloc and realloc fail on demand in a unit
 * test linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (see the
 * Makefile): fail_allocs_after(n) lets n more succeed, then fails every
 * one; fail_allocs_after(-1) stops. Header-only: one test binary each. */
#ifndef NETBOOTD_ALLOC_FAIL_H
#define NETBOOTD_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long allocs_left = -1;       /* -1: never fail */

static void fail_allocs_after(long n)
{
    allocs_left = n;
}

static bool alloc_fails(void)
{
    if (allocs_left < 0)
        return false;
    if (allocs_left == 0)
        return true;
    allocs_left--;
    return false;
}

void *__wrap_malloc(size_t n)
{
    return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return alloc_fails() ? NULL : __real_realloc(p, n);
}

#endif
