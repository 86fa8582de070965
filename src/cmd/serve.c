/*
 * cmd/serve.c - 'serve': runs the web server (src/web/) until SIGINT or
 * SIGTERM, then lets the requests in flight finish and exits 0.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "turnout/setup.h"
#include "web/web.h"

/* How long requests in flight may take to finish after a stop signal. */
#define SERVE_GRACE_SECONDS 30

/* Reads a PEM file whole (NUL-terminated, at most 1 MiB); NULL after
 * printing why. Caller frees. */
static char *read_pem(const char *flag, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 1 << 20;

	if (!f || !(buf = malloc(cap + 1))) {
		fprintf(stderr, "turnout: %s: '%s': cannot read: %s\n", flag, path,
			strerror(f ? ENOMEM : errno));
		if (f)
			fclose(f);
		return NULL;
	}
	len = fread(buf, 1, cap + 1, f);
	if (ferror(f) || len > cap || len == 0) {
		fprintf(stderr, "turnout: %s: '%s': %s\n", flag, path,
			ferror(f) ? "cannot read" : len ? "larger than 1 MiB" : "empty file");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void free_pem(char *pem)
{
	if (pem) {
		sodium_memzero(pem, strlen(pem));
		free(pem);
	}
}

CLI_HANDLER(cmd_serve)
{
	const char *listen = "127.0.0.1:8080", *cert = NULL, *key = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("listen", 0, &listen, "ADDR:PORT",
			    "where to listen (default 127.0.0.1:8080; port 0: any free "
			    "port, printed on start)"),
		OPT_STRING_("tls-cert", 0, &cert, "FILE",
			    "serve HTTPS with this PEM certificate (with --tls-key)"),
		OPT_STRING_("tls-key", 0, &key, "FILE",
			    "the certificate's PEM private key (with --tls-cert)"),
		OPT_END_(),
	};
	struct web_config cfg = { 0 };
	struct web_server *srv = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	char url[128], base[512] = "", *cert_pem = NULL, *key_pem = NULL;
	sigset_t stop;
	int status, sig = 0;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]",
			   "Runs the web server that the links in e-mails lead to: the\n"
			   "unsubscribe page (/u/TOKEN, with RFC 8058 one-click), the\n"
			   "public calendar files (/e/SLUG.ics) and /healthz for a process\n"
			   "supervisor, and the live report of each event (/report/EVENT)\n"
			   "for whoever holds an organizer token ('turnout organizer token\n"
			   "add'). It prints the address it listens on and the organizer's\n"
			   "login link, then one line per request on stderr (tokens never\n"
			   "appear in it). SIGINT or SIGTERM stops it: requests in flight\n"
			   "finish first, then it exits 0. Put it behind the base URL\n"
			   "(turnout config base-url).\n\n"
			   "examples:\n"
			   "  turnout serve\n"
			   "  turnout serve --listen 0.0.0.0:8443 --tls-cert cert.pem \\\n"
			   "                --tls-key key.pem", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!cert != !key)
		return cli_usage_error("serve: --tls-cert and --tls-key go together");
	if (cert && (!(cert_pem = read_pem("--tls-cert", cert)) ||
		     !(key_pem = read_pem("--tls-key", key)))) {
		free_pem(cert_pem);
		return EXIT_FAILED;
	}
	rc = tn_setup_web_key(c->db, cfg.key, &err);
	if (rc == TN_OK && (rc = tn_settings_load(c->db, &set, &err)) == TN_OK) {
		cli_warn_local_base_url(&set, "the links in e-mails");
		/* where the organizer's browser finds the live report */
		if (set.base_url && !tn_settings_base_url_is_local(&set))
			snprintf(base, sizeof(base), "%s", set.base_url);
		tn_settings_clear(&set);
	}
	/* the workers open their own connections */
	tn_db_close(c->db);
	c->db = NULL;
	/* blocked before the threads start, so they inherit it and only
	 * sigwait below takes these signals */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (rc == TN_OK && pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0)
		rc = tn_err_set(&err, TN_FAIL, "cannot block signals");
	cfg.db_path = c->db_path;
	cfg.listen = listen;
	cfg.cert_pem = cert_pem;
	cfg.key_pem = key_pem;
	if (rc == TN_OK)
		rc = web_start(&cfg, &srv, url, sizeof(url), &err);
	sodium_memzero(cfg.key, sizeof(cfg.key));
	free_pem(cert_pem);
	free_pem(key_pem);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	fprintf(stderr, "turnout: serve: listening on %s\n", url);
	fprintf(stderr, "turnout: serve: live report: run 'turnout organizer token "
		"add', then open %s/login/TOKEN\n", base[0] ? base : url);
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "turnout: serve: %s: finishing the requests in flight\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	web_stop(srv, SERVE_GRACE_SECONDS);
	fprintf(stderr, "turnout: serve: stopped\n");
	return EXIT_OK;
}
