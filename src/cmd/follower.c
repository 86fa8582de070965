/*
 * cmd/follower.c - 'follower list', 'follower show', 'follower unfollow',
 * 'follower forget'.
 * ('follower import' is in cmd/import.c.)
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/person.h"
#include "turnout/text.h"

static cJSON *json_follow(const struct tn_follow_row *r)
{
	cJSON *f = cJSON_CreateObject();

	cli_json_text(f, "channel", r->channel);
	cli_json_text(f, "kind", r->kind);
	cli_json_text(f, "handle", r->handle);
	cli_json_text(f, "region", r->region);
	cli_json_text(f, "followed_at", r->followed_at);
	cli_json_text(f, "unfollowed_at", r->unfollowed_at);
	return f;
}

/* Puts the address as a person reads it in b: U-labels for the stored
 * A-labels (anna@пример.рф); the stored form if that fails. */
static const char *email_shown(const char *email, struct tn_buf *b)
{
	if (!email)
		return NULL;
	return tn_email_display(email, b) == TN_OK ? b->data : email;
}

static cJSON *json_person(const struct tn_follow_row *r)
{
	cJSON *p = cJSON_CreateObject();
	struct tn_buf email = TN_BUF_INIT;

	cJSON_AddNumberToObject(p, "id", (double)r->person_id);
	cli_json_text(p, "name", r->name);
	cli_json_text(p, "email", email_shown(r->email, &email));
	tn_buf_free(&email);
	cli_json_text(p, "forgotten_at", r->forgotten_at);
	cJSON_AddItemToObject(p, "channels", cJSON_CreateArray());
	return p;
}

/* Listing state: rows arrive grouped by person, and a person is one row
 * of the listing, printed as soon as the next one starts, so memory holds
 * one person. */
struct list_ctx {
	struct cli_listing *list;
	int64_t current;      /* the person being read, 0 = none */
	int shown;            /* the current person is printed (not skipped) */
	cJSON *person;        /* json: the person being filled */
	char id[32];
	struct tn_buf name, email, channels, regions;
	int name_null, email_null;
};

/* 1 if region is already one of the ", "-separated entries of list. */
static int has_region(const struct tn_buf *list, const char *region)
{
	size_t n = strlen(region);
	const char *p = list->data;

	while ((p = strstr(p, region)) != NULL) {
		if ((p == list->data || (p >= list->data + 2 && p[-2] == ',' && p[-1] == ' ')) &&
		    (p[n] == '\0' || (p[n] == ',' && p[n + 1] == ' ')))
			return 1;
		p++;
	}
	return 0;
}

static const struct cli_column list_columns[] = {
	{ "ID", 0 }, { "NAME", 0 }, { "EMAIL", 0 }, { "CHANNELS", 0 }, { "REGION", 0 },
};

/* Prints the person read so far, if any and if shown; 0 or an exit
 * status. */
static int flush_person(struct list_ctx *x)
{
	const char *cells[5];
	int status = 0;

	if (x->current && x->shown) {
		if (x->list->format == CLI_FORMAT_JSON) {
			status = cli_listing_json(x->list, x->person);
		} else {
			cells[0] = x->id;
			cells[1] = x->name_null ? NULL : x->name.data;
			cells[2] = x->email_null ? NULL : x->email.data;
			cells[3] = x->channels.data;
			cells[4] = x->regions.len ? x->regions.data : NULL;
			status = cli_listing_row(x->list, cells);
		}
	}
	x->person = NULL;
	x->current = 0;
	tn_buf_reset(&x->name);
	tn_buf_reset(&x->email);
	tn_buf_reset(&x->channels);
	tn_buf_reset(&x->regions);
	return status;
}

/* Starts the person of r: whether the listing shows them (--offset,
 * --limit, --count), and what is known before their channels. */
static int start_person(struct list_ctx *x, const struct tn_follow_row *r)
{
	int next = cli_listing_next(x->list);

	if (next == CLI_ROW_STOP)
		return 1;
	x->current = r->person_id;
	x->shown = next == CLI_ROW_SHOW;
	if (!x->shown)
		return 0;
	if (x->list->format == CLI_FORMAT_JSON) {
		if (!(x->person = json_person(r))) {
			cli_listing_json(x->list, NULL);   /* reports it */
			return 1;
		}
		return 0;
	}
	snprintf(x->id, sizeof(x->id), "%" PRId64, r->person_id);
	x->name_null = !r->name;
	x->email_null = !r->email;
	if (r->name)
		tn_buf_add(&x->name, r->name);
	if (r->email && email_shown(r->email, &x->email) == r->email) {
		tn_buf_reset(&x->email);
		tn_buf_add(&x->email, r->email);
	}
	return 0;
}

static int list_row(void *vctx, const struct tn_follow_row *r)
{
	struct list_ctx *x = vctx;

	if (x->current != r->person_id) {
		if (flush_person(x) || start_person(x, r))
			return 1;
	}
	if (!x->shown || !r->channel)
		return 0;
	if (x->person) {
		cJSON_AddItemToArray(cJSON_GetObjectItem(x->person, "channels"),
				     json_follow(r));
		return 0;
	}
	if (x->channels.len)
		tn_buf_add(&x->channels, ", ");
	tn_buf_add(&x->channels, r->channel);
	if (r->handle) {
		tn_buf_add(&x->channels, " @");
		tn_buf_add(&x->channels, r->handle);
	}
	if (r->region && !has_region(&x->regions, r->region)) {
		if (x->regions.len)
			tn_buf_add(&x->regions, ", ");
		tn_buf_add(&x->regions, r->region);
	}
	return 0;
}

CLI_HANDLER(cmd_follower_list)
{
	struct tn_follower_filter filter = { NULL, NULL };
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		OPT_STRING_("channel", 0, &filter.channel, "NAME", "only followers of this channel"),
		OPT_STRING_("region", 0, &filter.region, "REGION", "only followers in this region or city"),
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct list_ctx x = { &list, 0, 0, NULL, "", TN_BUF_INIT, TN_BUF_INIT,
			      TN_BUF_INIT, TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout follower list [--channel NAME] [--region REGION]\n"
			   "       [--format FORMAT] [--limit N] [--offset N] [--count]",
			   "Lists people with the channels they follow, one row each, in id\n"
			   "order. FORMAT is table (aligned columns, the default), tsv, csv or\n"
			   "json (--json). Forgotten people are not listed.\n\n"
			   "examples:\n"
			   "  turnout follower list --channel tg\n"
			   "  turnout follower list --region berlin --json\n"
			   "  turnout follower list --format csv >followers.csv\n"
			   "  turnout follower list --limit 50 --offset 100\n"
			   "  turnout follower list --channel tg --count", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, 5)) != 0)
		return status;
	rc = tn_follower_each(c->db, &filter, list_row, &x, &err);
	if (rc == TN_OK)
		flush_person(&x);
	cJSON_Delete(x.person);
	tn_buf_free(&x.name);
	tn_buf_free(&x.email);
	tn_buf_free(&x.channels);
	tn_buf_free(&x.regions);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no followers match\n");
	return cli_listing_end(&list);
}

static int show_row(void *vctx, const struct tn_follow_row *r)
{
	cJSON **p = vctx;

	if (!*p)
		*p = json_person(r);
	if (r->channel)
		cJSON_AddItemToArray(cJSON_GetObjectItem(*p, "channels"), json_follow(r));
	return 0;
}

static void print_field(const char *label, const char *v)
{
	printf("%-13s ", label);
	cli_put_term(v ? v : "-");
	printf("\n");
}

CLI_HANDLER(cmd_follower_show)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "one JSON document on stdout"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	cJSON *p = NULL, *f;
	int64_t id;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout follower show PERSON [--json]",
			   "Shows one person and the channels they follow. PERSON is an id,\n"
			   "an e-mail address or a handle (@name).\n\n"
			   "examples:\n"
			   "  turnout follower show anna@example.org\n"
			   "  turnout follower show @olga_iv --json", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_person_resolve(c->db, pos[0], &id, &err);
	if (rc == TN_OK)
		rc = tn_person_each(c->db, id, show_row, &p, &err);
	if (rc != TN_OK) {
		cJSON_Delete(p);
		return cli_fail(&err, rc);
	}
	if (json)
		return cli_print_json(p);
	printf("%-13s %" PRId64 "\n", "id", id);
	print_field("name", cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")));
	print_field("email", cJSON_GetStringValue(cJSON_GetObjectItem(p, "email")));
	if (cJSON_GetStringValue(cJSON_GetObjectItem(p, "forgotten_at")))
		print_field("forgotten", cJSON_GetStringValue(cJSON_GetObjectItem(p, "forgotten_at")));
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(p, "channels")) {
		const char *h = cJSON_GetStringValue(cJSON_GetObjectItem(f, "handle"));
		const char *rg = cJSON_GetStringValue(cJSON_GetObjectItem(f, "region"));
		const char *since = cJSON_GetStringValue(cJSON_GetObjectItem(f, "followed_at"));
		printf("%-13s ", "follows");
		cli_put_term(cJSON_GetStringValue(cJSON_GetObjectItem(f, "channel")));
		if (h) {
			printf(" @");
			cli_put_term(h);
		}
		if (rg) {
			printf(", ");
			cli_put_term(rg);
		}
		if (since)
			printf(", since %s", since);
		if (cJSON_GetStringValue(cJSON_GetObjectItem(f, "unfollowed_at")))
			printf(", left %s", cJSON_GetStringValue(cJSON_GetObjectItem(f, "unfollowed_at")));
		printf("\n");
	}
	cJSON_Delete(p);
	return EXIT_OK;
}

CLI_HANDLER(cmd_follower_unfollow)
{
	const char *channel = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("channel", 0, &channel, "NAME", "the channel they left"),
		OPT_BOOL_("json", 0, &json, "say what was done as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	int64_t id;
	char *pos[1];
	int status, changed;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout follower unfollow PERSON --channel NAME",
			   "Marks that a person no longer follows a channel (as of today),\n"
			   "as 'follower import --complete' does for everyone missing from a\n"
			   "channel's list. A later import that lists them marks them\n"
			   "following again. PERSON is an id, an e-mail address or a handle\n"
			   "(@name).\n\n"
			   "example:\n"
			   "  turnout follower unfollow @olga_iv --channel tg", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_person_resolve(c->db, pos[0], &id, &err);
	if (rc == TN_OK)
		rc = tn_person_unfollow(c->db, id, channel, &changed, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (!changed)
		fprintf(stderr, "turnout: person %" PRId64 ": had unfollowed already; nothing changed\n", id);
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "person", (double)id);
		cJSON_AddStringToObject(o, "channel", channel);
		cJSON_AddNumberToObject(o, "unfollowed", changed);
		return cli_print_json(o);
	}
	printf("unfollowed %d\n", changed);
	return EXIT_OK;
}

/* Who a person is, for the question and the dry run: "person 12 (Zed,
 * z@x.example)", made safe for a terminal. */
struct who_ctx {
	struct tn_buf who;
	struct tn_buf details;     /* "  name  N", "  handle  @h on CHANNEL" lines */
	int forgotten;
	int seen;
};

static int who_row(void *vctx, const struct tn_follow_row *r)
{
	struct who_ctx *x = vctx;
	struct tn_buf email = TN_BUF_INIT;

	if (!x->seen++) {
		tn_buf_addf(&x->who, "person %" PRId64, r->person_id);
		if (r->name || r->email) {
			tn_buf_add(&x->who, " (");
			if (r->name)
				tn_esc_term(&x->who, r->name);
			if (r->name && r->email)
				tn_buf_add(&x->who, ", ");
			if (r->email)
				tn_esc_term(&x->who, email_shown(r->email, &email));
			tn_buf_add(&x->who, ")");
		}
		x->forgotten = r->forgotten_at != NULL;
		if (r->name) {
			tn_buf_add(&x->details, "  name    ");
			tn_esc_term(&x->details, r->name);
			tn_buf_add(&x->details, "\n");
		}
		if (r->email) {
			tn_buf_reset(&email);
			tn_buf_add(&x->details, "  email   ");
			tn_esc_term(&x->details, email_shown(r->email, &email));
			tn_buf_add(&x->details, "\n");
		}
	}
	if (r->handle) {
		tn_buf_add(&x->details, "  handle  @");
		tn_esc_term(&x->details, r->handle);
		tn_buf_add(&x->details, " on ");
		tn_esc_term(&x->details, r->channel);
		tn_buf_add(&x->details, "\n");
	}
	tn_buf_free(&email);
	return 0;
}

/* Asks on the terminal whether to forget who; 1 for a yes. */
static int confirmed(const char *who)
{
	struct tn_buf question = TN_BUF_INIT;
	int yes;

	tn_buf_addf(&question, "forget %s?", who);
	yes = cli_confirm(question.data);
	tn_buf_free(&question);
	return yes;
}

static int forget_allow_return(struct cli *c, const char *ref, int dry_run)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf shown = TN_BUF_INIT;
	int removed;
	tn_code rc;

	rc = tn_person_allow_return(c->db, ref, dry_run, &removed, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	tn_esc_term(&shown, ref);
	printf("%s %d suppression entr%s of '%s': later imports may bring them back\n",
	       dry_run ? "would remove" : "removed", removed, removed == 1 ? "y" : "ies",
	       shown.data);
	tn_buf_free(&shown);
	return EXIT_OK;
}

CLI_HANDLER(cmd_follower_forget)
{
	int yes = 0, dry_run = 0, allow_return = 0, json = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("yes", 'y', &yes, "do not ask (needed when stdin is not a terminal)"),
		OPT_BOOL_("dry-run", 0, &dry_run, "say what would be erased; change nothing"),
		OPT_BOOL_("json", 0, &json, "say what was done as one JSON document"),
		OPT_BOOL_("allow-return", 0, &allow_return,
			  "for a forgotten person who asks to come back: let imports bring"
			  " PERSON (their address or handle) in again"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_forget_plan plan;
	struct who_ctx who = { TN_BUF_INIT, TN_BUF_INIT, 0, 0 };
	int64_t id;
	char *pos[1];
	int status, done, flushed, handles;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout follower forget PERSON [--yes] [--dry-run]\n"
			   "       turnout follower forget --allow-return ADDRESS|HANDLE [--dry-run]",
			   "Erases a person's name, e-mail address and handles everywhere.\n"
			   "Anonymous rows stay, so audience and turnout counts do not change.\n"
			   "The address and handles are kept only as keyed hashes on a\n"
			   "suppression list, so that no later import brings the person back.\n"
			   "PERSON is an id, an e-mail address or a handle (@name). On a\n"
			   "terminal forget asks first; elsewhere it needs --yes.\n\n"
			   "examples:\n"
			   "  turnout follower forget anna@example.org --yes\n"
			   "  turnout follower forget @olga_iv --dry-run\n"
			   "  turnout follower forget --allow-return anna@example.org", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (allow_return)
		return forget_allow_return(c, pos[0], dry_run);
	if (!dry_run && !yes && !isatty(STDIN_FILENO))
		return cli_usage_error("follower forget: erasing a person needs confirmation:"
				       " pass --yes (stdin is not a terminal to ask on)");
	rc = tn_person_resolve(c->db, pos[0], &id, &err);
	if (rc == TN_OK)
		rc = tn_person_each(c->db, id, who_row, &who, &err);
	if (rc == TN_OK && dry_run)
		rc = tn_person_forget_plan(c->db, id, &plan, &err);
	if (rc != TN_OK) {
		status = cli_fail(&err, rc);
		goto out;
	}
	if (dry_run) {
		if (plan.forgotten) {
			printf("person %" PRId64 " is forgotten already: nothing would change\n", id);
			goto out;
		}
		printf("would forget person %" PRId64 ", erasing:\n%s", id, who.details.data);
		printf("keeping %d follower row%s, anonymous (channel, region, dates)\n",
		       plan.follows, plan.follows == 1 ? "" : "s");
		handles = plan.identifiers - plan.email;
		if (plan.identifiers)
			printf("and listing %s%s%.0d%s%s as suppressed, so that imports skip them\n",
			       plan.email ? "the address" : "", plan.email && handles ? " and " : "",
			       handles, handles ? " handle" : "", handles > 1 ? "s" : "");
		printf("nothing changed (--dry-run)\n");
		goto out;
	}
	if (!yes && !who.forgotten && !confirmed(who.who.data)) {
		fprintf(stderr, "turnout: %s: not forgotten (not confirmed)\n", who.who.data);
		status = EXIT_FAILED;
		goto out;
	}
	rc = tn_person_forget(c->db, id, &done, &flushed, &err);
	if (rc != TN_OK) {
		status = cli_fail(&err, rc);
		goto out;
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "person", (double)id);
		cJSON_AddBoolToObject(o, "forgotten", done);
		cJSON_AddBoolToObject(o, "flushed", flushed);
		status = cli_print_json(o);
	} else if (done) {
		printf("forgot person %" PRId64 "\n", id);
	}
	if (!done)
		fprintf(stderr, "turnout: person %" PRId64 ": already forgotten; nothing changed\n", id);
	if (!flushed)
		fprintf(stderr, "turnout: warning: another process has the database open, so the "
			"erased data is still in its write-ahead log\n"
			"hint: run 'turnout follower forget --yes %" PRId64 "' again when it has closed\n", id);
out:
	tn_buf_free(&who.who);
	tn_buf_free(&who.details);
	return status;
}
