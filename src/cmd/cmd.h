/*
 * cmd.h - private to the command-line front end (main.c, cmd/): the command table's
 * shape, the option parser and the output helpers every handler shares.
 * Handlers only parse input and print; the work is done by tn_* calls.
 */
#ifndef TURNOUT_CLI_H
#define TURNOUT_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "turnout/db.h"
#include "turnout/err.h"

/* Exit statuses (SPEC.md). */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* What a command needs before its handler's work (the command table). */
enum { CLI_NEED_DB = 1 };   /* cli_parse opens the database */

struct cli {
	const char *db_path;   /* --db, $TURNOUT_DB or ./turnout.db */
	struct tn_db *db;      /* opened by cli_parse when CLI_NEED_DB */
	const char *name;      /* the command's name, "event create" */
	unsigned flags;        /* CLI_NEED_DB ... */
};

enum cli_opt_type {
	OPT_END = 0,
	OPT_BOOL,      /* int *: set to 1 */
	OPT_STRING,    /* const char **: last one wins */
	OPT_LIST,      /* struct cli_list *: repeatable */
};

struct cli_list {
	const char **items;
	int count;
};

struct cli_opt {
	enum cli_opt_type type;
	const char *name;      /* long name without "--" */
	char short_name;       /* 0 if none */
	void *value;
	const char *argh;      /* argument placeholder for help, "FILE" */
	const char *help;
};

#define OPT_BOOL_(n, s, v, h)          { OPT_BOOL, (n), (s), (v), NULL, (h) }
#define OPT_STRING_(n, s, v, a, h)     { OPT_STRING, (n), (s), (v), (a), (h) }
#define OPT_LIST_(n, s, v, a, h)       { OPT_LIST, (n), (s), (v), (a), (h) }
#define OPT_END_()                     { OPT_END, NULL, 0, NULL, NULL, NULL }

/*
 * Parses argv (the words after the command name) against opts. Positional
 * arguments are collected into pos (at most max_pos, at least min_pos).
 * Prints help and returns -1 for --help (caller exits 0); prints a usage
 * error and returns EXIT_USAGE for an unknown flag, a missing value or a
 * wrong number of positionals. Every command also takes the global
 * --db FILE. When all is well and the command needs the database
 * (CLI_NEED_DB), opens it (its failure is printed and its exit status
 * returned); returns 0 when all is well. usage is the
 * synopsis line(s), description a paragraph for --help.
 */
int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char *usage, const char *description,
	      int min_pos, int max_pos, char **pos);

/* Prints "turnout: <msg>" (and the hint) to stderr, made terminal-safe
 * (tn_esc_term), and returns the exit status for code: 2 for usage, not
 * found and already exists, else 1. An error about a field that is one of
 * the command's options names that option ("--start: ..."); the library's
 * suggested next step becomes a hint naming the command. */
int cli_fail(const struct tn_err *err, tn_code code);
/* The option table of the running command, for cli_fail (cli_parse sets
 * it). */
void cli_set_options(const struct cli_opt *opts);
/* Prints "turnout: <fmt...>" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a non-negative integer flag value; on error prints and returns
 * EXIT_USAGE, else 0. */
int cli_parse_count(const char *flag, const char *text, long long *out);

/* Writes json as one document on stdout and frees it; 0 or EXIT_FAILED. */
int cli_print_json(cJSON *json);
/* Adds key: value to a JSON object, or key: null when value is NULL. */
void cli_json_text(cJSON *o, const char *key, const char *value);
/* Prints s to stdout made safe for a terminal (tn_esc_term). */
void cli_put_term(const char *s);

/* A progress bar on stderr, drawn only when stderr is a terminal. */
struct cli_progress {
	int active;
	const char *label;
	unsigned long long total;
	int last_permille;
};
void cli_progress_start(struct cli_progress *p, const char *label,
			unsigned long long total);
void cli_progress_update(struct cli_progress *p, unsigned long long done);
void cli_progress_end(struct cli_progress *p);

/* Handlers: each returns an exit status. */
#define CLI_HANDLER(fn) int fn(struct cli *c, int argc, char **argv)
CLI_HANDLER(cmd_init);
CLI_HANDLER(cmd_config);
CLI_HANDLER(cmd_channel_add);
CLI_HANDLER(cmd_channel_list);
CLI_HANDLER(cmd_channel_audience);
CLI_HANDLER(cmd_channel_rename);
CLI_HANDLER(cmd_channel_update);
CLI_HANDLER(cmd_channel_remove);
CLI_HANDLER(cmd_follower_import);
CLI_HANDLER(cmd_follower_list);
CLI_HANDLER(cmd_follower_show);
CLI_HANDLER(cmd_follower_unfollow);
CLI_HANDLER(cmd_follower_forget);
CLI_HANDLER(cmd_event_create);
CLI_HANDLER(cmd_event_list);
CLI_HANDLER(cmd_event_show);
CLI_HANDLER(cmd_event_update);
CLI_HANDLER(cmd_event_cancel);
CLI_HANDLER(cmd_ics);

#endif
