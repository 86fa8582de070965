/*
 * cmd/organizer.c - the 'organizer token' commands: making an organizer
 * token (shown once, with the login link that opens the live report of
 * 'turnout serve' in a browser), listing the tokens and revoking one.
 * 'organizer token' is one command whose first word says which: add,
 * list or revoke, each with its own flags. The rules (labels, tokens
 * stored hashed) are organizer.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/organizer.h"
#include "turnout/setup.h"

static int token_add(struct cli *c, int argc, char **argv)
{
	const char *label = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("label", 0, &label, "LABEL",
			    "what the token is for, shown by list (at most 64 bytes)"),
		OPT_BOOL_("json", 0, &json, "print the token, its id and login link as JSON"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set = { 0 };
	struct tn_organizer_token t;
	char token[TN_ORGANIZER_TOKEN_LEN + 1], *link = NULL;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout organizer token add [--label LABEL] [--json]",
			   "Makes an organizer token and prints it with its login link\n"
			   "(base-url/login/TOKEN), which opens the live report of\n"
			   "'turnout serve' in a browser. Only a hash of the token is stored:\n"
			   "it is shown this once.\n\n"
			   "examples:\n"
			   "  turnout organizer token add --label 'marketing laptop'", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	/* The settings first: a failure then leaves no token nobody saw. */
	if ((rc = tn_settings_load(c->db, &set, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((rc = tn_organizer_token_add(c->db, label, &t, token, &err)) != TN_OK) {
		tn_settings_clear(&set);
		return cli_fail(&err, rc);
	}
	if (asprintf(&link, "%s/login/%s", set.base_url ? set.base_url : "", token) < 0) {
		link = NULL;
		status = EXIT_FAILED;
		fprintf(stderr, "turnout: out of memory\n");
	} else if (json) {
		cJSON *o = cJSON_CreateObject();

		if (o) {
			cJSON_AddNumberToObject(o, "id", (double)t.id);
			cli_json_text(o, "label", t.label[0] ? t.label : NULL);
			cJSON_AddStringToObject(o, "login_url", link);
			cJSON_AddStringToObject(o, "token", token);
			cJSON_AddStringToObject(o, "created_at", t.created_at);
		}
		status = cli_print_json(o);
	} else {
		printf("organizer token %lld added\nlogin link: ", (long long)t.id);
		cli_put_term(link);
		printf("\ntoken:      %s\n", token);
	}
	fflush(stdout);   /* before the notes, in a shared log */
	fprintf(stderr, "note: the token is shown only this once; open the link in "
		"the organizer's browser, or send it as 'Authorization: Bearer TOKEN'\n");
	cli_warn_local_base_url(&set, "organizer login links");
	free(link);
	tn_settings_clear(&set);
	return status;
}

static const struct cli_column list_columns[] = {
	{ "ID", 1 }, { "STATE", 0 }, { "CREATED", 0 }, { "REVOKED", 0 }, { "LABEL", 0 },
};
#define NCOLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static cJSON *token_json(const struct tn_organizer_token *t)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cli_json_text(o, "label", t->label[0] ? t->label : NULL);
	cJSON_AddBoolToObject(o, "revoked", t->revoked_at[0] != '\0');
	cJSON_AddStringToObject(o, "created_at", t->created_at);
	cli_json_text(o, "revoked_at", t->revoked_at[0] ? t->revoked_at : NULL);
	return o;
}

static int list_one(void *ctx, const struct tn_organizer_token *t)
{
	struct cli_listing *list = ctx;
	const char *cells[NCOLUMNS];
	char id[24];

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON)
		return cli_listing_json(list, token_json(t)) != 0;
	snprintf(id, sizeof(id), "%lld", (long long)t->id);
	cells[0] = id;
	cells[1] = t->revoked_at[0] ? "revoked" : "active";
	cells[2] = t->created_at;
	cells[3] = t->revoked_at[0] ? t->revoked_at : NULL;
	cells[4] = t->label[0] ? t->label : NULL;
	return cli_listing_row(list, cells) != 0;
}

static int token_list(struct cli *c, int argc, char **argv)
{
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout organizer token list [--format FORMAT] [--limit N]\n"
			   "       [--offset N] [--count]",
			   "Lists the organizer tokens by id, revoked ones too: whether each\n"
			   "is active, when it was made and revoked (UTC), and its label.\n"
			   "The tokens are not shown: only their hashes are kept.\n\n"
			   "examples:\n"
			   "  turnout organizer token list\n"
			   "  turnout organizer token list --json", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, NCOLUMNS)) != 0)
		return status;
	if ((rc = tn_organizer_token_each(c->db, list_one, &list, &err)) != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no organizer tokens yet; 'turnout organizer token add' "
			"makes one\n");
	return cli_listing_end(&list);
}

static int token_revoke(struct cli *c, int argc, char **argv)
{
	const struct cli_opt opts[] = {
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_organizer_token t;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout organizer token revoke ID",
			   "Revokes the organizer token ID (see 'turnout organizer token\n"
			   "list'): it stops working at once, in every browser that logged\n"
			   "in with it. Its id is not given out again.\n\n"
			   "examples:\n"
			   "  turnout organizer token revoke 2", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((rc = tn_organizer_token_revoke(c->db, pos[0], &t, &err)) != TN_OK)
		return cli_fail(&err, rc);
	printf("revoked organizer token %lld; it no longer works\n", (long long)t.id);
	return EXIT_OK;
}

static const struct {
	const char *verb;
	const char *name;   /* as messages name the command */
	int (*fn)(struct cli *c, int argc, char **argv);
	unsigned flags;     /* added to the command's: CLI_READ_ONLY */
} verbs[] = {
	{ "add", "organizer token add", token_add, 0 },
	{ "list", "organizer token list", token_list, CLI_READ_ONLY },
	{ "revoke", "organizer token revoke", token_revoke, 0 },
};

/* 'organizer token' alone, or with --help: what the three do, with every
 * flag (the manual page and the completions read this). */
static int token_help(struct cli *c, int argc, char **argv)
{
	const char *label = NULL;
	struct cli_listing list = { 0 };
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("label", 0, &label, "LABEL", "add: what the token is for"),
		OPT_BOOL_("json", 0, &json, "add, list: print JSON"),
		OPT_STRING_("format", 0, &list.format_arg, "FORMAT",
			    "list: table (default), tsv, csv or json"),
		OPT_STRING_("limit", 0, &list.limit_arg, "N", "list: print at most N rows"),
		OPT_STRING_("offset", 0, &list.offset_arg, "N", "list: skip the first N rows"),
		OPT_BOOL_("count", 0, &list.count, "list: print only the number of rows"),
		OPT_END_(),
	};
	int status;

	c->flags &= ~(unsigned)CLI_NEED_DB;   /* nothing to do with the database */
	status = cli_parse(c, argc, argv, opts,
			   "turnout organizer token add [--label LABEL] [--json]\n"
			   "       turnout organizer token list [--format FORMAT]\n"
			   "       turnout organizer token revoke ID",
			   "Organizer tokens open the live report of 'turnout serve'\n"
			   "(/report/EVENT) to the organizer's browser, through the login\n"
			   "link that 'add' prints, or to a script sending 'Authorization:\n"
			   "Bearer TOKEN'. 'add' makes one and shows it once (only its hash\n"
			   "is stored), 'list' lists them, 'revoke ID' stops one. Each has\n"
			   "its own --help.\n\n"
			   "examples:\n"
			   "  turnout organizer token add --label 'marketing laptop'\n"
			   "  turnout organizer token list\n"
			   "  turnout organizer token revoke 2", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	/* no verb: a usage error that lists them */
	cli_usage_error("%s: needs add, list or revoke", c->name);
	return EXIT_USAGE;
}

CLI_HANDLER(cmd_organizer_token)
{
	size_t i;

	if (argc < 1 || argv[0][0] == '-')   /* no verb: --help, or a usage error */
		return token_help(c, argc, argv);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[0], verbs[i].verb) == 0) {
			c->name = verbs[i].name;
			c->flags |= verbs[i].flags;   /* list: a reader may run it */
			return verbs[i].fn(c, argc - 1, argv + 1);
		}
	return cli_usage_error("%s: '%s': not add, list or revoke", c->name, argv[0]);
}
