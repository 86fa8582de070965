/*
 * file.c - output files (file.h): every "-o FILE" goes through here, the
 * .ics of 'ics -o' now, ticket exports and reports later. A regular file
 * is replaced atomically (temporary file, fsync, rename); a device or a
 * FIFO is written in place; links are followed. Owns no table, and never
 * touches stdout: "-" meaning stdout is the front end's rule.
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

/* Bytes gathered before a write(2): large enough that streaming many
 * small pieces (one JSON object at a time) costs few system calls. */
#define OUTPUT_BUFSIZE (64 * 1024)

/* As many links as the kernel follows in one path (Linux's MAXSYMLINKS). */
#define MAX_LINKS 40

/* The temporary file's name in the target's directory. Short, so that it
 * fits wherever the target's name does (NAME_MAX is 255 bytes: a name of
 * 249 bytes plus ".tmp" and six random characters would not). */
#define TMP_TEMPLATE ".turnout-XXXXXX"

/* Reads the symbolic link at path; returns a new string (caller frees),
 * or NULL with errno set. */
static char *read_link(const char *path)
{
	size_t size = 256;
	char *s = NULL, *bigger;
	ssize_t n;

	for (;;) {
		if (!(bigger = realloc(s, size))) {
			free(s);
			errno = ENOMEM;
			return NULL;
		}
		s = bigger;
		n = readlink(path, s, size);
		if (n < 0) {
			int saved = errno;

			free(s);
			errno = saved;
			return NULL;
		}
		if ((size_t)n < size) {
			s[n] = '\0';
			return s;
		}
		size *= 2;
	}
}

/* Follows path through symbolic links to the name the bytes should land
 * on, which need not exist (a dangling link's target). A relative link is
 * read from the link's own directory, as the kernel reads it. Returns a
 * new string (caller frees), or NULL with errno set (ELOOP, ENOMEM, or
 * lstat's reason). */
static char *follow_links(const char *path)
{
	struct tn_buf next = TN_BUF_INIT;
	struct stat st;
	char *cur, *link;
	const char *slash;
	int links = 0;

	if (!(cur = strdup(path))) {
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (lstat(cur, &st) != 0) {
			if (errno == ENOENT)
				return cur;   /* the name a new file gets */
			break;
		}
		if (!S_ISLNK(st.st_mode))
			return cur;
		if (++links > MAX_LINKS) {
			errno = ELOOP;
			break;
		}
		if (!(link = read_link(cur)))
			break;
		slash = strrchr(cur, '/');
		tn_buf_reset(&next);
		if (link[0] != '/' && slash)
			tn_buf_addf(&next, "%.*s/%s", (int)(slash - cur), cur, link);
		else
			tn_buf_add(&next, link);
		free(link);
		free(cur);
		if (!(cur = tn_buf_detach(&next, NULL)) || !*cur) {
			free(cur);
			errno = ENOMEM;
			return NULL;
		}
	}
	{
		int saved = errno;

		free(cur);
		tn_buf_free(&next);
		errno = saved;
	}
	return NULL;
}

/* Writes all of data to fd; returns 0 or the errno of the failure. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

static void release(struct tn_output *out)
{
	free(out->path);
	free(out->target);
	free(out->tmp);
	free(out->buf);
	*out = (struct tn_output)TN_OUTPUT_INIT;
}

void tn_output_abort(struct tn_output *out)
{
	if (out->fd >= 0)
		close(out->fd);
	if (out->atomic && out->tmp)
		unlink(out->tmp);
	release(out);
}

/* Aborts out and returns TN_IO "'path': cannot <what>: <reason>". */
static tn_code fail(struct tn_output *out, const char *path, const char *what,
		    int errnum, struct tn_err *err)
{
	tn_code rc = tn_err_set(err, TN_IO, "'%s': cannot %s: %s", path, what,
				strerror(errnum));

	tn_output_abort(out);
	return rc;
}

/* The file changed between looking at it and opening it: another
 * process is at work on it, so it is left alone. */
static tn_code fail_changed(struct tn_output *out, struct tn_err *err)
{
	tn_code rc = tn_err_set(err, TN_IO, "'%s': cannot write: it changed while "
				"being opened", out->path);

	tn_output_abort(out);
	return rc;
}

/* Opens a device, FIFO or other non-regular file to write to it in place.
 * path is opened as given, so the kernel follows its links (including
 * /proc's, which name pipes and terminals that lstat cannot). */
static tn_code open_in_place(struct tn_output *out, struct tn_err *err)
{
	struct stat st;
	int fd;

	do
		fd = open(out->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return fail(out, out->path, "open", errno, err);
	out->fd = fd;
	/* It was not a regular file or a directory when it was looked at; if
	 * it is one now, writing in place would half-overwrite it. */
	if (fstat(fd, &st) != 0)
		return fail(out, out->path, "open", errno, err);
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return fail_changed(out, err);
	return TN_OK;
}

/* Creates the temporary file in the target's directory. mkostemp picks
 * its name and opens it with O_EXCL, so it can be neither guessed nor an
 * existing file, and makes it 0600. It then gets old's permission bits
 * and, where allowed, its owner and group; a new file gets 0644 less the
 * umask, as open(path, ..., 0644) would give. Set-user-ID and
 * set-group-ID bits are not carried over (the kernel drops them on a
 * write too). */
static tn_code open_beside(struct tn_output *out, const struct stat *old,
			   struct tn_err *err)
{
	struct tn_buf tmp = TN_BUF_INIT;
	const char *slash = strrchr(out->target, '/');
	struct stat mine;
	mode_t mode, mask;
	int fd;

	if (slash)
		tn_buf_addf(&tmp, "%.*s/" TMP_TEMPLATE, (int)(slash - out->target),
			    out->target);
	else
		tn_buf_add(&tmp, TMP_TEMPLATE);
	if (tmp.len == 0 || !(out->tmp = tn_buf_detach(&tmp, NULL)))
		return fail(out, out->path, "create", ENOMEM, err);
	if ((fd = mkostemp(out->tmp, O_CLOEXEC)) < 0) {
		int saved = errno;

		free(out->tmp);
		out->tmp = NULL;
		return fail(out, out->path, "create", saved, err);
	}
	out->fd = fd;
	out->atomic = 1;
	if (old) {
		mode = old->st_mode & 01777;
		if (fstat(fd, &mine) == 0 &&
		    (mine.st_uid != old->st_uid || mine.st_gid != old->st_gid)) {
			/* Only root may give a file away; anyone may pass it to a
			 * group they are in. Failing both, the file is ours. */
			if (fchown(fd, old->st_uid, old->st_gid) != 0 &&
			    fchown(fd, (uid_t)-1, old->st_gid) != 0) {
				/* best effort: keep the new owner */
			}
		}
	} else {
		mask = umask(0);   /* reading the umask means setting it: put it back */
		umask(mask);
		mode = 0644 & ~mask;
	}
	if (fchmod(fd, mode) != 0)
		return fail(out, out->path, "create", errno, err);
	return TN_OK;
}

tn_code tn_output_open(const char *path, struct tn_output *out,
		       struct tn_err *err)
{
	struct stat st, at;
	int exists;

	*out = (struct tn_output)TN_OUTPUT_INIT;
	if (!path || !*path)
		return tn_err_field(err, TN_USAGE, "output", "empty file name");
	if (!(out->path = strdup(path)) || !(out->buf = malloc(OUTPUT_BUFSIZE)))
		return fail(out, path, "create", ENOMEM, err);

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return fail(out, path, "write", EISDIR, err);
		if (!S_ISREG(st.st_mode))
			return open_in_place(out, err);
		exists = 1;
	} else if (errno == ENOENT) {
		exists = 0;      /* nothing there, or a dangling link */
	} else {
		return fail(out, path, "open", errno, err);
	}

	/* A regular file or a new one: the temporary file goes beside what
	 * the path finally names, so the rename replaces the link's target
	 * and not the link. */
	if (!(out->target = follow_links(path)))
		return fail(out, path, "open", errno, err);
	if (exists) {
		/* the same file stat saw; else it was swapped meanwhile */
		if (lstat(out->target, &at) != 0 || at.st_dev != st.st_dev ||
		    at.st_ino != st.st_ino)
			return fail_changed(out, err);
		/* replacing a file we could not write would bypass its mode */
		if (faccessat(AT_FDCWD, out->target, W_OK, AT_EACCESS) != 0)
			return fail(out, path, "write", errno, err);
	}
	return open_beside(out, exists ? &st : NULL, err);
}

/* Writes what is buffered; returns 0 or the errno of the failure, which
 * sticks: every later write and the commit fail with it. */
static int flush(struct tn_output *out)
{
	if (!out->failed && out->len > 0)
		out->failed = write_all(out->fd, out->buf, out->len);
	out->len = 0;
	return out->failed;
}

tn_code tn_output_write(struct tn_output *out, const void *data, size_t len,
			struct tn_err *err)
{
	if (out->fd < 0)
		return tn_err_set(err, TN_IO, "output is not open");
	if (out->len + len > OUTPUT_BUFSIZE)
		flush(out);
	if (!out->failed && len >= OUTPUT_BUFSIZE) {   /* a large piece goes straight out */
		out->failed = write_all(out->fd, data, len);
	} else if (!out->failed && len > 0) {
		memcpy(out->buf + out->len, data, len);
		out->len += len;
	}
	if (out->failed)
		return tn_err_set(err, TN_IO, "'%s': cannot write: %s", out->path,
				  strerror(out->failed));
	return TN_OK;
}

/* Syncs the directory that holds name, so that a rename in it survives a
 * power cut. Best effort: some file systems refuse fsync on a directory. */
static void sync_dir(const char *name)
{
	const char *slash = strrchr(name, '/');
	struct tn_buf dir = TN_BUF_INIT;
	int fd;

	if (slash == name)
		tn_buf_add(&dir, "/");
	else if (slash)
		tn_buf_addf(&dir, "%.*s", (int)(slash - name), name);
	else
		tn_buf_add(&dir, ".");
	if (dir.len && (fd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(fd) != 0) {
			/* best effort, see above */
		}
		close(fd);
	}
	tn_buf_free(&dir);
}

tn_code tn_output_commit(struct tn_output *out, struct tn_err *err)
{
	struct stat st;
	int e, fd = out->fd;

	if (fd < 0)
		return tn_err_set(err, TN_IO, "output is not open");
	if ((e = flush(out)) != 0)
		return fail(out, out->path, "write", e, err);
	if (out->atomic) {
		if (fsync(fd) != 0)
			return fail(out, out->path, "write", errno, err);
	} else if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && fsync(fd) != 0) {
		return fail(out, out->path, "write", errno, err);
	}
	out->fd = -1;
	if (close(fd) != 0)
		return fail(out, out->path, "write", errno, err);
	if (out->atomic) {
		if (rename(out->tmp, out->target) != 0)
			return fail(out, out->path, "write", errno, err);
		sync_dir(out->target);
	}
	release(out);
	return TN_OK;
}

tn_code tn_file_write_atomic(const char *path, const void *data, size_t len,
			     struct tn_err *err)
{
	struct tn_output out;
	tn_code rc;

	if ((rc = tn_output_open(path, &out, err)) != TN_OK)
		return rc;
	if ((rc = tn_output_write(&out, data, len, err)) != TN_OK) {
		tn_output_abort(&out);
		return rc;
	}
	return tn_output_commit(&out, err);
}
