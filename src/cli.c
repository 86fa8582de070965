/*
 * cli.c - main(): global flags, the command table, the option parser and
 * the output helpers shared by the cli_*.c handlers. Owns the process exit
 * status; nothing below the CLI layer calls exit().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "turnout/buf.h"
#include "turnout/esc.h"

#define TURNOUT_VERSION "0.1.0"

enum { NEED_DB = 1 };   /* open the database before the handler */

struct cmd {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	unsigned flags;
	const char *summary;
};

static const struct cmd commands[] = {
	{ "init", cmd_init, 0,
	  "create the database and the ticket signing key pair" },
	{ "channel add", cmd_channel_add, NEED_DB, "add an online channel" },
	{ "channel list", cmd_channel_list, NEED_DB,
	  "list channels with their audience" },
	{ "channel audience", cmd_channel_audience, NEED_DB,
	  "record a channel's declared audience on a date" },
	{ "follower import", cmd_follower_import, NEED_DB,
	  "import a channel's followers from CSV" },
	{ "follower list", cmd_follower_list, NEED_DB, "list followers" },
	{ "follower show", cmd_follower_show, NEED_DB,
	  "show one person and the channels they follow" },
	{ "follower forget", cmd_follower_forget, NEED_DB,
	  "erase a person's personal data everywhere" },
	{ "event create", cmd_event_create, NEED_DB, "create an event" },
	{ "event list", cmd_event_list, NEED_DB, "list events" },
	{ "event show", cmd_event_show, NEED_DB, "show one event" },
	{ "event update", cmd_event_update, NEED_DB,
	  "change an event (bumps its sequence)" },
	{ "event cancel", cmd_event_cancel, NEED_DB, "cancel an event" },
	{ "ics", cmd_ics, NEED_DB, "write an event as an iCalendar file" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "usage: turnout [--db FILE] COMMAND [ARGS]\n\n"
		   "The database is --db, else $TURNOUT_DB, else ./turnout.db.\n\n"
		   "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'turnout help COMMAND' or 'turnout COMMAND --help' "
		   "shows a command's flags.\n");
}

/* Finds the command named by argv[0] (and argv[1] for two-word names);
 * sets *used to the number of words consumed. */
static const struct cmd *find_command(int argc, char **argv, int *used)
{
	size_t i, n0;

	if (argc < 1)
		return NULL;
	n0 = strlen(argv[0]);
	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;
		if (strncmp(name, argv[0], n0) != 0)
			continue;
		if (name[n0] == '\0') {
			*used = 1;
			return &commands[i];
		}
		if (name[n0] == ' ' && argc > 1 && strcmp(name + n0 + 1, argv[1]) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	return NULL;
}

/* 1 if word names a group of commands ("channel", "event"). */
static int is_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, word, n) == 0 && commands[i].name[n] == ' ')
			return 1;
	return 0;
}

/* Lists a group's commands; with sub, first says that sub is not one of
 * them. From 'turnout help GROUP' (ok = 1) it is an answer, not an error. */
static int group_usage(const char *group, const char *sub, int ok)
{
	size_t i, n = strlen(group);
	FILE *f = ok ? stdout : stderr;

	if (sub)
		cli_usage_error("'%s %s': unknown command", group, sub);
	else if (!ok)
		cli_usage_error("'%s': needs a subcommand", group);
	fprintf(f, "the '%s' commands are:\n", group);
	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, group, n) == 0 && commands[i].name[n] == ' ')
			fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	return ok && !sub ? EXIT_OK : EXIT_USAGE;
}

static int run(const struct cmd *cmd, struct cli *c, int argc, char **argv)
{
	struct tn_err err;
	tn_code rc;
	int status, i;

	c->name = cmd->name;
	for (i = 0; i < argc; i++)      /* --help needs no database */
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cmd->fn(c, argc, argv);
	if (cmd->flags & NEED_DB) {
		rc = tn_db_open(c->db_path, 0, &c->db, &err);
		if (rc != TN_OK)
			return cli_fail(&err, rc);
	}
	status = cmd->fn(c, argc, argv);
	tn_db_close(c->db);
	c->db = NULL;
	return status;
}

static int dispatch(int argc, char **argv)
{
	struct cli c = { 0 };
	const struct cmd *cmd;
	int i = 1, used = 0, status;

	c.db_path = getenv("TURNOUT_DB");
	if (!c.db_path || !*c.db_path)
		c.db_path = "turnout.db";
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			c.db_path = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			c.db_path = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			list_commands(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("turnout %s\n", TURNOUT_VERSION);
			return EXIT_OK;
		} else {
			return cli_usage_error("'%s': unknown option (or missing value)",
					       argv[i]);
		}
	}
	if (!*c.db_path)
		return cli_usage_error("--db: empty file name");
	if (i >= argc) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			list_commands(stdout);
			return EXIT_OK;
		}
		cmd = find_command(argc - i - 1, argv + i + 1, &used);
		if (!cmd) {
			if (is_group(argv[i + 1]))
				return group_usage(argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL, 1);
			return cli_usage_error("'%s': unknown command", argv[i + 1]);
		}
		{
			char *help[] = { "--help", NULL };
			status = cmd->fn(&c, 1, help);
		}
	} else {
		cmd = find_command(argc - i, argv + i, &used);
		if (!cmd) {
			if (is_group(argv[i]))
				return group_usage(argv[i], i + 1 < argc ? argv[i + 1] : NULL, 0);
			cli_usage_error("'%s': unknown command", argv[i]);
			fprintf(stderr, "run 'turnout help' for the list\n");
			return EXIT_USAGE;
		}
		status = run(cmd, &c, argc - i - used, argv + i + used);
	}
	return status;
}

int main(int argc, char **argv)
{
	int status;

	/* Before any other SQLite call: no global memory statistics, which
	 * cost a mutex round trip on every allocation (a bulk import makes
	 * millions). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	status = dispatch(argc, argv);

	/* A full disk or a closed pipe must not look like success (git.c). */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (status == EXIT_OK) {
			fprintf(stderr, "turnout: write error: stdout: %s\n", strerror(errno));
			status = EXIT_FAILED;
		}
	}
	return status;
}

/* ---- option parsing ---------------------------------------------------- */

static void print_help(const struct cli_opt *opts, const char *usage,
		       const char *description)
{
	const struct cli_opt *o;
	char left[64];

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
		printf("  %-26s %s%s\n", left, o->help,
		       o->type == OPT_LIST ? " (repeatable)" : "");
	}
	printf("  %-26s %s\n", "-h, --help", "show this help");
}

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

int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char *usage, const char *description,
	      int min_pos, int max_pos, char **pos)
{
	int i, npos = 0, only_pos = 0;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_help(opts, usage, description);
			return -1;
		}
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
	return 0;
}

/* ---- output helpers ------------------------------------------------------ */

int cli_fail(const struct tn_err *err, tn_code code)
{
	struct tn_buf b = TN_BUF_INIT;

	/* Messages quote user input (names, file content): terminal-safe. */
	tn_buf_add(&b, "turnout: ");
	tn_esc_term(&b, err->msg[0] ? err->msg : tn_strerror(code));
	if (err->hint[0]) {
		tn_buf_add(&b, "\nhint: ");
		tn_esc_term(&b, err->hint);
	}
	fprintf(stderr, "%s\n", b.data);
	tn_buf_free(&b);
	switch (code) {
	case TN_USAGE:
	case TN_NOTFOUND:
	case TN_EXISTS:
		return EXIT_USAGE;
	default:
		return EXIT_FAILED;
	}
}

int cli_usage_error(const char *fmt, ...)
{
	struct tn_buf msg = TN_BUF_INIT, safe = TN_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	tn_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	tn_esc_term(&safe, msg.data);   /* it quotes the user's arguments */
	fprintf(stderr, "turnout: %s\n", safe.data);
	tn_buf_free(&msg);
	tn_buf_free(&safe);
	return EXIT_USAGE;
}

int cli_parse_count(const char *flag, const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (errno || !isdigit((unsigned char)text[0]) || *end || *out < 0)
		return cli_usage_error("%s: '%s': not a whole number >= 0", flag, text);
	return 0;
}

int cli_print_json(cJSON *json)
{
	char *s = json ? cJSON_Print(json) : NULL;

	cJSON_Delete(json);
	if (!s) {
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	fputs(s, stdout);
	fputc('\n', stdout);
	cJSON_free(s);
	return EXIT_OK;
}

void cli_json_text(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

void cli_put_term(const char *s)
{
	struct tn_buf b = TN_BUF_INIT;

	if (s && tn_esc_term(&b, s) == TN_OK)
		fputs(b.data, stdout);
	tn_buf_free(&b);
}

void cli_progress_start(struct cli_progress *p, const char *label,
			unsigned long long total)
{
	p->active = isatty(STDERR_FILENO) && total > 0;
	p->label = label;
	p->total = total;
	p->last_permille = -1;
}

void cli_progress_update(struct cli_progress *p, unsigned long long done)
{
	int permille, filled, i;

	if (!p->active)
		return;
	if (done > p->total)
		done = p->total;
	permille = (int)(done * 1000 / p->total);
	if (permille == p->last_permille)
		return;
	p->last_permille = permille;
	filled = permille * 30 / 1000;
	fprintf(stderr, "\r%s [", p->label);
	for (i = 0; i < 30; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%", permille / 10);
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->active)
		return;
	cli_progress_update(p, p->total);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->active = 0;
}
