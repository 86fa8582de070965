/*
 * cmd/init.c - 'turnout init'.
 */
#include <stdio.h>

#include "cmd.h"
#include "turnout/setup.h"

static const char init_usage[] =
	"turnout init [--org NAME] [--from EMAIL] [--base-url URL]";
static const char init_help[] =
	"Creates the database (--db, $TURNOUT_DB or ./turnout.db) with the\n"
	"organisation's settings and a new Ed25519 key pair that signs tickets.\n"
	"Running it again on an initialised database changes nothing; a value\n"
	"that differs from the stored one is not applied (exit 1): 'turnout\n"
	"config' changes settings.\n\n"
	"examples:\n"
	"  turnout init --org \"Readers Club\" --from events@example.org \\\n"
	"               --base-url https://meet.example.org\n"
	"  turnout --db club.db init";

CLI_HANDLER(cmd_init)
{
	const char *org = NULL, *from = NULL, *base_url = NULL;   /* NULL: default */
	const struct cli_opt opts[] = {
		OPT_STRING_("org", 0, &org, "NAME", "the organiser's name (default \"" TN_SETUP_DEFAULT_ORG "\")"),
		OPT_STRING_("from", 0, &from, "EMAIL", "the From address of invitations"),
		OPT_STRING_("base-url", 0, &base_url, "URL",
			    "the public address that links and calendar files point to "
			    "(default " TN_SETUP_DEFAULT_BASE_URL ")"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	int status, created;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, init_usage, init_help, 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_setup_create(c->db_path, org, from, base_url, &created, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	cli_warn_db_access(c->db_path, tn_db_path_too_open(c->db_path));
	if (created)
		printf("initialised '%s'\n", c->db_path);
	else
		fprintf(stderr, "turnout: database '%s' is already initialised; nothing changed\n",
			c->db_path);
	return EXIT_OK;
}
