/*
 * file.h - writing output files so that a reader never sees half of one.
 */
#ifndef TURNOUT_FILE_H
#define TURNOUT_FILE_H

#include <stddef.h>

#include "turnout/err.h"

/* Writes len bytes of data to path atomically: a new temporary file in the
 * same directory (mode 0644), flushed to disk, then renamed over path. On
 * failure path is untouched, the temporary file is removed, and the result
 * is TN_IO ("'path': cannot create: ...") or TN_USAGE for an empty path. */
tn_code tn_file_write_atomic(const char *path, const void *data, size_t len,
			     struct tn_err *err);

#endif
