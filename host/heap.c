#include "heap.h"

#include <malloc.h>

void host_heap_keep_warm(void)
{
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}
