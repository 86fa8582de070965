/*
 * cmd/outbox.c - 'outbox' and 'outbox retry': what is queued, sent and
 * failed, and why; failed messages queued again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "turnout/outbox.h"

static const struct cli_column outbox_columns[] = {
	{ "ID", 1 }, { "EVENT", 0 }, { "KIND", 0 }, { "SEQ", 1 }, { "STATE", 0 },
	{ "TRIES", 1 }, { "TO", 0 }, { "WHEN", 0 }, { "ERROR", 0 },
};

static cJSON *row_json(const struct tn_outbox_row *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "event", r->event);
	cJSON_AddStringToObject(o, "kind", r->kind);
	cJSON_AddNumberToObject(o, "sequence", (double)r->sequence);
	cJSON_AddStringToObject(o, "state", r->state);
	cJSON_AddNumberToObject(o, "attempts", (double)r->attempts);
	cli_json_text(o, "to", r->to);
	cli_json_text(o, "message_id", r->message_id);
	cli_json_text(o, "queued_at", r->queued_at);
	cli_json_text(o, "next_attempt_at", r->next_attempt_at);
	cli_json_text(o, "sent_at", r->sent_at);
	cli_json_text(o, "last_error", r->last_error);
	return o;
}

static int list_one(void *ctx, const struct tn_outbox_row *r)
{
	struct cli_listing *list = ctx;
	char id[24], seq[24], tries[24];
	const char *cells[9];

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON)
		return cli_listing_json(list, row_json(r)) != 0;
	snprintf(id, sizeof(id), "%" PRId64, r->id);
	snprintf(seq, sizeof(seq), "%" PRId64, r->sequence);
	snprintf(tries, sizeof(tries), "%" PRId64, r->attempts);
	cells[0] = id;
	cells[1] = r->event;
	cells[2] = r->kind;
	cells[3] = seq;
	cells[4] = r->state;
	cells[5] = tries;
	cells[6] = r->to;
	/* when it went, or when it is tried next, or when it was queued */
	cells[7] = r->sent_at ? r->sent_at : r->next_attempt_at ? r->next_attempt_at
								: r->queued_at;
	cells[8] = r->last_error;
	return cli_listing_row(list, cells) != 0;
}

CLI_HANDLER(cmd_outbox)
{
	struct cli_listing list = { 0 };
	const char *state = NULL, *event = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("status", 0, &state, "STATE",
			    "only messages queued, sending, sent or failed"),
		OPT_STRING_("event", 0, &event, "EVENT", "only messages about this event"),
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout outbox [--status STATE] [--event EVENT] [--format FORMAT]\n"
			   "       [--limit N] [--offset N] [--count]",
			   "Lists the messages turnout has queued, oldest first: what each\n"
			   "is (invite, update, cancel) and for which sequence of the event,\n"
			   "its state (queued, sending, sent, failed), the attempts so far,\n"
			   "when it was sent or is tried next, and the last error, in the\n"
			   "mail server's words. 'turnout outbox retry' queues failed\n"
			   "messages again.\n\n"
			   "examples:\n"
			   "  turnout outbox\n"
			   "  turnout outbox --status failed\n"
			   "  turnout outbox --event readers-meetup --json", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, outbox_columns, 9)) != 0)
		return status;
	rc = tn_outbox_each(c->db, state, event, list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no messages%s: 'turnout invite EVENT' queues "
			"invitations\n", state || event ? " match" : " yet");
	return cli_listing_end(&list);
}

CLI_HANDLER(cmd_outbox_retry)
{
	int failed = 0, json = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("failed", 0, &failed, "every failed message"),
		OPT_BOOL_("json", 0, &json, "print the count as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long id = 0, n;
	char *pos[1] = { NULL };
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout outbox retry ID | --failed [--json]",
			   "Queues a failed message again (by its ID in 'turnout outbox'),\n"
			   "or every failed message, to be sent by the next 'turnout send'.\n"
			   "The message keeps its Message-ID.\n\n"
			   "examples:\n"
			   "  turnout outbox retry 42\n"
			   "  turnout outbox retry --failed", 0, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!pos[0] == !failed)
		return cli_usage_error("outbox retry: give a message ID or --failed");
	if (pos[0]) {
		if (cli_parse_count("ID", pos[0], &id))
			return EXIT_USAGE;
		if (id == 0)
			return cli_usage_error("'%s': not a message ID", pos[0]);
	}
	rc = tn_outbox_retry(c->db, id, &n, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "queued", (double)n);
		return cli_print_json(o);
	}
	printf("queued %lld message%s again\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}
