/*
 * door_load.c - the check-in benchmark's client: G gates (one thread and
 * one keep-alive connection each, over HTTP or, with --tls, HTTPS through
 * GnuTLS) post the codes of CODES to /api/v1/events/EVENT/checkins on
 * 127.0.0.1:PORT, each gate its own token (one per line of TOKENS) and
 * every n-th code, one request at a time per gate, and time each
 * request from its first byte sent to its answer read whole. Every answer
 * must be 200. Small so that the server, not the client, is measured.
 *
 * usage: door_load [--tls CERT] [--limit N] PORT EVENT TOKENS CODES
 * prints: requests admits seconds p50_us p99_us
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define MAX_GATES 64

struct gate {
	pthread_t thread;
	int index;
	char token[128];
	int fd;
	gnutls_session_t tls;
	char buf[1 << 16];
	size_t have;
	long done, admits;
	double *lat;                 /* microseconds, one per request */
	int failed;
};

static int port, ngates;
static const char *event, *cert;
static char **codes;
static long ncodes;
static gnutls_certificate_credentials_t creds;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ssize_t gate_read(struct gate *g, char *p, size_t n)
{
	ssize_t r;

	if (!g->tls)
		return read(g->fd, p, n);
	do
		r = gnutls_record_recv(g->tls, p, n);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	return r;
}

static int gate_write(struct gate *g, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if (g->tls) {
			do
				r = gnutls_record_send(g->tls, p, n);
			while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
		} else {
			r = write(g->fd, p, n);
		}
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads one response; returns its status, or -1. *admit: the verdict
 * was admit. */
static int response(struct gate *g, int *admit)
{
	char *end, *cl;
	size_t head, body;
	ssize_t n;
	int status;

	for (;;) {
		g->buf[g->have] = '\0';
		if ((end = strstr(g->buf, "\r\n\r\n")) != NULL)
			break;
		if (g->have + 1 >= sizeof(g->buf) ||
		    (n = gate_read(g, g->buf + g->have, sizeof(g->buf) - 1 - g->have)) <= 0)
			return -1;
		g->have += (size_t)n;
	}
	head = (size_t)(end - g->buf) + 4;
	status = atoi(g->buf + 9);
	cl = strcasestr(g->buf, "\r\ncontent-length:");
	body = cl && cl < end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
	while (g->have < head + body) {
		if (head + body >= sizeof(g->buf) ||
		    (n = gate_read(g, g->buf + g->have, sizeof(g->buf) - 1 - g->have)) <= 0)
			return -1;
		g->have += (size_t)n;
	}
	g->buf[head + body] = '\0';
	*admit = strstr(g->buf + head, "\"verdict\":\"admit\"") != NULL;
	memmove(g->buf, g->buf + head + body, g->have - head - body);
	g->have -= head + body;
	return status;
}

static int gate_connect(struct gate *g)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int one = 1, r;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((g->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(g->fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -1;
	setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!cert)
		return 0;
	if (gnutls_init(&g->tls, GNUTLS_CLIENT) < 0 ||
	    gnutls_set_default_priority(g->tls) < 0 ||
	    gnutls_credentials_set(g->tls, GNUTLS_CRD_CERTIFICATE, creds) < 0)
		return -1;
	gnutls_session_set_verify_cert(g->tls, NULL, 0);   /* the IP SAN is checked */
	gnutls_transport_set_int(g->tls, g->fd);
	do
		r = gnutls_handshake(g->tls);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		fprintf(stderr, "door_load: TLS handshake: %s\n", gnutls_strerror(r));
		return -1;
	}
	return 0;
}

static void *run(void *arg)
{
	struct gate *g = arg;
	char req[1024];
	double t;
	long i;
	int n, status, admit;

	if (gate_connect(g) != 0) {
		g->failed = 1;
		return NULL;
	}
	for (i = g->index; i < ncodes; i += ngates) {
		char body[512];
		int blen = snprintf(body, sizeof(body), "{\"code\":\"%s\"}", codes[i]);

		n = snprintf(req, sizeof(req),
			     "POST /api/v1/events/%s/checkins HTTP/1.1\r\n"
			     "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
			     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			     event, g->token, blen, body);
		t = now();
		if (gate_write(g, req, (size_t)n) != 0 ||
		    (status = response(g, &admit)) != 200) {
			fprintf(stderr, "door_load: gate %d: request %ld failed\n", g->index, i);
			g->failed = 1;
			break;
		}
		g->lat[g->done++] = (now() - t) * 1e6;
		g->admits += admit;
	}
	if (g->tls) {
		gnutls_bye(g->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(g->tls);
	}
	close(g->fd);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The lines of path, without their newlines; *n gets the count. */
static char **read_lines(const char *path, long *n)
{
	FILE *f = fopen(path, "r");
	char line[512], **v = NULL;
	long cap = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap && !(v = realloc(v, (size_t)(cap = cap ? cap * 2 : 1024) * sizeof(*v))))
			return NULL;
		if (!(v[(*n)++] = strdup(line)))
			return NULL;
	}
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	static struct gate gates[MAX_GATES];
	char **tokens;
	double t0, secs, *all;
	long ntokens, limit = 0, total = 0, admits = 0, i, k = 0;
	int a = 1, failed = 0;

	for (; a < argc && argv[a][0] == '-'; a += 2) {
		if (a + 1 >= argc)
			break;
		if (strcmp(argv[a], "--tls") == 0)
			cert = argv[a + 1];
		else if (strcmp(argv[a], "--limit") == 0)
			limit = atol(argv[a + 1]);
	}
	if (argc - a != 4) {
		fprintf(stderr, "usage: door_load [--tls CERT] [--limit N] PORT EVENT TOKENS CODES\n");
		return 2;
	}
	port = atoi(argv[a]);
	event = argv[a + 1];
	if (!(tokens = read_lines(argv[a + 2], &ntokens)) || !(codes = read_lines(argv[a + 3], &ncodes)) ||
	    ntokens < 1 || ntokens > MAX_GATES) {
		fprintf(stderr, "door_load: cannot read the tokens or the codes\n");
		return 1;
	}
	if (limit > 0 && limit < ncodes)
		ncodes = limit;
	ngates = (int)ntokens;
	if (cert && (gnutls_certificate_allocate_credentials(&creds) < 0 ||
		     gnutls_certificate_set_x509_trust_file(creds, cert, GNUTLS_X509_FMT_PEM) <= 0)) {
		fprintf(stderr, "door_load: cannot load '%s'\n", cert);
		return 1;
	}
	for (i = 0; i < ngates; i++) {
		gates[i].index = (int)i;
		snprintf(gates[i].token, sizeof(gates[i].token), "%s", tokens[i]);
		if (!(gates[i].lat = calloc((size_t)(ncodes / ngates + 1), sizeof(double))))
			return 1;
	}
	t0 = now();
	for (i = 0; i < ngates; i++)
		pthread_create(&gates[i].thread, NULL, run, &gates[i]);
	for (i = 0; i < ngates; i++)
		pthread_join(gates[i].thread, NULL);
	secs = now() - t0;
	for (i = 0; i < ngates; i++) {
		total += gates[i].done;
		admits += gates[i].admits;
		failed |= gates[i].failed;
	}
	if (failed || total == 0)
		return 1;
	if (!(all = malloc((size_t)total * sizeof(double))))
		return 1;
	for (i = 0; i < ngates; i++) {
		memcpy(all + k, gates[i].lat, (size_t)gates[i].done * sizeof(double));
		k += gates[i].done;
	}
	qsort(all, (size_t)total, sizeof(double), by_value);
	printf("%ld %ld %.3f %.0f %.0f\n", total, admits, secs, all[total / 2],
	       all[(long)((double)total * 0.99)]);
	return 0;
}
