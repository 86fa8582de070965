/*
 * file.c - atomic output files (file.h): the .ics of 'ics -o' now, ticket
 * exports and reports later. Owns no table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/file.h"

/* Creates a new, unique temporary file beside path; its name goes to tmp.
 * mkostemp picks the name and opens it with O_EXCL, so it can be neither
 * guessed nor an existing file. mkostemp makes it 0600; the finished
 * file gets 0644 less the umask, as open(path, ..., 0644) would give. */
static int create_beside(const char *path, struct tn_buf *tmp)
{
	const char *slash = strrchr(path, '/');
	mode_t mask;
	int fd, saved;

	tn_buf_reset(tmp);
	if (slash)
		tn_buf_addf(tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		tn_buf_addf(tmp, ".%s.XXXXXX", path);
	if (tmp->len == 0) {
		errno = ENOMEM;
		return -1;
	}
	if ((fd = mkostemp(tmp->data, O_CLOEXEC)) < 0)
		return -1;
	mask = umask(0);   /* reading the umask means setting it: put it back */
	umask(mask);
	if (fchmod(fd, 0644 & ~mask) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp->data);
		errno = saved;
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
