/*
 * heap — malloc tuning for processes that run plugins.
 */
#ifndef HOST_HEAP_H
#define HOST_HEAP_H

/* Keeps freed memory in the process instead of returning it to the kernel.
 * Decoders allocate tens of MiB per image (libjpeg's coefficient arrays
 * for progressive JPEGs, full-size buffers); glibc would hand those back
 * on free() and the next image would pay the first touch of fresh pages
 * again (~11 µs per 4 KiB page on the machines prism was measured on,
 * i.e. most of a 20 MP progressive thumbnail's time).  Called once at the
 * start of a worker or driver, before any thread starts.  Cannot fail;
 * the cost is a worker's RSS staying at its high-water mark, which the
 * address-space rlimit bounds. */
void host_heap_keep_warm(void);

#endif
