/*
 * http_get.c - the benchmark's HTTP client: asks one URL path of a server
 * on 127.0.0.1 N times over one keep-alive connection, one request at a
 * time, and prints the seconds it took; every answer must be 200. Small
 * and fast so that the server, not the client, is what is measured
 * (curl spends about as long per request as the servers do).
 *
 * usage: http_get PORT PATH N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];
static size_t have;

/* Reads one response; returns its status, or -1. */
static int response(int fd)
{
	char *end, *cl;
	size_t head, body;
	ssize_t n;
	int status;

	for (;;) {
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
		if (have + 1 >= sizeof(buf) || (n = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return -1;
		have += (size_t)n;
	}
	head = (size_t)(end - buf) + 4;
	status = atoi(buf + 9);
	cl = strcasestr(buf, "\r\ncontent-length:");
	body = cl && cl < end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
	while (have < head + body) {
		if (head + body >= sizeof(buf) ||
		    (n = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return -1;
		have += (size_t)n;
	}
	memmove(buf, buf + head + body, have - head - body);
	have -= head + body;
	return status;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timespec s, e;
	char req[1024];
	int fd, one = 1;
	long i, n;

	if (argc != 4)
		return 2;
	n = atol(argv[3]);
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", argv[2]);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("http_get: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	clock_gettime(CLOCK_MONOTONIC, &s);
	for (i = 0; i < n; i++) {
		if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) || response(fd) != 200) {
			fprintf(stderr, "http_get: request %ld failed\n", i + 1);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &e);
	printf("%.3f\n", (double)(e.tv_sec - s.tv_sec) + (double)(e.tv_nsec - s.tv_nsec) / 1e9);
	close(fd);
	return 0;
}
