#ifndef CELERIAC_CSQLITE_SHIM_H
#define CELERIAC_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT casts -1 to a function pointer, which Swift cannot import; it tells
/// sqlite3_bind_* to copy the bytes, so a Swift string's temporary buffer may go away.
static inline sqlite3_destructor_type celeriac_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
