/*
 * parse-options.c - the CLI's option parser (after git's parse-options):
 * each handler describes its flags in a table, and unknown flags, missing
 * values and wrong argument counts are usage errors before any work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/suggest.h"


static cli_help_sink help_sink;
static void *help_sink_ctx;

void cli_capture_help(cli_help_sink sink, void *ctx)
{
	help_sink = sink;
	help_sink_ctx = ctx;
}

enum { HELP_WIDTH = 80, HELP_LEFT = 28 };

/* Prints one option line: the flag in a column of HELP_LEFT, then its
 * help wrapped at word boundaries to fit HELP_WIDTH columns. */
static void print_option(const char *left, const char *text)
{
	const char *p = text;
	int col = printf("  %-*s", HELP_LEFT - 2, left), first = 1;

	if (col > HELP_LEFT) {   /* a long flag: the text starts below it */
		printf("\n%*s", HELP_LEFT, "");
		col = HELP_LEFT;
	}
	while (*p) {
		size_t word = strcspn(p, " ");

		if (!first && col + 1 + (int)word > HELP_WIDTH) {
			printf("\n%*s", HELP_LEFT, "");
			col = HELP_LEFT;
			first = 1;
		}
		col += printf("%s%.*s", first ? " " : " ", (int)word, p);
		first = 0;
		p += word;
		while (*p == ' ')
			p++;
	}
	printf("\n");
}

static void print_help(const struct cli_opt *opts, const char *usage,
		       const char *description)
{
	const struct cli_opt *o;
	char left[64], text[256];

	printf("usage: %s\n", usage);
	if (description)
		printf("\n%s\n", description);
	printf("\noptions:\n");
	for (o = opts; o && o->type != OPT_END; o++) {
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
				 o->name, o->argh ? " " : "", o->argh ? o->argh : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->argh ? " " : "", o->argh ? o->argh : "");
		snprintf(text, sizeof(text), "%s%s", o->help,
			 o->type == OPT_LIST ? " (repeatable)" : "");
		print_option(left, text);
	}
	print_option("    --db FILE", "the database (default $TURNOUT_DB, else ./turnout.db)");
	print_option("-h, --help", "show this help");
	printf("\n%s\n", cli_exit_status_text);
}

const char cli_exit_status_text[] =
	"exit status: 0 done, 1 the operation failed, 2 usage error (a bad\n"
	"flag or value, a missing argument, an unknown name).";

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *name, size_t len, char short_name)
{
	const struct cli_opt *o;

	for (o = opts; o && o->type != OPT_END; o++) {
		if (short_name && o->short_name == short_name)
			return o;
		if (!short_name && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

static int list_push(struct cli_list *l, const char *v)
{
	const char **p = realloc(l->items, sizeof(*p) * (size_t)(l->count + 1));

	if (!p)
		return -1;
	p[l->count++] = v;
	l->items = p;
	return 0;
}

/* Says which option a mistyped one most likely meant. */
static void suggest_option(const struct cli_opt *opts, const char *arg)
{
	const struct cli_opt *o;
	struct tn_suggest s;
	size_t len;

	if (arg[0] != '-' || arg[1] != '-')
		return;
	len = strcspn(arg + 2, "=");
	{
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)len, arg + 2);
		tn_suggest_init(&s, word);
		for (o = opts; o && o->type != OPT_END; o++)
			tn_suggest_offer(&s, o->name);
		tn_suggest_offer(&s, "help");
		tn_suggest_offer(&s, "db");
		if (s.best)
			fprintf(stderr, "did you mean '--%s'?\n", s.best);
	}
}

/* Opens the database once the command line is known to be right, so a
 * typo is a usage error whether or not a database exists. */
static int open_database(struct cli *c)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	if (!(c->flags & CLI_NEED_DB) || c->db)
		return 0;
	rc = tn_db_open(c->db_path, c->flags & CLI_READ_ONLY ? TN_DB_READ : 0, &c->db, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	cli_warn_db_access(c->db_path, tn_db_too_open(c->db));
	return 0;
}

int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char *usage, const char *description,
	      int min_pos, int max_pos, char **pos)
{
	int i, npos = 0, only_pos = 0;

	if (help_sink) {
		help_sink(help_sink_ctx, usage, description, opts);
		return -1;
	}
	cli_set_options(opts);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct cli_opt *o;

		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			if (npos >= max_pos)
				return cli_usage_error("%s: unexpected argument '%s'", c->name, a);
			pos[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		/* --help where an option may stand (not as an option's value:
		 * "--title -h" is a title) */
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_help(opts, usage, description);
			return -1;
		}
		/* the global --db may also follow the command */
		if (strcmp(a, "--db") == 0 || strncmp(a, "--db=", 5) == 0) {
			if (a[4] == '=')
				c->db_path = a + 5;
			else if (i + 1 < argc)
				c->db_path = argv[++i];
			else
				return cli_usage_error("%s: option '--db' needs a value (FILE)",
						       c->name);
			if (!*c->db_path)
				return cli_usage_error("--db: empty file name");
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			o = find_opt(opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2), 0);
			if (eq)
				val = eq + 1;
		} else {
			o = a[2] == '\0' ? find_opt(opts, NULL, 0, a[1]) : NULL;
		}
		if (!o) {
			cli_usage_error("%s: unknown option '%s'", c->name, a);
			suggest_option(opts, a);
			fprintf(stderr, "run 'turnout %s --help' for the options\n", c->name);
			return EXIT_USAGE;
		}
		if (o->type == OPT_BOOL) {
			if (val)
				return cli_usage_error("%s: option '--%s' takes no value",
						       c->name, o->name);
			*(int *)o->value = 1;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				return cli_usage_error("%s: option '--%s' needs a value (%s)",
						       c->name, o->name, o->argh);
			val = argv[++i];
		}
		if (o->type == OPT_STRING) {
			*(const char **)o->value = val;
		} else if (list_push(o->value, val) != 0) {
			fprintf(stderr, "turnout: out of memory\n");
			return EXIT_FAILED;
		}
	}
	if (npos < min_pos) {
		cli_usage_error("%s: missing argument", c->name);
		fprintf(stderr, "usage: %s\n", usage);
		return EXIT_USAGE;
	}
	return open_database(c);
}

