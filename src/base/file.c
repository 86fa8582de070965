/*
 * file.c - atomic output files (file.h): the .ics of 'ics -o' now, ticket
 * exports and reports later. Owns no table.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "turnout/buf.h"
#include "turnout/file.h"

/* Creates a new, unique temporary file beside path; its name goes to tmp.
 * The name is random (libsodium) and opened with O_EXCL, so it can be
 * neither guessed nor an existing file. */
static int create_beside(const char *path, struct tn_buf *tmp)
{
	const char *slash = strrchr(path, '/');
	int tries, fd = -1;

	if (sodium_init() < 0) {
		errno = EIO;
		return -1;
	}
	for (tries = 0; tries < 16 && fd < 0; tries++) {
		tn_buf_reset(tmp);
		if (slash)
			tn_buf_addf(tmp, "%.*s/.%s.%08x.tmp", (int)(slash - path), path,
				    slash + 1, (unsigned)randombytes_random());
		else
			tn_buf_addf(tmp, ".%s.%08x.tmp", path, (unsigned)randombytes_random());
		if (tmp->len == 0) {
			errno = ENOMEM;
			return -1;
		}
		fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	return fd;
}

tn_code tn_file_write_atomic(const char *path, const void *data, size_t len,
			     struct tn_err *err)
{
	struct tn_buf tmp = TN_BUF_INIT;
	const char *p = data;
	size_t done = 0;
	int fd, saved = EIO, ok;

	if (!*path)
		return tn_err_field(err, TN_USAGE, "output", "empty file name");
	fd = create_beside(path, &tmp);
	if (fd < 0) {
		saved = errno;
		tn_buf_free(&tmp);
		return tn_err_set(err, TN_IO, "'%s': cannot create: %s", path,
				  strerror(saved));
	}
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = w < 0 ? errno : EIO;
			break;
		}
		done += (size_t)w;
	}
	ok = done == len;
	if (ok && fsync(fd) != 0) {
		saved = errno;
		ok = 0;
	}
	if (close(fd) != 0 && ok) {
		saved = errno;
		ok = 0;
	}
	if (ok && rename(tmp.data, path) != 0) {
		saved = errno;
		ok = 0;
	}
	if (!ok)
		unlink(tmp.data);
	tn_buf_free(&tmp);
	if (!ok)
		return tn_err_set(err, TN_IO, "'%s': cannot write: %s", path,
				  strerror(saved));
	return TN_OK;
}
