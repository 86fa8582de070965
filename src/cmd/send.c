/*
 * cmd/send.c - 'send': delivering the outbox over SMTP, or as .eml files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/send.h"

static void show_progress(void *ctx, long long done, long long total)
{
	struct cli_progress *p = ctx;

	if (!p->active && p->total == 0)
		cli_progress_start(p, "sending", (unsigned long long)total);
	p->total = (unsigned long long)total;
	cli_progress_update(p, (unsigned long long)done);
}

CLI_HANDLER(cmd_send)
{
	static const char usage[] =
		"turnout send [--smtp URL | --eml-dir DIR] [--rate N] [--max N]\n"
		"       [--templates DIR] [--json]";
	const char *smtp = NULL, *eml_dir = NULL, *rate = NULL, *max = NULL,
		   *templates = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("smtp", 0, &smtp, "URL",
			    "the mail server: smtp://host:587 (STARTTLS when offered) or "
			    "smtps://user:password@host:465 (default: $TURNOUT_SMTP_URL)"),
		OPT_STRING_("eml-dir", 0, &eml_dir, "DIR",
			    "write one .eml file per message into DIR instead"),
		OPT_STRING_("rate", 0, &rate, "N", "send at most N messages a second"),
		OPT_STRING_("max", 0, &max, "N", "send at most N messages this time"),
		OPT_STRING_("templates", 0, &templates, "DIR",
			    "the organizer's e-mail templates (default: the 'templates' "
			    "setting, else the built-in ones)"),
		OPT_BOOL_("json", 0, &json, "print the counts as one JSON object"),
		OPT_END_(),
	};
	struct tn_send_opts o = { 0 };
	struct tn_send_result res;
	struct cli_progress progress = { 0 };
	struct tn_err err = TN_ERR_INIT;
	long long n;
	char *end;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Delivers the queued messages (invitations, updates,\n"
			   "cancellations) over one SMTP connection, or writes each as an\n"
			   ".eml file with --eml-dir. A message is made the first time it\n"
			   "is sent and kept: tried again, it is the same message with the\n"
			   "same Message-ID. A 4xx answer or a lost connection is tried\n"
			   "again later, each time waiting longer (1 minute, doubling, at\n"
			   "most an hour); a 5xx answer fails the message with the server's\n"
			   "words ('turnout outbox --status failed'). Running it again never\n"
			   "sends a message twice; after a crash only the messages that were\n"
			   "on their way may go again. The password in the URL is never\n"
			   "printed.\n\n"
			   "examples:\n"
			   "  TURNOUT_SMTP_URL=smtps://me:secret@mail.example.org turnout send\n"
			   "  turnout send --smtp smtp://127.0.0.1:2525 --rate 5\n"
			   "  turnout send --eml-dir outbox/", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	o.eml_dir = eml_dir;
	o.smtp_url = smtp;
	if (!smtp && !eml_dir) {
		o.smtp_url = getenv("TURNOUT_SMTP_URL");
		if (o.smtp_url && !*o.smtp_url)
			o.smtp_url = NULL;
		if (!o.smtp_url)
			return cli_usage_error("send: where to? give --smtp URL (or set "
					       "$TURNOUT_SMTP_URL) or --eml-dir DIR");
	}
	if (smtp && eml_dir)
		return cli_usage_error("send: --smtp and --eml-dir: give one of them");
	if (max) {
		if (cli_parse_count("--max", max, &n))
			return EXIT_USAGE;
		o.max = n;
	}
	if (rate) {
		o.rate = strtod(rate, &end);
		if (end == rate || *end || !(o.rate > 0) || o.rate > 1e6)
			return cli_usage_error("--rate: '%s': not a number of messages a "
					       "second", rate);
	}
	o.templates = templates;
	o.progress = show_progress;
	o.progress_ctx = &progress;
	rc = tn_send(c->db, &o, &res, &err);
	cli_progress_end(&progress);
	if (json && (rc == TN_OK || res.sent || res.deferred || res.failed)) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "sent", (double)res.sent);
		cJSON_AddNumberToObject(j, "deferred", (double)res.deferred);
		cJSON_AddNumberToObject(j, "failed", (double)res.failed);
		status = cli_print_json(j);
	} else if (rc == TN_OK || res.sent || res.deferred || res.failed) {
		printf("sent %lld, deferred %lld, failed %lld\n", res.sent, res.deferred,
		       res.failed);
	}
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (res.failed) {   /* a script should notice that some did not go */
		fprintf(stderr, "'turnout outbox --status failed' says why; 'turnout "
			"outbox retry --failed' queues them again\n");
		return status ? status : EXIT_FAILED;
	}
	return status;
}
