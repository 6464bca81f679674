#ifndef CELERIAC_CJEMALLOC_SHIM_H
#define CELERIAC_CJEMALLOC_SHIM_H

/// Nothing here is called: Debian's jemalloc exports malloc and free unprefixed, and the
/// binary lists it before libc, so linking it makes it the whole process's allocator.
#include <jemalloc/jemalloc.h>

#endif
