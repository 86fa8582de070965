/*
 * cmd/ticket.c - the 'ticket' commands: issuing the tickets an event's
 * accepted registrations lack, listing them, showing one with its QR
 * code, exporting badge images and revoking. The rules (one valid
 * ticket per registration, the seat of a revoked ticket) are ticket.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/qr.h"
#include "turnout/text.h"
#include "turnout/ticket.h"

#define SHOW_PNG_SCALE 8   /* pixels per module of 'ticket show --qr png' */

CLI_HANDLER(cmd_ticket_issue)
{
	int send = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("send", 0, &send, "queue the ticket e-mail of each ticket issued"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long issued, queued;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout ticket issue EVENT [--send]",
			   "Issues a ticket to every accepted registration (status yes) of\n"
			   "EVENT that has none yet; running it again issues nothing more.\n"
			   "A registration accepted from now on gets its ticket, and its\n"
			   "ticket e-mail queued, at once: this is for the ones accepted\n"
			   "before. With --send the e-mails of the tickets issued are queued\n"
			   "('send' delivers them).\n\n"
			   "examples:\n"
			   "  turnout ticket issue readers-meetup\n"
			   "  turnout ticket issue readers-meetup --send", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_ticket_issue(c->db, pos[0], send, &issued, &queued, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	printf("issued %lld ticket%s", issued, issued == 1 ? "" : "s");
	if (send)
		printf("; queued %lld e-mail%s", queued, queued == 1 ? "" : "s");
	printf("\n");
	return EXIT_OK;
}

static const struct cli_column list_columns[] = {
	{ "NUMBER", 1 }, { "STATE", 0 }, { "PERSON", 1 }, { "HOLDER", 0 },
	{ "ISSUED", 0 }, { "CODE", 0 },
};
#define NCOLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static cJSON *ticket_json(const struct tn_ticket *t)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "number", (double)t->id);
	cJSON_AddStringToObject(o, "event", t->event);
	cJSON_AddStringToObject(o, "state", tn_ticket_state_name(t->state));
	cJSON_AddNumberToObject(o, "person", (double)t->person_id);
	cJSON_AddNumberToObject(o, "registration", (double)t->registration_id);
	cli_json_text(o, "holder", t->holder);
	cli_json_text(o, "email", t->email);
	cJSON_AddStringToObject(o, "code", t->code);
	cJSON_AddStringToObject(o, "issued_at", t->created_at);
	cli_json_text(o, "revoked_at", t->revoked_at[0] ? t->revoked_at : NULL);
	return o;
}

static int list_one(void *ctx, const struct tn_ticket *t)
{
	struct cli_listing *list = ctx;
	const char *cells[NCOLUMNS];
	char number[24], person[24];

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON)
		return cli_listing_json(list, ticket_json(t)) != 0;
	snprintf(number, sizeof(number), "%" PRId64, t->id);
	snprintf(person, sizeof(person), "%" PRId64, t->person_id);
	cells[0] = number;
	cells[1] = tn_ticket_state_name(t->state);
	cells[2] = person;
	cells[3] = t->holder;
	cells[4] = t->created_at;
	cells[5] = t->code;
	return cli_listing_row(list, cells) != 0;
}

CLI_HANDLER(cmd_ticket_list)
{
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout ticket list EVENT [--format FORMAT] [--limit N]\n"
			   "       [--offset N] [--count]",
			   "Lists the tickets of EVENT by number (what 'ticket show' and\n"
			   "'ticket revoke' take), revoked ones too: the state (a ticket\n"
			   "whose registration is no longer yes counts as revoked), the\n"
			   "holder's person id and name, when it was issued, and its code.\n\n"
			   "examples:\n"
			   "  turnout ticket list readers-meetup\n"
			   "  turnout ticket list readers-meetup --count\n"
			   "  turnout ticket list readers-meetup --json", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, NCOLUMNS)) != 0)
		return status;
	rc = tn_ticket_each(c->db, pos[0], list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no tickets yet\n");
	return cli_listing_end(&list);
}

/* Prints the ticket's lines: code, number and state, event, holder. */
static void print_ticket(const struct tn_ticket *t)
{
	printf("ticket %" PRId64 " (%s)\n", t->id, tn_ticket_state_name(t->state));
	printf("code:   %s\n", t->code);
	printf("event:  ");
	cli_put_term(t->event);
	printf(" (");
	cli_put_term(t->title ? t->title : "");
	printf(")%s\n", t->event_cancelled ? " cancelled" : "");
	printf("holder: ");
	cli_put_term(t->holder ? t->holder : "(unknown)");
	printf(" (person %" PRId64 ")\n", t->person_id);
	if (t->revoked_at[0])
		printf("revoked at %s\n", t->revoked_at);
}

CLI_HANDLER(cmd_ticket_show)
{
	const char *qr = NULL, *file = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("qr", 0, &qr, "FORM",
			    "the QR code instead: png, svg or text (a terminal's)"),
		OPT_STRING_("output", 'o', &file, "FILE",
			    "write to FILE instead of stdout (- is stdout)"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf img = TN_BUF_INIT;
	struct tn_ticket t;
	struct cli_out out;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout ticket show TICKET [--qr png|svg|text] [-o FILE]",
			   "Shows a ticket: its code, state, event and holder. TICKET is a\n"
			   "number as 'ticket list' shows it, or a ticket's code. With --qr\n"
			   "the QR code of the code instead: a PNG or SVG image (to -o FILE,\n"
			   "or stdout), or text in half blocks for a terminal with light\n"
			   "text on a dark background.\n\n"
			   "examples:\n"
			   "  turnout ticket show 12\n"
			   "  turnout ticket show 12 --qr text\n"
			   "  turnout ticket show 12 --qr png -o ticket-12.png", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (qr && strcmp(qr, "png") != 0 && strcmp(qr, "svg") != 0 && strcmp(qr, "text") != 0)
		return cli_usage_error("--qr: '%s': not png, svg or text", qr);
	if (file && !qr)
		return cli_usage_error("-o: needs --qr (the ticket's lines go to stdout)");
	if ((rc = tn_ticket_find(c->db, pos[0], &t, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if (!qr) {
		print_ticket(&t);
		tn_ticket_clear(&t);
		return EXIT_OK;
	}
	if (strcmp(qr, "png") == 0)
		rc = tn_qr_png(t.code, SHOW_PNG_SCALE, &img, &err);
	else if (strcmp(qr, "svg") == 0)
		rc = tn_qr_svg(t.code, &img, &err);
	else
		rc = tn_qr_text(t.code, &img, &err);
	if (t.state == TN_TICKET_REVOKED)
		fprintf(stderr, "note: ticket %" PRId64 " is revoked\n", t.id);
	tn_ticket_clear(&t);
	if (rc != TN_OK) {
		tn_buf_free(&img);
		return cli_fail(&err, rc);
	}
	if ((status = cli_out_open(&out, file)) == 0) {
		if ((status = cli_out_write(&out, img.data, img.len)) == 0)
			status = cli_out_close(&out);
		else
			cli_out_abort(&out);
	}
	tn_buf_free(&img);
	return status;
}

CLI_HANDLER(cmd_ticket_export)
{
	const char *dir = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("dir", 0, &dir, "DIR",
			    "the directory the images and tickets.csv go into (required)"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long count;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout ticket export EVENT --dir DIR",
			   "Writes the QR code of every valid ticket of EVENT into DIR as\n"
			   "ticket-NUMBER.png (8 pixels per module, for printing badges),\n"
			   "and tickets.csv, an index: number, code, holder, file. Files of\n"
			   "the same names are replaced.\n\n"
			   "examples:\n"
			   "  mkdir badges && turnout ticket export readers-meetup --dir badges",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!dir)
		return cli_usage_error("--dir: required");
	rc = tn_ticket_export(c->db, pos[0], dir, &count, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	printf("exported %lld ticket%s to ", count, count == 1 ? "" : "s");
	cli_put_term(dir);
	printf("\n");
	return EXIT_OK;
}

CLI_HANDLER(cmd_ticket_revoke)
{
	const struct cli_opt opts[] = {
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_ticket t;
	int64_t promoted;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout ticket revoke TICKET",
			   "Revokes a ticket: it stays listed, as revoked, and no longer\n"
			   "admits. Its holder's registration is declined, and the seat goes\n"
			   "to the first person in the waitlist, who gets a ticket and its\n"
			   "e-mail. TICKET is a number as 'ticket list' shows it, or a code.\n\n"
			   "examples:\n"
			   "  turnout ticket revoke 12", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((rc = tn_ticket_revoke(c->db, pos[0], &t, &promoted, &err)) != TN_OK)
		return cli_fail(&err, rc);
	printf("revoked ticket %" PRId64 " of '%s'\n", t.id, t.event);
	if (promoted)
		printf("person %" PRId64 " moved up from the waitlist and has a ticket\n",
		       promoted);
	tn_ticket_clear(&t);
	return EXIT_OK;
}
