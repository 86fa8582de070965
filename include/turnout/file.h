/*
 * file.h - writing output files so that a reader never sees half of one.
 *
 * One helper for every "-o FILE": open, write as much as needed in as
 * many pieces as it comes (a large export is streamed, never held whole),
 * then commit or abort. What happens depends on what the path names:
 *
 *   - a regular file, or nothing yet: the bytes go to a new temporary
 *     file beside the target (same directory, a short name, so any valid
 *     target name works), which commit flushes to disk and renames over
 *     the target. Until then the target is untouched; abort, or any
 *     failure, removes the temporary file. An existing file keeps its
 *     permission bits, and its owner and group where the process may set
 *     them (root); a new file gets 0644 less the umask. A file the caller
 *     may not write is refused, as open() would refuse it;
 *   - a symbolic link: followed to its target, which is written as above;
 *     the link stays a link. A dangling link creates its target;
 *   - a device or a FIFO: written straight to, in place (there is nothing
 *     to rename); a FIFO waits for its reader, as a shell redirect does;
 *   - a directory, or a path in a missing directory: refused.
 *
 * "-" is a file named "-" here: stdout is the front end's business.
 * Errors are TN_IO, "'path': cannot ...: reason", naming the path as the
 * caller gave it; an empty path is TN_USAGE about the field "output".
 */
#ifndef TURNOUT_FILE_H
#define TURNOUT_FILE_H

#include <stddef.h>

#include "turnout/err.h"

/* An output being written. Its fields are private to file.c. */
struct tn_output {
	int fd;            /* -1 when closed */
	int atomic;        /* 1: writing tmp, renamed over target at commit */
	int failed;        /* errno of the first write error, 0 if none */
	char *path;        /* the path as given, for messages */
	char *target;      /* where the bytes land: path with links followed */
	char *tmp;         /* the temporary file, when atomic */
	char *buf;         /* bytes not yet written */
	size_t len;
};

#define TN_OUTPUT_INIT { -1, 0, 0, NULL, NULL, NULL, NULL, 0 }

/* Opens path for writing (see above). On success out holds an open
 * output that the caller must end with tn_output_commit or
 * tn_output_abort; on failure nothing was created and out needs no
 * cleanup (tn_output_abort on it is harmless). */
tn_code tn_output_open(const char *path, struct tn_output *out,
		       struct tn_err *err);

/* Appends len bytes. Writing is buffered; a write error (ENOSPC from a
 * full disk or /dev/full, EPIPE) is returned by this call or a later one
 * and by tn_output_commit, as TN_IO "'path': cannot write: reason". */
tn_code tn_output_write(struct tn_output *out, const void *data, size_t len,
			struct tn_err *err);

/* Finishes the output: writes what is buffered; for a file, syncs the
 * temporary file, renames it over the target and syncs the directory.
 * Always closes out: on failure it is aborted (the temporary file is
 * removed, the target left as it was) and the error returned. */
tn_code tn_output_commit(struct tn_output *out, struct tn_err *err);

/* Drops the output: the temporary file is removed and the target left as
 * it was (bytes already written to a device or FIFO stay written). Safe
 * on an output that is closed, committed or was never opened. */
void tn_output_abort(struct tn_output *out);

/* Writes len bytes of data to path in one go through the above:
 * tn_output_open, tn_output_write, tn_output_commit. */
tn_code tn_file_write_atomic(const char *path, const void *data, size_t len,
			     struct tn_err *err);

#endif
