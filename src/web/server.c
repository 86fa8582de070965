/*
 * web/server.c - the HTTP server: libmicrohttpd's daemon with its own
 * thread pool, one database connection per worker thread (a connection
 * is never shared between threads), and what every request goes through
 * before and after its page: the method, the path's checks, the route
 * (routes.c), POST bodies (size limit; forms decoded by libmicrohttpd's
 * post processor, or JSON for the API's routes, read whole), the Bearer
 * token of the API and the organizer's cookie, answers given later (a
 * suspended connection, resumed when the door's group commit is done:
 * commit.c), the security headers on every response (and a page's
 * redirect and cookie), one access-log line on stderr without tokens,
 * and a stop that lets the requests in flight finish. Pages are in their
 * own files.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "web/web.h"

/* The largest POST body: forms here hold a token or two. */
#define WEB_BODY_MAX 8192
#define WEB_DRAIN_MAX (4 * 1024 * 1024)   /* read and dropped before a 413 */

/* Nothing from elsewhere: no script, no font, no frame; styles inline;
 * forms post back to this server only. A page that needs more (the door
 * page's script) sets its own in web_response.csp. */
static const char csp[] =
	"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct web_server {
	struct MHD_Daemon *daemon;
	char *db_path;
	unsigned char key[32];
	int tls;                    /* serving HTTPS */
	pthread_key_t db_key;       /* each worker thread's tn_db */
	atomic_int in_flight;       /* requests begun and not yet completed */
	atomic_int stopping;
	struct web_committer *committer;
};

/* One request, from its first line to its completion. */
struct request {
	struct web_server *srv;
	struct timespec start;
	char *raw_path;             /* as sent, percent-encoded, without query */
	int begun;                  /* the handler has seen the headers */
	char method[16];            /* as the log shows it */
	unsigned method_bit;
	const struct web_route *route;
	char *param;
	char log_path[256];
	int status;
	size_t bytes;
	int responded;
	struct MHD_PostProcessor *pp;
	size_t body_len;
	int too_big, bad_body;
	struct web_form form;
	struct tn_buf body;         /* a JSON route's body */
	struct web_later *later;    /* answered once its work is done */
};

void web_log_error(const struct tn_err *err, tn_code code)
{
	fprintf(stderr, "turnout: serve: %s\n", err->msg[0] ? err->msg : tn_strerror(code));
}

static void close_db(void *db)
{
	tn_db_close(db);
}

/* This thread's connection, opened at its first request; NULL (and the
 * reason logged) when the database cannot be opened, tried again next time. */
static struct tn_db *thread_db(struct web_server *s)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_db *db = pthread_getspecific(s->db_key);
	tn_code rc;

	if (db)
		return db;
	if ((rc = tn_db_open(s->db_path, 0, &db, &err)) != TN_OK) {
		web_log_error(&err, rc);
		return NULL;
	}
	if (pthread_setspecific(s->db_key, db) != 0) {
		tn_db_close(db);
		return NULL;
	}
	return db;
}

/* ---- responses ----------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *conn, struct request *q,
			       struct web_response *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char disposition[128];

	r = MHD_create_response_from_buffer(rs->body.len, rs->body.data,
					    MHD_RESPMEM_MUST_COPY);
	if (!r) {
		tn_buf_free(&rs->body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				rs->type ? rs->type : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", rs->csp ? rs->csp : csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				rs->no_store ? "no-store" : "no-cache");
	if (rs->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
	if (rs->bearer_challenge)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (rs->location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rs->location);
	if (rs->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rs->set_cookie);
	if (rs->filename[0]) {
		snprintf(disposition, sizeof(disposition), "inline; filename=\"%s\"",
			 rs->filename);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	}
	if (atomic_load(&q->srv->stopping))   /* no next request on this connection */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	q->status = rs->status;
	q->bytes = q->method_bit == WEB_HEAD ? 0 : rs->body.len;
	q->responded = 1;
	tn_buf_free(&rs->body);
	return ret;
}

/* A plain status page (no detail); allow for a 405. */
static enum MHD_Result respond_status(struct MHD_Connection *conn, struct request *q,
				      int status, const char *allow)
{
	struct web_response rs = { .status = status, .allow = allow };

	tn_buf_init(&rs.body);
	rs.no_store = 1;
	if (q->route && (q->route->methods & WEB_JSON))
		web_respond_json_error(&rs, status, web_status_text(status), NULL);
	else
		web_respond_status(&rs, status);
	return respond(conn, q, &rs);
}

/* The token of "Authorization: Bearer TOKEN" (RFC 6750; the scheme in
 * any case), or NULL. */
static const char *bearer_token(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);

	if (!v || strncasecmp(v, "Bearer ", 7) != 0)
		return NULL;
	for (v += 7; *v == ' '; v++)
		;
	return *v ? v : NULL;
}

void web_later_done(struct web_later *l)
{
	MHD_resume_connection(l->conn);
}

/* Runs the route's page. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, struct request *q)
{
	struct web_request rq = {
		.method = q->method_bit,
		.param = q->param ? q->param : "",
		.form = &q->form,
		.body = q->body.data,
		.body_len = q->body.len,
		.bearer = bearer_token(conn),
		.organizer_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
								WEB_ORGANIZER_COOKIE),
		.https = q->srv->tls,
		.committer = q->srv->committer,
		.db = thread_db(q->srv),
		.key = q->srv->key,
	};
	struct web_response rs = { .status = 200 };

	tn_buf_init(&rs.body);
	q->route->fn(&rq, &rs);
	if (rs.later) {
		/* suspended before the work is handed over, so that it cannot
		 * be resumed before it was suspended */
		tn_buf_free(&rs.body);
		q->later = rs.later;
		q->later->conn = conn;
		MHD_suspend_connection(conn);
		q->later->start(q->later);
		return MHD_YES;
	}
	return respond(conn, q, &rs);
}

/* The work of a suspended request is done and it is resumed: its answer. */
static enum MHD_Result answer_later(struct MHD_Connection *conn, struct request *q)
{
	struct web_response rs = { .status = 200 };

	tn_buf_init(&rs.body);
	q->later->answer(q->later, &rs);
	return respond(conn, q, &rs);
}

/* ---- requests ------------------------------------------------------------ */

/* libmicrohttpd's first call for a request, with its first line only:
 * the request's own state begins here, with the path as it was sent
 * (the handler is given it decoded, which would hide an encoded NUL). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct web_server *s = cls;
	struct request *q = calloc(1, sizeof(*q));

	(void)conn;
	if (!q)
		return NULL;
	q->srv = s;
	clock_gettime(CLOCK_MONOTONIC, &q->start);
	q->raw_path = strndup(uri, strcspn(uri, "?"));
	tn_buf_init(&q->body);
	strcpy(q->log_path, "-");
	atomic_fetch_add(&s->in_flight, 1);
	return q;
}

/* 1 if the Content-Type type is want, with or without parameters. */
static int is_type(const char *type, const char *want)
{
	size_t n = strlen(want);

	return type && strncasecmp(type, want, n) == 0 &&
	       (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *filename, const char *content_type,
				const char *transfer_encoding, const char *data,
				uint64_t off, size_t size)
{
	struct request *q = cls;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	web_form_add(&q->form, key, data, (size_t)off, size);
	return q->form.bad ? MHD_NO : MHD_YES;
}

/* The largest body the request's route takes. */
static size_t body_max(const struct request *q)
{
	return q->route && (q->route->methods & WEB_JSON) ? WEB_JSON_MAX : WEB_BODY_MAX;
}

/* The headers have arrived: everything that can be refused before the
 * body is refused here (answered at once, the connection then closes). */
static enum MHD_Result begin(struct MHD_Connection *conn, struct request *q,
			    const char *method)
{
	const char *type, *length;
	char *path;
	size_t i;

	q->begun = 1;
	for (i = 0; method[i] && i + 1 < sizeof(q->method); i++)
		q->method[i] = method[i] >= 'A' && method[i] <= 'Z' ? method[i] : '?';
	q->method_bit = web_method(method);
	if (!q->raw_path || !(path = web_path_decode(q->raw_path)))
		return respond_status(conn, q, 400, NULL);
	q->route = web_route_find(path, &q->param);
	web_route_log_path(q->route, path, q->log_path, sizeof(q->log_path));
	free(path);
	if (!q->method_bit)
		return respond_status(conn, q, 405, "GET, HEAD, POST");
	if (!q->route)
		return respond_status(conn, q, 404, NULL);
	if (!(q->route->methods & q->method_bit))
		return respond_status(conn, q, 405, q->route->allow);
	if (q->method_bit != WEB_POST)   /* answered in the next call, which */
		return MHD_YES;          /* keeps the connection alive */
	type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!is_type(type, (q->route->methods & WEB_JSON) ? "application/json"
					  : "application/x-www-form-urlencoded"))
		return respond_status(conn, q, 415, NULL);
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					     MHD_HTTP_HEADER_CONTENT_LENGTH);
	/* A body somewhat too big is read to its end and then answered 413:
	 * answered at once, the connection would close under a client still
	 * sending, which then sees a reset instead of the answer. A body far
	 * too big is not worth reading. */
	if (length && strtoull(length, NULL, 10) > WEB_DRAIN_MAX)
		return respond_status(conn, q, 413, NULL);
	if (length && strtoull(length, NULL, 10) > body_max(q))
		q->too_big = 1;
	if ((q->route->methods & WEB_JSON))
		return MHD_YES;   /* read whole into q->body */
	if (!(q->pp = MHD_create_post_processor(conn, 1024, on_field, q)))
		return respond_status(conn, q, 415, NULL);
	return MHD_YES;
}

/* The whole body has arrived. */
static enum MHD_Result finish(struct MHD_Connection *conn, struct request *q)
{
	if (q->too_big)
		return respond_status(conn, q, 413, NULL);
	/* destroying the processor hands over the last field */
	if (q->pp && MHD_destroy_post_processor(q->pp) != MHD_YES)
		q->bad_body = 1;
	q->pp = NULL;
	if (q->bad_body || q->form.bad)
		return respond_status(conn, q, 400, NULL);
	return dispatch(conn, q);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct request *q = *con_cls;

	(void)cls, (void)url, (void)version;
	if (!q)   /* on_uri could not allocate */
		return MHD_NO;
	if (!q->begun)
		return begin(conn, q, method);
	if (q->later)   /* resumed: its work is done */
		return answer_later(conn, q);
	if (q->responded) {   /* refused early: the rest of the body is dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		q->body_len += *upload_size;
		if (q->body_len > WEB_DRAIN_MAX) {   /* past reading: answer now */
			*upload_size = 0;
			return respond_status(conn, q, 413, NULL);
		}
		if (q->body_len > body_max(q))
			q->too_big = 1;   /* read on, answer 413 at the end */
		else if (q->too_big || q->bad_body)
			;
		else if ((q->route->methods & WEB_JSON))
			q->bad_body = tn_buf_addn(&q->body, upload, *upload_size) != TN_OK;
		else if (MHD_post_process(q->pp, upload, *upload_size) != MHD_YES)
			q->bad_body = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	return finish(conn, q);
}

/* The access log: one line per request, when it is over. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode how)
{
	struct web_server *s = cls;
	struct request *q = *con_cls;
	struct timespec end;
	struct tm tm;
	time_t now = time(NULL);
	char when[32];
	double ms;

	(void)conn;
	if (!q)
		return;
	*con_cls = NULL;
	if (q->begun) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		ms = (double)(end.tv_sec - q->start.tv_sec) * 1e3 +
		     (double)(end.tv_nsec - q->start.tv_nsec) / 1e6;
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %s %s %d %zu %.1fms%s\n", when, q->method, q->log_path,
			q->status, q->bytes, ms,
			how == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
	}
	if (q->pp)
		MHD_destroy_post_processor(q->pp);
	web_form_free(&q->form);
	tn_buf_free(&q->body);
	if (q->later)
		q->later->release(q->later);
	free(q->param);
	free(q->raw_path);
	free(q);
	atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("turnout: serve: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ------------------------------------------------------ */

/* Reads "ADDR:PORT" or "[ADDR6]:PORT" into sa; *v6 says which. */
static tn_code parse_listen(const char *listen, struct sockaddr_storage *sa, int *v6,
			    struct tn_err *err)
{
	char host[64];
	const char *colon, *h = listen;
	size_t hlen;
	unsigned long port;
	char *end;

	memset(sa, 0, sizeof(*sa));
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			goto bad;
		h = listen + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		if (!(colon = strrchr(listen, ':')))
			goto bad;
		hlen = (size_t)(colon - listen);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
		goto bad;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)sa)->sin_addr) == 1) {
		((struct sockaddr_in *)sa)->sin_family = AF_INET;
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
		*v6 = 0;
		return TN_OK;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)sa)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)sa)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		return TN_OK;
	}
bad:
	tn_err_field(err, TN_USAGE, "listen", "'%s': not an address and port", listen);
	tn_err_hint(err, "for example {listen} 127.0.0.1:8080, 0.0.0.0:443 or [::1]:8080");
	return TN_USAGE;
}

tn_code web_start(const struct web_config *cfg, struct web_server **out,
		  char *url, size_t url_len, struct tn_err *err)
{
	struct web_server *s;
	struct sockaddr_storage sa;
	struct MHD_OptionItem opts[12];
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	int v6, n = 0;
	char host[INET6_ADDRSTRLEN];
	tn_code rc;

	*out = NULL;
	if ((rc = parse_listen(cfg->listen, &sa, &v6, err)) != TN_OK)
		return rc;
	if (!(s = calloc(1, sizeof(*s))) || !(s->db_path = strdup(cfg->db_path))) {
		free(s);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	memcpy(s->key, cfg->key, sizeof(s->key));
	s->tls = cfg->cert_pem != NULL;
	if (pthread_key_create(&s->db_key, close_db) != 0) {
		free(s->db_path);
		free(s);
		return tn_err_set(err, TN_FAIL, "cannot make thread-local storage");
	}
	if ((rc = web_committer_start(s->db_path, &s->committer, err)) != TN_OK) {
		pthread_key_delete(s->db_key);
		free(s->db_path);
		free(s);
		return rc;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	if (cfg->cert_pem)
		flags |= MHD_USE_TLS;
	/* the logger first, or the daemon says so through its default one */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER,
					     (intptr_t)on_mhd_error, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &sa };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
					     cfg->threads ? cfg->threads : 4, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK,
					     (intptr_t)on_uri, s };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
					     (intptr_t)on_completed, s };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, 512, NULL };
	if (cfg->cert_pem) {
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						     (void *)cfg->cert_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						     (void *)cfg->key_pem };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->daemon) {
		web_committer_stop(s->committer);
		pthread_key_delete(s->db_key);
		free(s->db_path);
		free(s);
		return tn_err_set(err, TN_FAIL, "cannot listen on '%s'%s", cfg->listen,
				  cfg->cert_pem ? " (or the certificate and key do not load)"
						: " (is the port taken?)");
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, host, sizeof(host));
	snprintf(url, url_len, "%s://%s%s%s:%u", cfg->cert_pem ? "https" : "http",
		 v6 ? "[" : "", host, v6 ? "]" : "", info ? (unsigned)info->port : 0u);
	*out = s;
	return TN_OK;
}

void web_stop(struct web_server *s, unsigned grace_seconds)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	unsigned waited = 0;
	MHD_socket listener;

	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	/* no new connections; those open go on */
	listener = MHD_quiesce_daemon(s->daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	while (atomic_load(&s->in_flight) > 0 && waited < grace_seconds * 50) {
		nanosleep(&tick, NULL);
		waited++;
	}
	/* the check-ins still queued are recorded and answered (resumed)
	 * before the daemon stops; any later one is answered 503 */
	web_committer_stop(s->committer);
	MHD_stop_daemon(s->daemon);   /* joins the threads: their connections close */
	pthread_key_delete(s->db_key);
	free(s->db_path);
	sodium_memzero(s->key, sizeof(s->key));
	free(s);
}
