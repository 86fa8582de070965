/*
 * cmd/gate.c - the 'gate' commands: adding an event's door devices
 * (each with a login link that holds its secret token, shown once),
 * listing them with their counts, and revoking one. The rules (names,
 * tokens stored hashed) are door.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "turnout/door.h"
#include "turnout/setup.h"

CLI_HANDLER(cmd_gate_add)
{
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print the gate, its link and token as JSON"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set = { 0 };
	char token[TN_GATE_TOKEN_LEN + 1];
	char *pos[2], *link = NULL;
	struct tn_gate g;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout gate add EVENT NAME [--json]",
			   "Adds a gate - a door device: a phone, a laptop with a scanner -\n"
			   "named NAME to EVENT, and prints its login link (base-url/door/\n"
			   "TOKEN, which opens the door page of 'turnout serve' on that\n"
			   "device) and its token. Only a hash of the token is stored: it is\n"
			   "shown this once. 'turnout gate revoke' stops a lost device.\n\n"
			   "examples:\n"
			   "  turnout gate add readers-meetup north\n"
			   "  turnout gate add readers-meetup 'side door' --json", 2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	/* The settings first: a failure then leaves no gate whose token
	 * nobody saw. */
	if ((rc = tn_settings_load(c->db, &set, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((rc = tn_gate_add(c->db, pos[0], pos[1], &g, token, &err)) != TN_OK) {
		tn_settings_clear(&set);
		return cli_fail(&err, rc);
	}
	if (asprintf(&link, "%s/door/%s", set.base_url ? set.base_url : "", token) < 0) {
		link = NULL;
		status = EXIT_FAILED;
		fprintf(stderr, "turnout: out of memory\n");
	} else if (json) {
		cJSON *o = cJSON_CreateObject();

		if (o) {
			cJSON_AddNumberToObject(o, "id", (double)g.id);
			cJSON_AddStringToObject(o, "event", g.event);
			cJSON_AddStringToObject(o, "name", g.name);
			cJSON_AddStringToObject(o, "login_url", link);
			cJSON_AddStringToObject(o, "token", token);
			cJSON_AddStringToObject(o, "created_at", g.created_at);
		}
		status = cli_print_json(o);
	} else {
		printf("gate '");
		cli_put_term(g.name);
		printf("' added to '%s'\n", g.event);
		printf("login link: ");
		cli_put_term(link);
		printf("\ntoken:      %s\n", token);
	}
	fflush(stdout);   /* before the notes, in a shared log */
	fprintf(stderr, "note: the token is shown only this once; open the link on "
		"the door device\n");
	cli_warn_local_base_url(&set, "gate login links");
	free(link);
	tn_settings_clear(&set);
	return status;
}

static const struct cli_column list_columns[] = {
	{ "NAME", 0 }, { "STATE", 0 }, { "SCANS", 1 }, { "ADMITTED", 1 },
	{ "LAST SCAN", 0 }, { "CREATED", 0 },
};
#define NCOLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static cJSON *gate_json(const struct tn_gate *g)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)g->id);
	cJSON_AddStringToObject(o, "event", g->event);
	cJSON_AddStringToObject(o, "name", g->name);
	cJSON_AddBoolToObject(o, "revoked", g->revoked_at[0] != '\0');
	cJSON_AddNumberToObject(o, "scans", (double)g->scans);
	cJSON_AddNumberToObject(o, "admitted", (double)g->admitted);
	cli_json_text(o, "last_scan_at", g->last_scan_at[0] ? g->last_scan_at : NULL);
	cJSON_AddStringToObject(o, "created_at", g->created_at);
	cli_json_text(o, "revoked_at", g->revoked_at[0] ? g->revoked_at : NULL);
	return o;
}

static int list_one(void *ctx, const struct tn_gate *g)
{
	struct cli_listing *list = ctx;
	const char *cells[NCOLUMNS];
	char scans[24], admitted[24];

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON)
		return cli_listing_json(list, gate_json(g)) != 0;
	snprintf(scans, sizeof(scans), "%" PRId64, g->scans);
	snprintf(admitted, sizeof(admitted), "%" PRId64, g->admitted);
	cells[0] = g->name;
	cells[1] = g->revoked_at[0] ? "revoked" : "active";
	cells[2] = scans;
	cells[3] = admitted;
	cells[4] = g->last_scan_at[0] ? g->last_scan_at : NULL;
	cells[5] = g->created_at;
	return cli_listing_row(list, cells) != 0;
}

CLI_HANDLER(cmd_gate_list)
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
			   "turnout gate list EVENT [--format FORMAT] [--limit N] [--offset N]\n"
			   "       [--count]",
			   "Lists the gates of EVENT by name, revoked ones too: whether each\n"
			   "is active, how many scans it recorded and how many of them\n"
			   "admitted, its last scan and when it was added (UTC). Tokens are\n"
			   "not shown: only their hashes are kept.\n\n"
			   "examples:\n"
			   "  turnout gate list readers-meetup\n"
			   "  turnout gate list readers-meetup --json", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, NCOLUMNS)) != 0)
		return status;
	rc = tn_gate_each(c->db, pos[0], list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no gates yet; 'turnout gate add EVENT NAME' adds one\n");
	return cli_listing_end(&list);
}

CLI_HANDLER(cmd_gate_revoke)
{
	const struct cli_opt opts[] = {
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_gate g;
	char *pos[2];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout gate revoke EVENT NAME",
			   "Revokes the gate NAME of EVENT: its token stops working at once\n"
			   "(a lost or stolen phone scans no more), and the scans it\n"
			   "recorded stay. A revoked gate's name is not given out again.\n\n"
			   "examples:\n"
			   "  turnout gate revoke readers-meetup north", 2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((rc = tn_gate_revoke(c->db, pos[0], pos[1], &g, &err)) != TN_OK)
		return cli_fail(&err, rc);
	printf("revoked gate '");
	cli_put_term(g.name);
	printf("' of '%s'; its token no longer works\n", g.event);
	return EXIT_OK;
}
