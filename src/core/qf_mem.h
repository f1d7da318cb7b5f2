/* qf_mem.h — wiping memory that held personal data (what a citizen typed,
 * phone digits, request bodies) so that it does not linger after use. */
#ifndef QF_MEM_H
#define QF_MEM_H

#include <stddef.h>

/* Sets n bytes at p to zero in a way the compiler may not drop as a dead
 * store (C11 has no memset_s in glibc, and explicit_bzero needs
 * _DEFAULT_SOURCE). NULL with n == 0 is fine. */
void qf_wipe(void *p, size_t n);

#endif
