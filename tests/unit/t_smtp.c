/* Unit tests: SMTP delivery (smtp.h) against tests/smtp_sink.py, an
 * aiosmtpd server this test starts on a free loopback port for each case
 * and stops again (at exit too, and the kernel ends it if this process
 * dies). Checks connection reuse, byte-exact delivery and dot-stuffing,
 * the classification of 550, 451, a dropped connection, no server, AUTH
 * and TLS failures, the server's words in the result, bad URLs, the
 * password kept out of every text, and addresses that could inject
 * commands. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/net.h"
#include "turnout/smtp.h"

static char tmp[256];
static const char *top;

/* A running sink: its process, port, and where it writes. */
struct sink {
	pid_t pid;
	int port;
	char dir[512];     /* messages: NNN.eml, NNN.env */
	char log[512];
};

static pid_t running[32];
static int nrunning;

/* path of name under the scratch directory, in one of four rotating buffers */
static const char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...)
{
	static char bufs[4][1024];
	static int i;
	int n;
	va_list ap;

	i = (i + 1) % 4;
	n = snprintf(bufs[i], sizeof(bufs[i]), "%s/", tmp);
	va_start(ap, fmt);
	vsnprintf(bufs[i] + n, sizeof(bufs[i]) - (size_t)n, fmt, ap);
	va_end(ap);
	return bufs[i];
}

/* 1 if path holds exactly data[0..len). */
static int holds(const char *path, const char *data, size_t len)
{
	size_t got = 0;
	char *text = tap_slurp(path, &got);
	int same = text && got == len && memcmp(text, data, len) == 0;

	free(text);
	return same;
}

/* Lines of the sink's log equal to line, or starting with line and a
 * space when line ends in '*' ("ehlo *"). */
static int log_count(const struct sink *k, const char *line)
{
	size_t len = 0, n = strlen(line);
	char *text = tap_slurp(k->log, &len), *p, *nl;
	int count = 0, prefix = n > 0 && line[n - 1] == '*';

	for (p = text; p && *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			break;
		if (prefix ? strncmp(p, line, n - 1) == 0
			   : (size_t)(nl - p) == n && strncmp(p, line, n) == 0)
			count++;
	}
	free(text);
	return count;
}

static void stop_pid(pid_t pid)
{
	int i;

	kill(pid, SIGTERM);
	/* a sink ends within milliseconds; one that does not is killed */
	for (i = 0; i < 100 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void sink_stop(struct sink *k)
{
	int i;

	if (k->pid <= 0)
		return;
	stop_pid(k->pid);
	for (i = 0; i < nrunning; i++)
		if (running[i] == k->pid)
			running[i] = running[--nrunning];
	k->pid = 0;
}

static void stop_all(void)
{
	while (nrunning > 0)
		stop_pid(running[--nrunning]);
}

/* Starts a sink named name (its files under the scratch directory) with
 * the extra arguments args (NULL-terminated) and waits for its port.
 * 0 on success. */
static int sink_start(struct sink *k, const char *name, const char *const *args)
{
	char script[512], portfile[512], errfile[512];
	const char *argv[32];
	pid_t parent = getpid();
	size_t len = 0;
	int n = 0, i, fd;
	char *text;

	memset(k, 0, sizeof(*k));
	snprintf(k->dir, sizeof(k->dir), "%s", at("%s", name));
	snprintf(k->log, sizeof(k->log), "%s", at("%s.log", name));
	snprintf(portfile, sizeof(portfile), "%s", at("%s.port", name));
	snprintf(errfile, sizeof(errfile), "%s", at("%s.err", name));
	snprintf(script, sizeof(script), "%s/tests/smtp_sink.py", top);
	if (mkdir(k->dir, 0700) != 0)
		return -1;
	argv[n++] = "/usr/bin/python3";
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--dir";
	argv[n++] = k->dir;
	argv[n++] = "--log";
	argv[n++] = k->log;
	for (i = 0; args && args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	if ((k->pid = fork()) < 0)
		return -1;
	if (k->pid == 0) {
		/* the sink dies with this test, however it ends */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	running[nrunning++] = k->pid;
	/* the port file appears within a second; 30 s means it never will */
	for (i = 0; i < 300; i++) {
		if ((text = tap_slurp(portfile, &len))) {
			k->port = atoi(text);
			free(text);
			return k->port > 0 ? 0 : -1;
		}
		if (waitpid(k->pid, NULL, WNOHANG) == k->pid)
			break;
		usleep(100000);
	}
	printf("# sink '%s' did not start; its stderr:\n", name);
	if ((text = tap_slurp(errfile, &len))) {
		printf("# %s\n", text);
		free(text);
	}
	sink_stop(k);
	return -1;
}

/* A URL for the sink: userinfo may be "" or "user:password@". */
static const char *url(const struct sink *k, const char *userinfo, const char *path)
{
	static char bufs[2][512];
	static int i;

	i = !i;
	snprintf(bufs[i], sizeof(bufs[i]), "smtp://%s127.0.0.1:%d%s", userinfo, k->port, path);
	return bufs[i];
}

static tn_code send_text(struct tn_smtp *s, const char *text, struct tn_smtp_result *r)
{
	return tn_smtp_send(s, "org@example.org", "anna@example.net", text, strlen(text), r);
}

static const char msg1[] =
	"From: org@example.org\r\nTo: anna@example.net\r\nSubject: one\r\n"
	"Message-ID: <1@example.org>\r\n\r\nfirst\r\n";
static const char msg2[] =
	"From: org@example.org\r\nTo: anna@example.net\r\nSubject: two\r\n"
	"Message-ID: <2@example.org>\r\n\r\nsecond\r\n";
/* lines a server would take for the end of the data or unstuff wrongly */
static const char dots[] =
	"From: org@example.org\r\nTo: anna@example.net\r\nSubject: dots\r\n\r\n"
	".\r\n..\r\n.hidden\r\n..two dots\r\n. \r\nend\r\n.\r\n";

static void test_reuse(void)
{
	const char *envelope = "MAIL FROM:<org@example.org>\nRCPT TO:<anna@example.net>\n";
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;
	char *big;
	size_t i, n = 300 * 1000;

	if (!ok(sink_start(&k, "reuse", NULL) == 0, "sink started"))
		return;
	/* a large message too: many reads, lines of 998 octets */
	big = malloc(n + 1);
	memcpy(big, "Subject: big\r\n\r\n", 16);
	for (i = 16; i < n; i++)
		big[i] = (i - 16) % 1000 == 998 ? '\r' : (i - 16) % 1000 == 999 ? '\n'
						   : (char)('a' + i % 26);
	big[n - 2] = '\r';
	big[n - 1] = '\n';
	big[n] = '\0';
	is_int(tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err), TN_OK, "open: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_OK, "first message sent: %s", r.text);
	is_int(r.code, 250, "the server's code");
	is_str(r.text, "", "no text on success");
	is_int(send_text(s, msg2, &r), TN_OK, "second message sent: %s", r.text);
	is_int(send_text(s, big, &r), TN_OK, "a 300 kB message sent: %s", r.text);
	is_int(send_text(s, dots, &r), TN_OK, "a message with dot lines sent: %s", r.text);
	tn_smtp_close(s);
	is_int(log_count(&k, "connect"), 1, "four messages over one connection");
	is_int(log_count(&k, "ehlo turnout.test"), 1, "one EHLO, with the URL's domain");
	is_int(log_count(&k, "data *"), 4, "four messages accepted");
	ok(holds(at("reuse/001.eml"), msg1, strlen(msg1)), "first message arrived byte for byte");
	ok(holds(at("reuse/002.eml"), msg2, strlen(msg2)), "second message arrived byte for byte");
	ok(holds(at("reuse/003.eml"), big, n), "the large message arrived byte for byte");
	ok(holds(at("reuse/004.eml"), dots, strlen(dots)), "lines starting with '.' arrive intact");
	ok(holds(at("reuse/001.env"), envelope, strlen(envelope)),
	   "the envelope has the sender and the recipient");
	free(big);
	sink_stop(&k);
}

static void test_ehlo_default(void)
{
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "ehlo", NULL) == 0, "sink started"))
		return;
	is_int(tn_smtp_open(url(&k, "", ""), &s, &err), TN_OK, "open without a path: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_OK, "sent: %s", r.text);
	tn_smtp_close(s);
	is_int(log_count(&k, "ehlo example.org"), 1, "EHLO names the sender's domain");
	sink_stop(&k);
}

static void test_reject(void)
{
	const char *const args[] = { "--mode", "reject", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "reject", args) == 0, "sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	is_int(send_text(s, msg1, &r), TN_FAIL, "a refused message fails");
	is_int(r.code, 550, "with the server's code");
	is_int(r.temporary, 0, "550 is permanent");
	is_int(r.session, 0, "and about this message");
	is_str(r.text, "550 5.7.1 rejected by test server", "the server's own words");
	tn_smtp_close(s);
	sink_stop(&k);
}

static void test_bad_recipient(void)
{
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "rcpt", NULL) == 0, "sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	is_int(tn_smtp_send(s, "org@example.org", "nobody@example.net", msg1, strlen(msg1), &r),
	       TN_FAIL, "a refused recipient fails");
	is_int(r.code, 550, "code 550");
	ok(!r.temporary && !r.session, "permanent, about this message");
	is_str(r.text, "550 5.1.1 no such user", "the server's words");
	is_int(send_text(s, msg2, &r), TN_OK, "the next message goes: %s", r.text);
	ok(holds(at("rcpt/001.eml"), msg2, strlen(msg2)), "and arrives");
	tn_smtp_close(s);
	sink_stop(&k);
}

static void test_tempfail(void)
{
	const char *const args[] = { "--mode", "tempfail-first", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "tempfail", args) == 0, "sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	is_int(send_text(s, msg1, &r), TN_FAIL, "451: the message is not sent");
	is_int(r.code, 451, "code 451");
	is_int(r.temporary, 1, "451 is temporary");
	is_int(r.session, 0, "about this message");
	is_str(r.text, "451 4.3.0 try again later", "the server's own words");
	is_int(send_text(s, msg1, &r), TN_OK, "the retry is sent: %s", r.text);
	is_int(r.temporary, 0, "success is not temporary");
	tn_smtp_close(s);
	ok(holds(at("tempfail/001.eml"), msg1, strlen(msg1)), "the message arrived once");
	ok(access(at("tempfail/002.eml"), F_OK) != 0, "and only once");
	sink_stop(&k);
}

static void test_drop(void)
{
	const char *const args[] = { "--mode", "drop-after:2", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "drop", args) == 0, "sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	is_int(send_text(s, msg1, &r), TN_OK, "first sent");
	is_int(send_text(s, msg2, &r), TN_OK, "second sent");
	is_int(send_text(s, dots, &r), TN_FAIL, "the connection drops at the third");
	is_int(r.code, 0, "no reply code");
	is_int(r.temporary, 1, "a dropped connection is temporary");
	ok(r.text[0] != '\0', "libcurl's words: %s", r.text);
	is_int(send_text(s, dots, &r), TN_OK, "the next send reconnects by itself: %s", r.text);
	tn_smtp_close(s);
	is_int(log_count(&k, "connect"), 2, "two connections");
	is_int(log_count(&k, "ehlo turnout.test"), 2, "two EHLOs");
	ok(holds(at("drop/003.eml"), dots, strlen(dots)), "the third message arrived after all");
	sink_stop(&k);
}

static void test_auth(void)
{
	/* a password that must be percent-encoded in the URL */
	const char *const args[] = { "--auth", "alice:p@ss:w/rd", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "auth", args) == 0, "sink started"))
		return;
	is_int(tn_smtp_open(url(&k, "alice:p%40ss%3Aw%2Frd@", "/turnout.test"), &s, &err),
	       TN_OK, "open: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_OK, "sent with AUTH: %s", r.text);
	is_int(send_text(s, msg2, &r), TN_OK, "and again: %s", r.text);
	tn_smtp_close(s);
	is_int(log_count(&k, "auth alice ok"), 1, "one AUTH, with the decoded password");
	is_int(log_count(&k, "connect"), 1, "one connection");

	is_int(tn_smtp_open(url(&k, "alice:wrong-secret@", "/turnout.test"), &s, &err),
	       TN_OK, "open: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_FAIL, "a wrong password fails");
	is_int(r.code, 535, "code 535");
	is_int(r.temporary, 0, "535 is permanent");
	is_int(r.session, 1, "and no fault of the message");
	ok(strncmp(r.text, "535 ", 4) == 0, "the server's words: %s", r.text);
	ok(!strstr(r.text, "wrong-secret"), "no password in the text");
	tn_smtp_close(s);
	is_int(log_count(&k, "auth alice failed"), 1, "the server saw the wrong password");

	is_int(tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err), TN_OK, "open: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_FAIL, "no credentials where AUTH is required fails");
	is_int(r.code, 530, "code 530");
	is_int(r.temporary, 0, "530 is permanent");
	tn_smtp_close(s);
	ok(access(at("auth/003.eml"), F_OK) != 0, "only the two messages arrived");
	sink_stop(&k);
}

static void test_no_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	char u[128];
	int fd;

	/* a port bound but not listening: nothing else can take it, and a
	 * connection to it is refused */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!ok(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		getsockname(fd, (struct sockaddr *)&a, &alen) == 0, "a port with no server"))
		return;
	snprintf(u, sizeof(u), "smtp://127.0.0.1:%d/turnout.test", ntohs(a.sin_port));
	is_int(tn_smtp_open(u, &s, &err), TN_OK, "open does not connect");
	is_int(send_text(s, msg1, &r), TN_FAIL, "no server: the send fails");
	is_int(r.code, 0, "no reply code");
	is_int(r.temporary, 1, "temporary");
	is_int(r.session, 1, "no fault of the message");
	ok(strstr(r.text, "onnect") != NULL, "libcurl's words: %s", r.text);
	tn_smtp_close(s);
	close(fd);
}

/* 1 if this machine's name is not localhost and resolves to 127.0.0.1
 * only (Debian's /etc/hosts): a host that is not loopback by its name
 * but reaches the sink. */
static int loopback_by_another_name(char *name, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *p;
	int only = 1;

	if (gethostname(name, len) != 0 || !*name || strcasecmp(name, "localhost") == 0 ||
	    strchr(name, ':') || getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (p = res; p; p = p->ai_next)
		only = only && p->ai_family == AF_INET &&
		       ((struct sockaddr_in *)p->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	freeaddrinfo(res);
	return only;
}

static void test_tls(void)
{
	const char *const starttls[] = { "--starttls", NULL };
	const char *const smtps[] = { "--smtps", NULL };
	const char *const auth[] = { "--auth", "alice:s3cret-pw", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;
	char host[256], u[512];

	if (ok(sink_start(&k, "starttls", starttls) == 0, "STARTTLS sink started")) {
		tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
		is_int(send_text(s, msg1, &r), TN_FAIL, "a certificate no CA signed fails");
		is_int(log_count(&k, "starttls"), 1, "STARTTLS was used because it was offered");
		ok(r.code == 0 && !r.temporary && r.session, "permanent, before the message: %s", r.text);
		tn_smtp_close(s);
		is_int(log_count(&k, "mail *"), 0, "no MAIL FROM in clear after the failure");
		sink_stop(&k);
	}
	if (ok(sink_start(&k, "smtps", smtps) == 0, "smtps sink started")) {
		snprintf(u, sizeof(u), "smtps://127.0.0.1:%d/turnout.test", k.port);
		tn_smtp_open(u, &s, &err);
		is_int(send_text(s, msg1, &r), TN_FAIL, "smtps: the certificate is verified");
		ok(r.code == 0 && !r.temporary && r.session, "permanent, before the message: %s", r.text);
		tn_smtp_close(s);
		is_int(log_count(&k, "ehlo *"), 0, "nothing said before TLS");
		sink_stop(&k);
	}
	if (!loopback_by_another_name(host, sizeof(host))) {
		ok(1, "a password for a host not on loopback needs TLS # SKIP this machine's name does not resolve to 127.0.0.1 only");
		return;
	}
	if (!ok(sink_start(&k, "cleartext", auth) == 0, "sink without STARTTLS started"))
		return;
	snprintf(u, sizeof(u), "smtp://alice:s3cret-pw@%s:%d/turnout.test", host, k.port);
	is_int(tn_smtp_open(u, &s, &err), TN_OK, "open: %s", err.msg);
	is_int(send_text(s, msg1, &r), TN_FAIL,
	       "a password for a host not on loopback needs TLS ('%s')", host);
	ok(r.code == 0 && !r.temporary && r.session, "permanent, before the message: %s", r.text);
	ok(!strstr(r.text, "s3cret-pw"), "no password in the text");
	tn_smtp_close(s);
	is_int(log_count(&k, "ehlo turnout.test"), 1, "the server was reached");
	is_int(log_count(&k, "auth *"), 0, "and no password was sent in clear");
	sink_stop(&k);
}

static void test_bad_urls(void)
{
	static const char *const bad[] = {
		"http://127.0.0.1/", "imap://h/", "smtp://", "smtp:///x", "smtp:/x",
		"garbage", "", "smtp://h:99999/", "smtp://h:0/", "smtp://h/a/b",
		"smtp://h/?q=1", "smtp://h/#top", "smtp://h/t%0Ax", "smtp://h/über.example",
		"smtp://alice:p@ss@h/",
	};
	struct tn_smtp *s;
	struct tn_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = (struct tn_smtp *)&err;
		err.msg[0] = '\0';
		is_int(tn_smtp_open(bad[i], &s, &err), TN_USAGE, "'%s' is refused: %s", bad[i], err.msg);
		ok(s == NULL, "no session for '%s'", bad[i]);
		ok(strncmp(err.msg, "smtp url '", 10) == 0, "the message names the URL");
	}
	tn_smtp_open("smtp://alice:hunter2@h/?q=1", &s, &err);
	is_str(err.msg, "smtp url 'smtp://alice:***@h/?q=1': a query ('?…') has no meaning here",
	       "the message hides the password and says what is wrong");
	tn_smtp_open("smtp://alice:hunter2@:25/x", &s, &err);
	ok(!strstr(err.msg, "hunter2"), "a URL libcurl cannot read hides it too: %s", err.msg);
	tn_smtp_open("smtps://h/x", &s, &err);
	ok(s != NULL, "smtps:// is a URL");
	tn_smtp_close(s);
	tn_smtp_open("smtp://[::1]:2525/[192.0.2.1]", &s, &err);
	ok(s != NULL, "an IPv6 host and an address literal for EHLO");
	tn_smtp_close(s);
	tn_smtp_close(NULL);
}

static void test_display(void)
{
	static const char *const cases[][2] = {
		{ "smtp://alice:s3cret@mail.example.org:587/turnout.test",
		  "smtp://alice:***@mail.example.org:587/turnout.test" },
		{ "smtps://alice:p%40ss@mail.example.org/", "smtps://alice:***@mail.example.org/" },
		{ "smtps://mail.example.org", "smtps://mail.example.org" },
		{ "smtp://alice@mail.example.org", "smtp://alice@mail.example.org" },
		{ "smtp://alice:p@ss@mail.example.org/", "smtp://***@mail.example.org/" },
		{ "alice:secret@nowhere", "***@nowhere" },
		{ "", "" },
	};
	size_t i;
	char *d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = tn_net_url_display(cases[i][0]);
		is_str(d, cases[i][1], "display of '%s'", cases[i][0]);
		free(d);
	}
}

static void test_addresses(void)
{
	static const char *const bad[] = {
		"anna@example.net\r\nRCPT TO:<eve@example.net>", "anna@example.net\n",
		"<anna@example.net>", "anna@example.net> SIZE=1", "anna @example.net", "",
	};
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;
	size_t i;

	if (!ok(sink_start(&k, "addr", NULL) == 0, "sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(tn_smtp_send(s, "org@example.org", bad[i], msg1, strlen(msg1), &r),
		       TN_BADINPUT, "recipient #%zu refused: %s", i, r.text);
		is_int(tn_smtp_send(s, bad[i], "anna@example.net", msg1, strlen(msg1), &r),
		       TN_BADINPUT, "sender #%zu refused: %s", i, r.text);
	}
	is_int(r.temporary, 0, "not temporary");
	tn_smtp_close(s);
	is_int(log_count(&k, "connect"), 0, "nothing was sent");
	sink_stop(&k);
}

static void test_delay(void)
{
	const char *const args[] = { "--delay", "0.5", NULL };
	struct tn_smtp *s = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_smtp_result r;
	struct sink k;

	if (!ok(sink_start(&k, "delay", args) == 0, "slow sink started"))
		return;
	tn_smtp_open(url(&k, "", "/turnout.test"), &s, &err);
	is_int(send_text(s, msg1, &r), TN_OK, "a slow server's answer is waited for: %s", r.text);
	tn_smtp_close(s);
	ok(holds(at("delay/001.eml"), msg1, strlen(msg1)), "the message arrived");
	sink_stop(&k);
}

int main(void)
{
	char cmd[300];

	setvbuf(stdout, NULL, _IOLBF, 0);
	top = getenv("TN_TOP") ? getenv("TN_TOP") : ".";
	if (!tap_tmpdir(tmp, sizeof(tmp))) {
		printf("Bail out! no scratch directory\n");
		return 1;
	}
	atexit(stop_all);
	test_bad_urls();
	test_display();
	test_addresses();
	test_reuse();
	test_ehlo_default();
	test_reject();
	test_bad_recipient();
	test_tempfail();
	test_drop();
	test_auth();
	test_no_server();
	test_tls();
	test_delay();
	stop_all();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		ok(0, "scratch directory removed");
	return tap_done();
}
