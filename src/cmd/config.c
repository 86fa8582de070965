/*
 * cmd/config.c - 'turnout config [KEY [VALUE]]': shows or changes the
 * settings init stored. The rules (which keys, valid values) are
 * setup.c's.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "turnout/setup.h"

static const char config_usage[] = "turnout config [KEY [VALUE]] [--json]";
static const char config_help[] =
	"Without KEY, lists the settings; with KEY, prints its value (exit 1\n"
	"when it is unset); with KEY VALUE, changes it, checked as init checks\n"
	"it. The settings: org (the organiser's name), from (the From address\n"
	"of invitations; \"\" unsets it), base-url (the public address that\n"
	"links and calendar files point to), templates (a directory of e-mail\n"
	"templates that replace the built-in ones of the same name, checked\n"
	"and stored as an absolute path; \"\" goes back to the built-ins; see\n"
	"'turnout templates export'), telegram-api (the Telegram Bot API's\n"
	"address for 'channel audience --fetch' and announcements, by default\n"
	"https://api.telegram.org; https://, or http:// to a loopback address).\n\n"
	"examples:\n"
	"  turnout config\n"
	"  turnout config base-url https://meet.example.org\n"
	"  turnout config from \"\"\n"
	"  turnout config templates ./mail-templates";

static void print_value(const char *key, const char *value)
{
	printf("%s = ", key);
	cli_put_term(value ? value : "");
	printf("\n");
}

CLI_HANDLER(cmd_config)
{
	int json = 0, status, changed = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "the settings as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	const char *value;
	char *pos[2] = { NULL, NULL };
	tn_code rc;
	size_t i;

	status = cli_parse(c, argc, argv, opts, config_usage, config_help, 0, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (pos[1]) {
		rc = tn_setup_set(c->db, pos[0], pos[1], &changed, &err);
		if (rc != TN_OK && err.field[0])   /* name the key, as init names its flag */
			tn_err_prefix(&err, rc, "%s", err.field);
		if (rc != TN_OK)
			return cli_fail(&err, rc);
		if (!changed)
			fprintf(stderr, "note: %s is already that; nothing changed\n", pos[0]);
	}
	if ((rc = tn_settings_load(c->db, &set, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if (pos[0] && !pos[1] && !json) {
		rc = tn_settings_get(&set, pos[0], &value, &err);
		if (rc == TN_OK && value)
			print_value(pos[0], value);
		tn_settings_clear(&set);
		if (rc != TN_OK)
			return cli_fail(&err, rc);
		return value ? EXIT_OK : EXIT_FAILED;
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();

		for (i = 0; tn_setup_keys[i]; i++) {
			tn_settings_get(&set, tn_setup_keys[i], &value, NULL);
			cli_json_text(o, tn_setup_keys[i], value);
		}
		tn_settings_clear(&set);
		return cli_print_json(o);
	}
	for (i = 0; tn_setup_keys[i]; i++) {
		if (pos[0] && strcmp(pos[0], tn_setup_keys[i]) != 0)
			continue;
		tn_settings_get(&set, tn_setup_keys[i], &value, NULL);
		print_value(tn_setup_keys[i], value);
	}
	tn_settings_clear(&set);
	return EXIT_OK;
}
