/*
 * cmd/templates.c - 'turnout templates export DIR [--force]': writes the
 * built-in e-mail templates into a directory, as the starting point of an
 * organizer's own copies (the 'templates' setting). Needs no database.
 * Which files there are, and the rules for writing them, are
 * templates.c's.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/templates.h"

static const char export_usage[] = "turnout templates export DIR [--force]";

/* The help, with the placeholder names from their one list. */
static const char *export_help(void)
{
	static struct tn_buf help = TN_BUF_INIT;
	size_t i, col;

	if (help.len)
		return help.data;
	tn_buf_add(&help,
		"Writes the built-in e-mail templates into DIR (made when missing):\n"
		"for each message (invite, update, cancel) its subject line\n"
		"(KIND.subject), plain text (KIND.txt) and HTML (KIND.html), and\n"
		"announce.txt, the post 'turnout announce' makes on a channel. Edit the\n"
		"copies and point turnout at them with 'turnout config templates DIR':\n"
		"a file there replaces the built-in one of the same name, the others\n"
		"stay built-in. An existing file is replaced only with --force;\n"
		"without it, nothing is written.\n\n"
		"The syntax: {{name}} is a value (HTML-escaped in .html, one line in\n"
		".subject); {{#name}}...{{/name}} is shown only when name is not empty,\n"
		"{{^name}}...{{/name}} only when it is; {{! comment }}. A tag alone on\n"
		"its line leaves no empty line. An unknown name or an unclosed section\n"
		"is an error naming the file and line. The names:\n ");
	for (i = 0, col = 2; tn_templates_vars[i]; i++) {
		if (col + strlen(tn_templates_vars[i]) + 2 > 76) {
			tn_buf_add(&help, "\n ");
			col = 2;
		}
		tn_buf_addf(&help, " %s%s", tn_templates_vars[i],
			    tn_templates_vars[i + 1] ? "," : "");
		col += strlen(tn_templates_vars[i]) + 2;
	}
	tn_buf_add(&help,
		"\n\nexamples:\n"
		"  turnout templates export mail-templates\n"
		"  turnout config templates mail-templates\n"
		"  turnout templates export mail-templates --force");
	return help.data;
}

/* Says which file export wrote (its path made safe for a terminal). */
static void print_written(void *ctx, const char *path)
{
	(void)ctx;
	printf("wrote ");
	cli_put_term(path);
	printf("\n");
}

CLI_HANDLER(cmd_templates_export)
{
	int force = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("force", 0, &force, "replace files that exist"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, export_usage, export_help(), 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_templates_export(pos[0], force, print_written, NULL, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return EXIT_OK;
}
