/*
 * t_csv.c - the streaming CSV reader: quoting, line ends, BOM, blank
 * lines, line numbers, separators, malformed input, read-buffer boundaries
 * and limits.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/csv.h"

/* Renders every record of in as "LINE[f1|f2]" lines; a malformed record
 * becomes "LINE!reason". Fields are shown raw except \r \n as \r \n. */
static char *render_reader(struct tn_csv *r)
{
	struct tn_buf out = TN_BUF_INIT;
	struct tn_err err;
	tn_code rc;
	int got;
	size_t i, j, len;

	for (;;) {
		rc = tn_csv_next(r, &got, &err);
		if (rc == TN_BADINPUT) {
			tn_buf_addf(&out, "%lld!%s\n", tn_csv_line(r), err.msg);
			continue;
		}
		if (rc != TN_OK) {
			tn_buf_addf(&out, "error %d: %s\n", rc, err.msg);
			break;
		}
		if (!got)
			break;
		tn_buf_addf(&out, "%lld[", tn_csv_line(r));
		for (i = 0; i < tn_csv_count(r); i++) {
			const char *f = tn_csv_field(r, i, &len);
			if (i)
				tn_buf_addch(&out, '|');
			for (j = 0; j < len; j++) {
				if (f[j] == '\n')
					tn_buf_add(&out, "\\n");
				else if (f[j] == '\r')
					tn_buf_add(&out, "\\r");
				else if (f[j] == '\0')
					tn_buf_add(&out, "\\0");
				else
					tn_buf_addch(&out, f[j]);
			}
		}
		tn_buf_add(&out, "]\n");
	}
	return tn_buf_detach(&out, NULL);
}

/* The separator the next render uses (reset to ',' after it). */
static int next_delim = ',';
static int last_delim;

static char *render_mem(const char *in, size_t len)
{
	struct tn_csv *r;
	struct tn_err err;
	FILE *f = fmemopen((void *)in, len, "r");
	char *s;

	if (!f || tn_csv_open_file(f, &r, &err) != TN_OK)
		return strdup("open failed");
	tn_csv_set_delimiter(r, next_delim);
	next_delim = ',';
	s = render_reader(r);
	last_delim = tn_csv_delimiter(r);
	tn_csv_free(r);
	fclose(f);
	return s;
}

#define CHECK(in, want, name) do { \
	char *got_ = render_mem((in), sizeof(in) - 1); \
	is_str(got_, (want), name); \
	free(got_); \
} while (0)

/* Feeds data through a pipe one byte at a time, so every boundary case of
 * the read buffer (BOM split, CR/LF split, "" split) happens. */
static char *render_trickle(const char *in, size_t len)
{
	int fds[2];
	pid_t pid;
	struct tn_csv *r;
	struct tn_err err;
	char *s;

	if (pipe(fds) != 0)
		return strdup("pipe failed");
	pid = fork();
	if (pid == 0) {
		size_t i;
		close(fds[0]);
		for (i = 0; i < len; i++) {
			if (write(fds[1], in + i, 1) != 1)
				_exit(1);
			if (i < 8)
				usleep(2000);
		}
		_exit(0);
	}
	close(fds[1]);
	if (tn_csv_open_fd(fds[0], &r, &err) != TN_OK) {
		close(fds[0]);
		return strdup("open failed");
	}
	tn_csv_set_delimiter(r, next_delim);
	next_delim = ',';
	s = render_reader(r);
	tn_csv_free(r);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return s;
}

static void test_basic(void)
{
	CHECK("a,b,c\n1,2,3\n", "1[a|b|c]\n2[1|2|3]\n", "plain LF");
	CHECK("a,b\r\n1,2\r\n", "1[a|b]\n2[1|2]\n", "CRLF");
	CHECK("a,b\r1,2\r", "1[a|b]\n2[1|2]\n", "lone CR ends a line");
	CHECK("a,b\n1,2", "1[a|b]\n2[1|2]\n", "no newline at the end");
	CHECK("", "", "empty input has no records");
	CHECK("\n\r\n\n", "", "only blank lines");
	CHECK("a\n\n\nb\r\n\r\nc\n", "1[a]\n4[b]\n6[c]\n",
	      "blank lines skipped, line numbers kept");
	CHECK("a,,c,\n", "1[a||c|]\n", "empty fields, trailing comma");
	CHECK(",\n", "1[|]\n", "a line of one comma is two empty fields");
	CHECK("\"\"\n", "1[]\n", "an empty quoted field is a record");
	CHECK("x,\"\"\n", "1[x|]\n", "empty quoted field at the end");
}

static void test_quotes(void)
{
	CHECK("\"a,b\",c\n", "1[a,b|c]\n", "quoted comma");
	CHECK("\"say \"\"hi\"\"\",x\n", "1[say \"hi\"|x]\n", "doubled quotes");
	CHECK("\"\"\"\"\n", "1[\"]\n", "a field that is one quote");
	CHECK("\"line1\nline2\",x\nnext,y\n",
	      "1[line1\\nline2|x]\n3[next|y]\n", "newline inside quotes");
	CHECK("\"line1\r\nline2\"\r\nnext\r\n",
	      "1[line1\\r\\nline2]\n3[next]\n", "CRLF inside quotes is kept");
	CHECK("a\n\"1\n2\n3\",b\nc\n", "1[a]\n2[1\\n2\\n3|b]\n5[c]\n",
	      "records spanning lines start on the right line");
	CHECK("ab\"c,d\n", "1[ab\"c|d]\n", "quote inside unquoted field is literal");
	CHECK("\"ab\"cd,e\n", "1[abcd|e]\n", "text after closing quote is appended");
	CHECK("\"a\",\"b\"\r\n", "1[a|b]\n", "quoted fields then CRLF");
	CHECK("\"a\"", "1[a]\n", "quoted field at EOF without newline");
	CHECK("a,\"x\0y\"\n", "1[a|x\\0y]\n", "NUL byte kept with its length");
	CHECK("\"Иван, \"\"Ваня\"\"\",Москва\n",
	      "1[Иван, \"Ваня\"|Москва]\n", "UTF-8 passes through");
}

static void test_bom(void)
{
	CHECK("\xEF\xBB\xBF" "email\nx@y.z\n", "1[email]\n2[x@y.z]\n", "BOM skipped");
	CHECK("\xEF\xBB\xBF", "", "only a BOM");
	CHECK("\xEF\xBB" "a\n", "1[\xEF\xBB" "a]\n", "half a BOM is data");
	CHECK("a,\xEF\xBB\xBF\n", "1[a|\xEF\xBB\xBF]\n", "BOM later is data");
}

static void test_unterminated(void)
{
	CHECK("a,b\n1,\"open\n2,3\n",
	      "1[a|b]\n2!unterminated quoted field\n",
	      "unterminated quote at EOF: error with the record's line");
	CHECK("a\n\"x\",\"y\nz",
	      "1[a]\n2!unterminated quoted field\n", "unterminated second field");
	CHECK("a\nb,\nc,\"\n",
	      "1[a]\n2[b|]\n3!unterminated quoted field\n", "lone quote at the end");
}

static void test_delimiters(void)
{
	struct tn_csv *r;
	struct tn_err err;
	char *got;
	static const char semi[] = "\xEF\xBB\xBF" "email;name\r\nx@y.z;\"A; B\"\r\n";

	next_delim = TN_CSV_DETECT;
	CHECK("email;name\nx@y.z;\"A; B\"\n", "1[email|name]\n2[x@y.z|A; B]\n",
	      "semicolons told from the header");
	is_int(last_delim, ';', "and reported");
	next_delim = TN_CSV_DETECT;
	CHECK("email\tname\nx@y.z\t\"A\tB\"\n", "1[email|name]\n2[x@y.z|A\tB]\n",
	      "tabs told from the header");
	is_int(last_delim, '\t', "and reported");
	next_delim = TN_CSV_DETECT;
	CHECK("a;b,c\n1;2,3\n", "1[a;b|c]\n2[1;2|3]\n", "a comma in the header wins");
	is_int(last_delim, ',', "a comma");
	next_delim = TN_CSV_DETECT;
	CHECK("\"a,b\";c\n1;2\n", "1[a,b|c]\n2[1|2]\n", "commas inside quotes do not count");
	next_delim = TN_CSV_DETECT;
	CHECK("email\nx,y\n", "1[email]\n2[x|y]\n", "one column: commas");
	next_delim = TN_CSV_DETECT;
	CHECK("a;b\tc;d\n", "1[a|b\tc|d]\n", "more semicolons than tabs");
	next_delim = TN_CSV_DETECT;
	CHECK("\n\r\nemail;name\nx;y\n", "3[email|name]\n4[x|y]\n",
	      "blank lines before the header");
	next_delim = TN_CSV_DETECT;
	CHECK("", "", "nothing to tell it from");
	next_delim = ';';
	CHECK("a,b;c\n", "1[a,b|c]\n", "a named semicolon");
	next_delim = '|';
	CHECK("a|\"b|c\"|d\n", "1[a|b|c|d]\n", "a named bar");
	next_delim = TN_CSV_DETECT;
	got = render_trickle(semi, sizeof(semi) - 1);
	is_str(got, "1[email|name]\n2[x@y.z|A; B]\n", "told one byte at a time through a pipe");
	free(got);
	ok(tn_csv_open_file(stdin, &r, &err) == TN_OK, "open");
	is_int(tn_csv_set_delimiter(r, 'x'), TN_USAGE, "'x' is no separator");
	is_int(tn_csv_set_delimiter(r, '"'), TN_USAGE, "nor is a quote");
	is_int(tn_csv_delimiter(r), ',', "a comma by default");
	tn_csv_free(r);
}

static void test_trickle(void)
{
	static const char in[] = "\xEF\xBB\xBF" "a,\"b\"\"c\"\r\n\r\n\"x\ny\",z\r\n";
	char *got = render_trickle(in, sizeof(in) - 1);

	is_str(got, "1[a|b\"c]\n3[x\\ny|z]\n", "one byte at a time through a pipe");
	free(got);
}

/* Puts "\r\n" or "\"\"" across the 64 KiB read buffer's edge. */
static void test_buffer_edges(void)
{
	size_t n = 65536 + 100, pad;
	char *in = malloc(n + 64), *got, want[256];
	struct tn_buf exp = TN_BUF_INIT;

	for (pad = 65533; pad <= 65536; pad++) {
		/* line 1: 'x' * (pad-1) then CR at pad-1 ... */
		memset(in, 'x', pad - 1);
		memcpy(in + pad - 1, "\r\n\"q\"\"r\",s\r\n", 12);
		got = render_mem(in, pad - 1 + 12);
		tn_buf_reset(&exp);
		tn_buf_add(&exp, "1[");
		tn_buf_addn(&exp, in, pad - 1);
		tn_buf_add(&exp, "]\n2[q\"r|s]\n");
		snprintf(want, sizeof(want), "CRLF and doubled quote near the buffer edge (%zu)", pad);
		is_str(got, exp.data, "%s", want);
		free(got);
	}
	tn_buf_free(&exp);
	free(in);
}

static void test_long_field(void)
{
	size_t n = 3u << 20, len;
	char *in = malloc(n + 16);
	struct tn_csv *r;
	struct tn_err err;
	FILE *f;
	int got = 0;
	const char *field;

	in[0] = '"';
	memset(in + 1, 'y', n);
	memcpy(in + 1 + n, "\",end\n", 6);
	f = fmemopen(in, n + 7, "r");
	ok(f && tn_csv_open_file(f, &r, &err) == TN_OK, "open long input");
	ok(tn_csv_next(r, &got, &err) == TN_OK && got, "a 3 MiB quoted field is read");
	field = tn_csv_field(r, 0, &len);
	is_int(len, n, "its length");
	ok(field && field[0] == 'y' && field[n - 1] == 'y' && field[n] == '\0', "its content");
	is_str(tn_csv_field(r, 1, NULL), "end", "the field after it");
	ok(tn_csv_field(r, 2, NULL) == NULL, "no third field");
	ok(tn_csv_next(r, &got, &err) == TN_OK && !got, "then EOF");
	ok(tn_csv_offset(r) == n + 7, "offset counts every byte");
	tn_csv_free(r);
	fclose(f);
	free(in);
}

static void test_limits(void)
{
	size_t n = TN_CSV_MAX_RECORD + 10, i;
	char *in = malloc(n + 64);
	char *got;
	struct tn_buf exp = TN_BUF_INIT;

	memcpy(in, "h\n\"", 3);
	memset(in + 3, 'z', n);
	memcpy(in + 3 + n, "\nstill\",x\nnext\n", 15);
	got = render_mem(in, n + 18);
	tn_buf_addf(&exp, "1[h]\n2!record longer than %u bytes\n4[next]\n",
		    TN_CSV_MAX_RECORD);
	is_str(got, exp.data, "an oversized record is skipped whole, reading goes on");
	free(got);
	free(in);

	n = TN_CSV_MAX_FIELDS + 5;
	in = malloc(n + 16);
	for (i = 0; i < n; i++)
		in[i] = ',';
	memcpy(in + n, "\nok\n", 4);
	got = render_mem(in, n + 4);
	tn_buf_reset(&exp);
	tn_buf_addf(&exp, "1!record has more than %d fields\n2[ok]\n", TN_CSV_MAX_FIELDS);
	is_str(got, exp.data, "too many fields");
	free(got);
	free(in);
	tn_buf_free(&exp);
}

static void test_fd_file(void)
{
	char dir[256], path[300], *got;
	int fd;
	struct tn_csv *r;
	struct tn_err err;

	if (!tap_tmpdir(dir, sizeof(dir))) {
		ok(0, "tmpdir");
		return;
	}
	snprintf(path, sizeof(path), "%s/in.csv", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ok(fd >= 0 && write(fd, "e,n\r\na@b.c,\"A, B\"\r\n", 19) == 19, "write file");
	close(fd);
	fd = open(path, O_RDONLY);
	ok(tn_csv_open_fd(fd, &r, &err) == TN_OK, "open fd");
	got = render_reader(r);
	is_str(got, "1[e|n]\n2[a@b.c|A, B]\n", "read through a file descriptor");
	ok(tn_csv_offset(r) == 19, "offset is the file size at the end");
	free(got);
	tn_csv_free(r);
	close(fd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_basic();
	test_quotes();
	test_bom();
	test_unterminated();
	test_delimiters();
	test_trickle();
	test_buffer_edges();
	test_long_field();
	test_limits();
	test_fd_file();
	return tap_done();
}
