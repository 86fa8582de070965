/* Unit tests: output files (file.h). A regular file is replaced
 * atomically and keeps its mode; a link is followed and stays a link; a
 * device is written in place and its errors come back; a directory or a
 * missing directory is refused; a failure or an abort leaves the target
 * as it was and no temporary file behind; long names work. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/file.h"

static char dir[256];

/* path of name in the scratch directory, in one of two rotating buffers */
static const char *at(const char *name)
{
	static char bufs[2][1024];
	static int i;

	i = !i;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", dir, name);
	return bufs[i];
}

/* The whole content of path in a static buffer ("" when unreadable). */
static const char *content(const char *path)
{
	static char got[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(got, 1, sizeof(got) - 1, f);
		fclose(f);
	}
	got[n] = '\0';
	return got;
}

static int put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* Number of entries in the scratch directory whose name starts with
 * ".turnout-": temporary files left behind. */
static int leftovers(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".turnout-", 9) == 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static tn_code write_text(const char *path, const char *text, struct tn_err *err)
{
	err->msg[0] = '\0';   /* so a message shown is this call's */
	return tn_file_write_atomic(path, text, strlen(text), err);
}

int main(void)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_output out = TN_OUTPUT_INIT;
	struct stat st;
	char name[300], big[200000];
	mode_t mask = umask(022);
	size_t i;
	tn_code rc;

	umask(mask);
	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;

	/* new files */
	rc = write_text(at("new.txt"), "one\n", &err);
	is_int(rc, TN_OK, "a new file (%s)", err.msg);
	is_str(content(at("new.txt")), "one\n", "holds the bytes");
	ok(stat(at("new.txt"), &st) == 0 && (st.st_mode & 0777) == (0644 & ~mask),
	   "is 0644 less the umask");
	rc = write_text("", "x", &err);
	is_int(rc, TN_USAGE, "an empty name is a usage error");
	is_str(err.field, "output", "about the output");
	tn_output_abort(&out);
	ok(1, "aborting an output never opened is harmless");

	/* a regular file keeps its mode */
	ok(put(at("private.txt"), "old\n", 0600) == 0, "a 0600 file");
	rc = write_text(at("private.txt"), "new\n", &err);
	is_int(rc, TN_OK, "replaced (%s)", err.msg);
	is_str(content(at("private.txt")), "new\n", "with the new bytes");
	ok(stat(at("private.txt"), &st) == 0 && (st.st_mode & 07777) == 0600,
	   "and still 0600");
	ok(chmod(at("private.txt"), 0640) == 0 &&
	   write_text(at("private.txt"), "x", &err) == TN_OK &&
	   stat(at("private.txt"), &st) == 0 && (st.st_mode & 07777) == 0640,
	   "0640 stays 0640");
	if (geteuid() == 0) {
		ok(chown(at("private.txt"), 12345, 23456) == 0 &&
		   write_text(at("private.txt"), "y", &err) == TN_OK &&
		   stat(at("private.txt"), &st) == 0 && st.st_uid == 12345 &&
		   st.st_gid == 23456, "root keeps the owner and group");
	} else {
		ok(1, "# SKIP keeping the owner needs root");
		ok(chmod(at("private.txt"), 0400) == 0 &&
		   write_text(at("private.txt"), "z", &err) == TN_IO &&
		   strcmp(content(at("private.txt")), "x") == 0,
		   "a file its owner may not write is refused");
	}

	/* links are followed */
	ok(put(at("target.txt"), "old\n", 0644) == 0 &&
	   symlink("target.txt", at("link.txt")) == 0, "a link to a file");
	rc = write_text(at("link.txt"), "via link\n", &err);
	is_int(rc, TN_OK, "written (%s)", err.msg);
	ok(lstat(at("link.txt"), &st) == 0 && S_ISLNK(st.st_mode), "the link stays a link");
	is_str(content(at("target.txt")), "via link\n", "its target has the bytes");
	ok(mkdir(at("sub"), 0755) == 0 && symlink("../target.txt", at("sub/up")) == 0 &&
	   symlink("sub/up", at("chain")) == 0, "a chain of relative links");
	rc = write_text(at("chain"), "chained\n", &err);
	is_int(rc, TN_OK, "written (%s)", err.msg);
	is_str(content(at("target.txt")), "chained\n", "to the end of the chain");
	ok(lstat(at("chain"), &st) == 0 && S_ISLNK(st.st_mode) &&
	   lstat(at("sub/up"), &st) == 0 && S_ISLNK(st.st_mode), "every link stays");
	ok(symlink("made.txt", at("dangling")) == 0, "a dangling link");
	rc = write_text(at("dangling"), "made\n", &err);
	is_int(rc, TN_OK, "written (%s)", err.msg);
	ok(lstat(at("dangling"), &st) == 0 && S_ISLNK(st.st_mode) &&
	   strcmp(content(at("made.txt")), "made\n") == 0, "creates its target");
	ok(symlink("loop2", at("loop1")) == 0 && symlink("loop1", at("loop2")) == 0,
	   "a loop of links");
	rc = write_text(at("loop1"), "x", &err);
	is_int(rc, TN_IO, "is refused");
	ok(strstr(err.msg, "loop1") != NULL, "naming the path given: %s", err.msg);

	/* refused: a directory, a missing directory */
	rc = write_text(at("sub"), "x", &err);
	is_int(rc, TN_IO, "a directory is refused");
	ok(strstr(err.msg, "directory") != NULL, "%s", err.msg);
	ok(stat(at("sub"), &st) == 0 && S_ISDIR(st.st_mode), "and stays a directory");
	rc = write_text(at("no/such/dir/f"), "x", &err);
	is_int(rc, TN_IO, "a missing directory is refused");
	ok(strstr(err.msg, "no/such/dir/f") != NULL, "naming the file: %s", err.msg);
	ok(access(at("no"), F_OK) != 0, "and nothing is created");

	/* a name of 249 bytes: with any longer temporary name it would not fit */
	memset(name, 'n', 249);
	name[249] = '\0';
	rc = write_text(at(name), "long\n", &err);
	is_int(rc, TN_OK, "a 249-byte name (%s)", err.msg);
	is_str(content(at(name)), "long\n", "holds the bytes");
	memset(name, 'n', 255);
	name[255] = '\0';
	rc = write_text(at(name), "longest\n", &err);
	is_int(rc, TN_OK, "a 255-byte name (%s)", err.msg);
	unlink(at(name));
	is_int(leftovers(), 0, "no temporary file is left behind");

	/* streaming: many small writes and one large */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	rc = tn_output_open(at("stream.txt"), &out, &err);
	is_int(rc, TN_OK, "open a stream");
	for (i = 0; rc == TN_OK && i + 10 <= sizeof(big); i += 10)
		rc = tn_output_write(&out, big + i, 10, &err);
	ok(rc == TN_OK && tn_output_write(&out, big, sizeof(big), &err) == TN_OK,
	   "small and large writes");
	ok(access(at("stream.txt"), F_OK) != 0, "the target appears only at commit");
	rc = tn_output_commit(&out, &err);
	is_int(rc, TN_OK, "commit (%s)", err.msg);
	ok(stat(at("stream.txt"), &st) == 0 && st.st_size == 2 * (off_t)sizeof(big) &&
	   memcmp(content(at("stream.txt")), big, 1000) == 0, "every byte arrives");
	tn_output_abort(&out);
	ok(1, "aborting a committed output is harmless");

	/* abort and failure leave the target as it was */
	ok(put(at("kept.txt"), "kept\n", 0644) == 0, "a file to keep");
	ok(tn_output_open(at("kept.txt"), &out, &err) == TN_OK &&
	   tn_output_write(&out, "lost", 4, &err) == TN_OK && leftovers() == 1,
	   "an output with its temporary file");
	tn_output_abort(&out);
	is_str(content(at("kept.txt")), "kept\n", "abort leaves the target");
	is_int(leftovers(), 0, "and removes the temporary file");
	{
		/* a file-size limit makes write(2) fail with EFBIG */
		struct rlimit old, small = { 100, 0 };

		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &old);
		small.rlim_max = old.rlim_max;
		setrlimit(RLIMIT_FSIZE, &small);
		rc = tn_file_write_atomic(at("kept.txt"), big, 5000, &err);
		setrlimit(RLIMIT_FSIZE, &old);
		is_int(rc, TN_IO, "a failed write is TN_IO");
		ok(strstr(err.msg, "kept.txt': cannot write: ") != NULL, "%s", err.msg);
		is_str(content(at("kept.txt")), "kept\n", "the target is untouched");
		is_int(leftovers(), 0, "and no temporary file is left");
		ok(tn_output_write(&out, "x", 1, &err) == TN_IO, "a closed output refuses writes");
	}

	/* a character device is written in place */
	if (access("/dev/full", W_OK) == 0 && access("/dev/null", W_OK) == 0) {
		is_int(write_text("/dev/null", "into the void", &err), TN_OK,
		       "/dev/null is written (%s)", err.msg);
		ok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "and stays a device");
		rc = write_text("/dev/full", "no room", &err);
		is_int(rc, TN_IO, "/dev/full fails");
		ok(strstr(err.msg, strerror(ENOSPC)) != NULL, "with its reason: %s", err.msg);
	} else {
		ok(1, "# SKIP no /dev/null or /dev/full");
	}

	snprintf(name, sizeof(name), "rm -rf '%s'", dir);
	if (system(name) != 0)
		return 1;
	return tap_done();
}
