/* qf_mem.c — see qf_mem.h. memset through a volatile function pointer: the
 * compiler cannot know what it calls, so it cannot drop the call even when
 * the memory is freed or unused afterwards. */
#include "qf_mem.h"

#include <string.h>

static void *(*const volatile qf_memset)(void *, int, size_t) = memset;

void qf_wipe(void *p, size_t n)
{
    if (p && n)
        qf_memset(p, 0, n);
}
