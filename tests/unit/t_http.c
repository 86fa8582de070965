/* Unit tests: calling a web API (http.h) against tests/api_fixture.py,
 * started by this test on a free loopback port: the headers sent
 * (User-Agent, Authorization, Idempotency-Key), the Link header's next
 * page, 429 with Retry-After and X-RateLimit-Reset, a wait too long, 5xx
 * retried for a GET and for an idempotent POST only, a timeout, 401/404,
 * a redirect not followed, the addresses refused, a non-JSON body, and the
 * token kept out of every message. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/http.h"

#define TOKEN "s3cret-T0KEN-abc"

static char tmp[256];
static pid_t server;
static int port;

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
		server = 0;
	}
}

/* Starts the fixture with the script at tmp/script.json; 0 when its
 * port is known. */
static int start_server(const char *top)
{
	char script[512], portfile[512], js[512], log[512], errfile[512], *text;
	pid_t parent = getpid();
	int i, fd;

	snprintf(script, sizeof(script), "%s/tests/api_fixture.py", top);
	snprintf(portfile, sizeof(portfile), "%s/port", tmp);
	snprintf(js, sizeof(js), "%s/script.json", tmp);
	snprintf(log, sizeof(log), "%s/requests.log", tmp);
	snprintf(errfile, sizeof(errfile), "%s/server.err", tmp);
	fflush(stdout);
	if ((server = fork()) < 0)
		return -1;
	if (server == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		if ((fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl("/usr/bin/python3", "python3", script, "--port-file", portfile,
		      "--script", js, "--log", log, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if ((text = tap_slurp(portfile, NULL))) {
			port = atoi(text);
			free(text);
			return port > 0 ? 0 : -1;
		}
		if (waitpid(server, NULL, WNOHANG) == server)
			break;
		usleep(100000);
	}
	return -1;
}

static const char *url(const char *path)
{
	static char bufs[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "http://127.0.0.1:%d%s", port, path);
	return bufs[i];
}

/* The requests the fixture logged for path, counted; the last one's
 * header name (lower case) copied into value when asked. */
static int requests(const char *path, const char *header, char *value, size_t cap)
{
	char log[512], *text, *line, *save = NULL, want[300];
	int n = 0;

	snprintf(log, sizeof(log), "%s/requests.log", tmp);
	snprintf(want, sizeof(want), "\"path\": \"%s\"", path);
	if (value)
		value[0] = '\0';
	if (!(text = tap_slurp(log, NULL)))
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j, *h;

		if (!strstr(line, want))
			continue;
		n++;
		if (!header || !(j = cJSON_Parse(line)))
			continue;
		h = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "headers"),
						     header);
		if (value)
			snprintf(value, cap, "%s", cJSON_IsString(h) ? h->valuestring : "");
		cJSON_Delete(j);
	}
	free(text);
	return n;
}

struct waits {
	int n;
	double last;
	char why[32];
};

static void on_wait(void *ctx, double seconds, const char *why)
{
	struct waits *w = ctx;

	w->n++;
	w->last = seconds;
	snprintf(w->why, sizeof(w->why), "%s", why);
}

static void write_script(void)
{
	char path[512], reset[32];
	time_t soon = time(NULL) + 1;
	FILE *f;

	strftime(reset, sizeof(reset), "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&soon));
	snprintf(path, sizeof(path), "%s/script.json", tmp);
	f = fopen(path, "w");
	fprintf(f,
		"{\"routes\": ["
		"{\"path\": \"/ok\", \"responses\": [{\"status\": 200, \"json\": [1, 2],"
		"  \"headers\": {\"Link\": \"<http://other.example/prev>; rel=\\\"prev\\\", "
		"</next?max_id=5>; rel=\\\"next\\\"\"}}]},"
		"{\"path\": \"/last\", \"responses\": [{\"status\": 200, \"json\": [],"
		"  \"headers\": {\"Link\": \"<http://127.0.0.1:{port}/p>; rel=\\\"prev\\\"\"}}]},"
		"{\"path\": \"/limited\", \"responses\": [{\"status\": 429,"
		"  \"headers\": {\"Retry-After\": \"1\"}}, {\"status\": 200, \"json\": {}}]},"
		"{\"path\": \"/reset\", \"responses\": [{\"status\": 429,"
		"  \"headers\": {\"X-RateLimit-Reset\": \"%s\"}}, {\"status\": 200, \"json\": {}}]},"
		"{\"path\": \"/later\", \"responses\": [{\"status\": 429,"
		"  \"headers\": {\"Retry-After\": \"3600\"}}]},"
		"{\"path\": \"/flaky\", \"responses\": [{\"status\": 503}, {\"status\": 502},"
		"  {\"status\": 200, \"json\": {\"ok\": true}}]},"
		"{\"method\": \"POST\", \"path\": \"/post\", \"responses\": [{\"status\": 503},"
		"  {\"status\": 200, \"json\": {\"id\": 1}}]},"
		"{\"method\": \"POST\", \"path\": \"/post-once\", \"responses\": [{\"status\": 503},"
		"  {\"status\": 200, \"json\": {\"id\": 1}}]},"
		"{\"path\": \"/down\", \"responses\": [{\"status\": 503}]},"
		"{\"path\": \"/slow\", \"responses\": [{\"status\": 200, \"json\": {}, \"delay\": 3}]},"
		"{\"path\": \"/unauth\", \"responses\": [{\"status\": 401,"
		"  \"json\": {\"error\": \"The access token is invalid\"}}]},"
		"{\"path\": \"/echo\", \"responses\": [{\"status\": 403,"
		"  \"json\": {\"error\": \"token " TOKEN " is revoked\"}}]},"
		"{\"path\": \"/moved\", \"responses\": [{\"status\": 302,"
		"  \"headers\": {\"Location\": \"http://127.0.0.1:{port}/ok\"}}]},"
		"{\"path\": \"/text\", \"responses\": [{\"status\": 200, \"body\": \"<html>\"}]}"
		"]}", reset);
	fclose(f);
}

int main(void)
{
	const char *top = getenv("TN_TOP") ? getenv("TN_TOP") : ".";
	struct tn_err err = TN_ERR_INIT;
	struct tn_http_response res;
	struct waits w = { 0 };
	struct tn_http_opts o = { .what = "channel 'masto'", .bearer = TOKEN,
				  .backoff = 0.05, .on_wait = on_wait, .ctx = &w };
	char value[256];
	cJSON *j = NULL;
	tn_code rc;

	if (!tap_tmpdir(tmp, sizeof(tmp))) {
		printf("Bail out! no scratch directory\n");
		return 1;
	}
	write_script();
	if (start_server(top) != 0) {
		printf("Bail out! tests/api_fixture.py did not start\n");
		return 1;
	}

	/* addresses */
	ok(tn_http_url_allowed("https://mastodon.example/api/v1/x"), "https is allowed");
	ok(tn_http_url_allowed("http://127.0.0.1:8080/x"), "http to 127.0.0.1 is allowed");
	ok(tn_http_url_allowed("http://localhost/x"), "http to localhost is allowed");
	ok(tn_http_url_allowed("http://[::1]:80/x"), "http to ::1 is allowed");
	ok(!tn_http_url_allowed("http://mastodon.example/x"), "plain http elsewhere is not");
	ok(!tn_http_url_allowed("ftp://127.0.0.1/x"), "nor another scheme");
	ok(!tn_http_url_allowed("not a url"), "nor what is no URL");
	rc = tn_http_get("http://mastodon.example/api", &o, &res, &err);
	is_int(rc, TN_USAGE, "a GET over plain http to another host is refused");
	is_str(err.field, "url", "about the url");

	/* an answer, its Link, the headers sent */
	rc = tn_http_get(url("/ok"), &o, &res, &err);
	is_int(rc, TN_OK, "GET 200");
	is_int(res.status, 200, "the status");
	is_str(res.body, "[1, 2]", "the body");
	is_str(res.next, url("/next?max_id=5"), "Link rel=next, made absolute");
	is_int(tn_http_json(&res, "x", &j, &err), TN_OK, "the body is JSON");
	ok(cJSON_GetArraySize(j) == 2, "an array of two");
	cJSON_Delete(j);
	tn_http_response_clear(&res);
	requests("/ok", "user-agent", value, sizeof(value));
	ok(strncmp(value, "turnout/", 8) == 0, "User-Agent names turnout (%s)", value);
	requests("/ok", "authorization", value, sizeof(value));
	is_str(value, "Bearer " TOKEN, "the bearer token is sent");
	rc = tn_http_get(url("/last"), &o, &res, &err);
	ok(rc == TN_OK && res.next == NULL, "no rel=next: no next page");
	tn_http_response_clear(&res);

	/* 429 */
	w.n = 0;
	rc = tn_http_get(url("/limited"), &o, &res, &err);
	is_int(rc, TN_OK, "429 with Retry-After, then 200");
	ok(w.n == 1 && w.last == 1.0 && strcmp(w.why, "429") == 0,
	   "waited the second Retry-After asked (%d waits, %.2f s, %s)", w.n, w.last, w.why);
	is_int(requests("/limited", NULL, NULL, 0), 2, "two requests");
	tn_http_response_clear(&res);
	w.n = 0;
	rc = tn_http_get(url("/reset"), &o, &res, &err);
	is_int(rc, TN_OK, "429 with X-RateLimit-Reset (ISO 8601), then 200");
	ok(w.n == 1 && w.last <= 2.0, "waited until the reset (%.2f s)", w.last);
	tn_http_response_clear(&res);
	w.n = 0;
	rc = tn_http_get(url("/later"), &o, &res, &err);
	is_int(rc, TN_FAIL, "a 429 asking for an hour fails at once");
	ok(w.n == 0 && strstr(err.msg, "429") && strstr(err.hint, "3600"),
	   "saying how long it asks (%s; %s)", err.msg, err.hint);

	/* 5xx */
	w.n = 0;
	rc = tn_http_get(url("/flaky"), &o, &res, &err);
	is_int(rc, TN_OK, "503, 502, then 200 for a GET");
	ok(w.n == 2 && strcmp(w.why, "502") == 0, "two backoffs (%d, %s)", w.n, w.why);
	tn_http_response_clear(&res);
	o.retries = 2;
	rc = tn_http_get(url("/down"), &o, &res, &err);
	is_int(rc, TN_FAIL, "a server down for good fails");
	ok(strstr(err.msg, "503") && strstr(err.hint, "3 attempts"),
	   "after the retries, naming the status (%s; %s)", err.msg, err.hint);
	is_int(requests("/down", NULL, NULL, 0), 3, "1 + 2 retries");
	o.retries = 0;
	rc = tn_http_post(url("/post-once"), "application/x-www-form-urlencoded", "a=1", 3,
			  &o, &res, &err);
	is_int(rc, TN_FAIL, "a POST that is not idempotent is not sent again after a 503");
	is_int(requests("/post-once", NULL, NULL, 0), 1, "one request");
	o.idempotent = 1;
	o.idempotency_key = "key-123";
	rc = tn_http_post(url("/post"), "application/x-www-form-urlencoded", "a=1", 3,
			  &o, &res, &err);
	is_int(rc, TN_OK, "an idempotent POST is retried after a 503");
	is_int(requests("/post", "idempotency-key", value, sizeof(value)), 2, "two requests");
	is_str(value, "key-123", "with the same Idempotency-Key");
	tn_http_response_clear(&res);
	o.idempotent = 0;
	o.idempotency_key = NULL;

	/* timeout */
	o.timeout = 1;
	o.retries = -1;
	rc = tn_http_get(url("/slow"), &o, &res, &err);
	is_int(rc, TN_FAIL, "an answer slower than the timeout fails");
	ok(strstr(err.msg, "no answer in time") != NULL, "saying so (%s)", err.msg);
	o.timeout = 0;
	o.retries = 0;

	/* refusals */
	rc = tn_http_get(url("/unauth"), &o, &res, &err);
	is_int(rc, TN_FAIL, "401");
	ok(strstr(err.msg, "channel 'masto'") && strstr(err.msg, "refused the token") &&
	   strstr(err.msg, "access token is invalid") && strstr(err.hint, "channel token"),
	   "names the channel, the server's words and the fix (%s; %s)", err.msg, err.hint);
	rc = tn_http_get(url("/echo"), &o, &res, &err);
	is_int(rc, TN_FAIL, "403");
	ok(!strstr(err.msg, TOKEN) && !strstr(err.hint, TOKEN),
	   "words that hold the token are left out (%s)", err.msg);
	rc = tn_http_get(url("/nowhere"), &o, &res, &err);
	is_int(rc, TN_NOTFOUND, "404");
	rc = tn_http_get(url("/moved"), &o, &res, &err);
	is_int(rc, TN_FAIL, "a redirect is not followed");
	is_int(requests("/ok", NULL, NULL, 0), 1, "the redirect's target was not asked");

	/* not JSON */
	rc = tn_http_get(url("/text"), &o, &res, &err);
	is_int(rc, TN_OK, "a text answer");
	is_int(tn_http_json(&res, "channel 'masto'", &j, &err), TN_BADINPUT, "is not JSON");
	ok(strstr(err.msg, "not JSON") != NULL, "saying so (%s)", err.msg);
	tn_http_response_clear(&res);

	/* no server */
	stop_server();
	o.retries = 1;
	w.n = 0;
	rc = tn_http_get(url("/bot" TOKEN "/getMe"), &o, &res, &err);
	is_int(rc, TN_FAIL, "no server");
	ok(w.n == 1 && strstr(err.msg, "channel 'masto'") && !strstr(err.msg, TOKEN),
	   "one retry, the channel named and the URL's path not in the message (%s)",
	   err.msg);
	return tap_done();
}
