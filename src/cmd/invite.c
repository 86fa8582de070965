/*
 * cmd/invite.c - 'invite' and 'link': inviting followers to an event, and
 * a channel's public registration link.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/invite.h"
#include "turnout/link.h"
#include "turnout/setup.h"

struct invite_print {
	int json, dry_run;
	struct cli_out out;
	struct cli_json_array array;
	int status;
};

static int print_invitee(void *ctx, const struct tn_invitee *who)
{
	struct invite_print *p = ctx;
	cJSON *o;

	if (p->json) {
		if (!(o = cJSON_CreateObject()))
			return p->status = cli_json_array_add(&p->array, NULL);
		cJSON_AddNumberToObject(o, "person", (double)who->person_id);
		cli_json_text(o, "email", who->email);
		cli_json_text(o, "name", who->name);
		cli_json_text(o, "channel", who->channel);
		p->status = cli_json_array_add(&p->array, o);
		return p->status != 0;
	}
	if (!p->dry_run)
		return 0;
	/* a dry run lists who would be invited, one per line */
	cli_put_term(who->email);
	printf("\t");
	cli_put_term(who->name ? who->name : "");
	printf("\t");
	cli_put_term(who->channel ? who->channel : "direct");
	printf("\n");
	return 0;
}

static void print_skipped(FILE *f, const struct tn_invite_result *r)
{
	const char *sep = " (skipped: ";

	if (r->no_email) {
		fprintf(f, "%s%lld without an e-mail address", sep, r->no_email);
		sep = ", ";
	}
	if (r->already) {
		fprintf(f, "%s%lld already invited", sep, r->already);
		sep = ", ";
	}
	if (r->unsubscribed) {
		fprintf(f, "%s%lld unsubscribed", sep, r->unsubscribed);
		sep = ", ";
	}
	fprintf(f, "%s\n", sep[0] == ',' ? ")" : "");
}

/* Invites as o says and prints what happened; an exit status. */
static int invite(struct cli *c, const char *event, const struct tn_invite_opts *o,
		  struct invite_print *p)
{
	struct tn_invite_result res;
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	if (p->json && ((status = cli_out_open(&p->out, NULL)) != 0 ||
			(status = cli_json_array_begin(&p->array, &p->out)) != 0))
		return status;
	rc = tn_invite_people(c->db, event, o, print_invitee, p, &res, &err);
	if (p->json) {
		if (rc == TN_OK && !p->status)
			p->status = cli_json_array_end(&p->array);
		status = cli_out_close(&p->out);
		if (!p->status)
			p->status = status;
	}
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (p->status)
		return p->status;
	if (p->dry_run)
		fprintf(stderr, "would invite %lld", res.queued);
	else
		fprintf(p->json ? stderr : stdout, "queued %lld invitation%s", res.queued,
			res.queued == 1 ? "" : "s");
	print_skipped(p->dry_run || p->json ? stderr : stdout, &res);
	fflush(stdout);   /* the counts before the note, in a shared log */
	if (p->dry_run)
		fprintf(stderr, "dry run: nothing was queued\n");
	else if (res.queued > 0)
		fprintf(stderr, "'turnout send' delivers them\n");
	return EXIT_OK;
}

CLI_HANDLER(cmd_invite)
{
	static const char usage[] =
		"turnout invite EVENT [--channel NAME]... [--region REGION]\n"
		"       [--email ADDRESS]... [--limit N] [--dry-run] [--json]";
	struct cli_list channels = { 0 }, emails = { 0 };
	const char *region = NULL, *limit = NULL;
	struct invite_print p = { 0 };
	const struct cli_opt opts[] = {
		OPT_LIST_("channel", 0, &channels, "NAME",
			  "followers of this channel (repeatable; the first one a "
			  "person follows is where the invitation comes from)"),
		OPT_STRING_("region", 0, &region, "REGION",
			    "only followers in this region or city"),
		OPT_LIST_("email", 0, &emails, "ADDRESS",
			  "exactly this person (repeatable)"),
		OPT_STRING_("limit", 0, &limit, "N", "invite at most N people"),
		OPT_BOOL_("dry-run", 'n', &p.dry_run,
			  "list who would be invited; change nothing"),
		OPT_BOOL_("json", 0, &p.json, "print the invitees as a JSON array"),
		OPT_END_(),
	};
	struct tn_invite_opts o = { 0 };
	long long n = 0;
	char *pos[1];
	int status;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Queues one personal invitation to EVENT for each follower with\n"
			   "an e-mail address who is not invited yet, has not unsubscribed\n"
			   "and is not forgotten: everyone following any channel, or those\n"
			   "of the --channel, --region and --email given. Each invitation\n"
			   "carries a calendar entry (Accept / Decline in the invitee's\n"
			   "calendar) and a personal RSVP link; 'turnout send' delivers\n"
			   "them. People without an address are counted and skipped.\n\n"
			   "examples:\n"
			   "  turnout invite readers-meetup --dry-run\n"
			   "  turnout invite readers-meetup --channel letter --channel tg\n"
			   "  turnout invite readers-meetup --region Berlin --limit 50\n"
			   "  turnout invite readers-meetup --email anna@example.org",
			   1, 1, pos);
	if (status == 0 && limit && cli_parse_count("--limit", limit, &n))
		status = EXIT_USAGE;
	if (status == 0) {
		o.channels = channels.items;
		o.nchannels = (size_t)channels.count;
		o.region = region;
		o.emails = emails.items;
		o.nemails = (size_t)emails.count;
		o.limit = n;
		o.dry_run = p.dry_run;
		status = invite(c, pos[0], &o, &p);
	}
	free(channels.items);
	free(emails.items);
	return status < 0 ? EXIT_OK : status;
}

CLI_HANDLER(cmd_link)
{
	const char *channel = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("channel", 0, &channel, "NAME",
			    "the channel that registrations through the link count for"),
		OPT_BOOL_("json", 0, &json, "print the link as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	char code[TN_LINK_CODE_LEN + 1], *pos[1];
	struct tn_buf url = TN_BUF_INIT;
	int status, created;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout link EVENT --channel NAME [--json]",
			   "Prints the public registration link of EVENT for one channel:\n"
			   "post it there, and whoever registers through it counts for that\n"
			   "channel in the reports. The same event and channel always give\n"
			   "the same link.\n\n"
			   "example:\n"
			   "  turnout link readers-meetup --channel tg", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!channel) {
		tn_err_field(&err, TN_USAGE, "channel", "which channel's link? it is "
			     "required");
		return cli_fail(&err, TN_USAGE);
	}
	if ((rc = tn_settings_load(c->db, &set, &err)) != TN_OK)
		return cli_fail(&err, rc);
	rc = tn_link_code(c->db, pos[0], channel, code, &created, &err);
	if (rc == TN_OK && tn_buf_addf(&url, "%s/r/%s", set.base_url, code) != TN_OK)
		rc = tn_err_set(&err, TN_NOMEM, "out of memory");
	if (rc == TN_OK)
		cli_warn_local_base_url(&set, "registration links");
	tn_settings_clear(&set);
	if (rc != TN_OK) {
		tn_buf_free(&url);
		return cli_fail(&err, rc);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "url", url.data);
		cJSON_AddStringToObject(o, "code", code);
		cJSON_AddBoolToObject(o, "created", created);
		status = cli_print_json(o);
	} else {
		printf("%s\n", url.data);
	}
	tn_buf_free(&url);
	return status;
}
