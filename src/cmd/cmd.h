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
#include "turnout/file.h"

/* Exit statuses (SPEC.md). */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* What a command needs before its handler's work (the command table). */
enum {
	CLI_NEED_DB = 1,     /* cli_parse opens the database */
	CLI_READ_ONLY = 2,   /* ... for reading when this user may not write it */
};

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

/* The exit statuses, as every --help and the manual state them. */
extern const char cli_exit_status_text[];

/* Help capture, for the generated manual and completions (docs.c): while
 * a sink is installed, cli_parse hands it the command's usage,
 * description and options instead of parsing, and returns -1 as for
 * --help. NULL uninstalls it. */
typedef void (*cli_help_sink)(void *ctx, const char *usage,
			      const char *description, const struct cli_opt *opts);
void cli_capture_help(cli_help_sink sink, void *ctx);

/* The command table (main.c), read by docs.c. */
size_t cli_command_count(void);
const char *cli_command_name(size_t i);
const char *cli_command_summary(size_t i);
/* Runs command i's handler with help captured by sink. */
void cli_command_describe(size_t i, cli_help_sink sink, void *ctx);

/* 'turnout help --man' and 'turnout help --completion bash|zsh' (docs.c):
 * the manual page and shell completions, made from the same tables as
 * --help. Return an exit status. */
int cli_print_man(const char *version);
int cli_print_completion(const char *shell);

/* Prints "turnout: <msg>" (and the hint) to stderr, made terminal-safe
 * (tn_esc_term), and returns the exit status for code: 2 for usage, not
 * found and already exists, else 1. An error about a field that is one of
 * the command's options names that option ("--start: ..."); the library's
 * suggested next step becomes a hint naming the command. */
int cli_fail(const struct tn_err *err, tn_code code);
/* The option table of the running command, for cli_fail (cli_parse sets
 * it). */
void cli_set_options(const struct cli_opt *opts);
/* Warns on stderr, once, when others may read or write the database
 * (others: tn_db_too_open), with the chmod that fixes it; not an error. */
void cli_warn_db_access(const char *path, int others);
/* Warns on stderr while the base URL names this machine only (as init's
 * default does): the links in what (e.g. "calendar files") then work
 * nowhere else. */
struct tn_settings;
void cli_warn_local_base_url(const struct tn_settings *set, const char *what);
/* Prints "turnout: <fmt...>" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a non-negative integer flag value; on error prints and returns
 * EXIT_USAGE, else 0. */
int cli_parse_count(const char *flag, const char *text, long long *out);

/*
 * Where a command's output goes: every "-o FILE" opens it here, so "-o -"
 * (and no -o) means stdout in one place and a file goes through the
 * library's tn_output (file.h: atomic for a regular file, straight to a
 * device or FIFO, links followed). Each call returns 0 or an exit status
 * after printing why; the first failure sticks, so later writes are
 * no-ops that return it again, and nothing is printed twice.
 */
struct cli_out {
	int to_stdout;
	int status;               /* 0, or the exit status of the first failure */
	struct tn_output file;    /* when !to_stdout */
};
/* path NULL or "-": stdout; else the file (created or replaced at
 * cli_out_close, never before). */
int cli_out_open(struct cli_out *o, const char *path);
int cli_out_write(struct cli_out *o, const void *data, size_t len);
int cli_out_puts(struct cli_out *o, const char *s);
/* Finishes the output: stdout is flushed and checked; a file is
 * committed (or, after a failed write, removed). Returns 0 or an exit
 * status. */
int cli_out_close(struct cli_out *o);
/* Drops the output after a failure elsewhere: a file's temporary copy is
 * removed and the target left as it was. */
void cli_out_abort(struct cli_out *o);

/* Writes json as one document on stdout and frees it; 0 or EXIT_FAILED. */
int cli_print_json(cJSON *json);
/*
 * A JSON array written to out as its items arrive, so a listing of a
 * million rows needs the memory of one: each add prints one item and
 * frees it, end writes "]" and a newline. "[" comes with the first item
 * (or at the end), so a listing that fails before its first row prints
 * nothing. The bytes are those cJSON_Print gives for the whole array.
 * Each returns 0 or, once writing failed (a closed stdout, a full disk)
 * or memory ran out, an exit status after printing why (kept in out, so
 * cli_out_close returns it too); the caller stops there.
 */
struct cli_json_array {
	struct cli_out *out;
	int items;
};
int cli_json_array_begin(struct cli_json_array *a, struct cli_out *out);
/* Takes item (NULL counts as out of memory) and frees it. */
int cli_json_array_add(struct cli_json_array *a, cJSON *item);
int cli_json_array_end(struct cli_json_array *a);
/*
 * Listings (channel list, event list, follower list) print through one
 * writer, so the formats and the paging flags live once (listing.c):
 *
 *   --format table  columns aligned by display width (the default); the
 *                   first CLI_LISTING_MEASURE rows are held to measure the
 *                   columns, later rows keep those widths. On a terminal
 *                   no line is wider than the terminal: the end of the
 *                   line (the last, free-text column) is cut with "…".
 *   --format tsv    a header line, then one tab-separated line per row;
 *                   tabs and newlines in values become spaces, control
 *                   characters are made safe (tn_esc_term).
 *   --format csv    RFC 4180 with a header, the columns of tsv
 *                   (tn_esc_csv, which also defuses formulas).
 *   --format json   (or --json) the handler's JSON items, streamed.
 *   --limit N, --offset N: at most N rows, after skipping the first N.
 *   --count         only the number of rows the listing would print
 *                   ({"count": N} with json).
 *
 * A handler puts CLI_LISTING_OPTS(l) in its option table, calls
 * cli_listing_start after cli_parse, then for each row cli_listing_next
 * and, when that says CLI_ROW_SHOW, cli_listing_row (cells) or
 * cli_listing_json (an item); cli_listing_end finishes. Memory stays
 * flat whatever the number of rows.
 */
enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_TSV, CLI_FORMAT_CSV, CLI_FORMAT_JSON };

struct cli_column {
	const char *name;   /* the header: "NAME" */
	int right;          /* right-aligned in a table (numbers) */
};

#define CLI_LISTING_MEASURE 200   /* rows held to measure a table */

struct cli_listing {
	/* the flags, set by cli_parse through CLI_LISTING_OPTS */
	const char *format_arg, *limit_arg, *offset_arg;
	int json, count;
	/* set by cli_listing_start */
	enum cli_format format;
	long long limit;          /* -1: no limit */
	long long offset;
	long long matched;        /* rows offered to cli_listing_next */
	long long shown;          /* rows within --offset/--limit */
	const struct cli_column *cols;
	size_t ncols;
	size_t max_width;         /* terminal columns; 0: no limit */
	int term_safe_csv;        /* csv to a terminal: values made safe */
	int header_done;
	struct cli_out out;
	struct cli_json_array array;
	/* table: the rows held until the columns are measured */
	char **held;              /* each: the row's escaped cells, NUL-separated */
	size_t nheld;
	size_t *widths;
	int measured;
};

#define CLI_LISTING_OPTS(l) \
	OPT_STRING_("format", 0, &(l).format_arg, "FORMAT", \
		    "table (default), tsv, csv or json"), \
	OPT_BOOL_("json", 0, &(l).json, "the same as --format json"), \
	OPT_STRING_("limit", 0, &(l).limit_arg, "N", "print at most N rows"), \
	OPT_STRING_("offset", 0, &(l).offset_arg, "N", "skip the first N rows"), \
	OPT_BOOL_("count", 0, &(l).count, "print only the number of rows")

/* Checks the flags (bad values are usage errors: EXIT_USAGE after
 * printing why) and opens stdout; cols (ncols of them) must outlive the
 * listing. Returns 0, or an exit status with nothing left to free;
 * after 0 the listing needs cli_listing_end or cli_listing_abort. */
int cli_listing_start(struct cli_listing *l, const struct cli_column *cols,
		      size_t ncols);
enum { CLI_ROW_SKIP, CLI_ROW_SHOW, CLI_ROW_STOP };
/* Called once per matching row before it is built: CLI_ROW_SHOW to print
 * it, CLI_ROW_SKIP to pass over it (--offset, --count), CLI_ROW_STOP once
 * --limit is reached or writing failed (the caller stops reading). */
int cli_listing_next(struct cli_listing *l);
/* Prints one row of ncols cells (a NULL cell shows as "-" in a table and
 * empty in tsv and csv). Returns 0 or an exit status. */
int cli_listing_row(struct cli_listing *l, const char *const *cells);
/* With --format json: prints item (takes it, NULL is out of memory). */
int cli_listing_json(struct cli_listing *l, cJSON *item);
/* Prints what is still held (or the count), closes the output and frees
 * the listing. Returns 0 or the exit status of the first failure. */
int cli_listing_end(struct cli_listing *l);
/* After a failure elsewhere (the query failed): frees the listing,
 * printing nothing more. */
void cli_listing_abort(struct cli_listing *l);
/* 1 when there was nothing at all to list and the output is text for a
 * person (no --count, not json): the place for a hint on stderr. */
int cli_listing_empty(const struct cli_listing *l);

/* Adds key: value to a JSON object, or key: null when value is NULL. */
void cli_json_text(cJSON *o, const char *key, const char *value);
/* Prints s to stdout made safe for a terminal (tn_esc_term). */
void cli_put_term(const char *s);
/* Asks question (made terminal-safe) with " [y/N] " on stderr and reads
 * one line from stdin: 1 for y or yes (any case), 0 for anything else or
 * end of input. The caller decides whether to ask (a terminal, no --yes). */
int cli_confirm(const char *question);

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

/* The request options of the channel API commands: the environment's
 * ($TURNOUT_HTTP_TIMEOUT, $TURNOUT_HTTP_RETRIES, $TURNOUT_HTTP_BACKOFF;
 * http.h) and a note on stderr, on a terminal, before each wait
 * (cmd/channel.c). */
struct tn_http_opts;
void cli_http_opts(struct tn_http_opts *opts);

/* Handlers: each returns an exit status. */
#define CLI_HANDLER(fn) int fn(struct cli *c, int argc, char **argv)
CLI_HANDLER(cmd_init);
CLI_HANDLER(cmd_config);
CLI_HANDLER(cmd_channel_add);
CLI_HANDLER(cmd_channel_list);
CLI_HANDLER(cmd_channel_audience);
CLI_HANDLER(cmd_channel_show);
CLI_HANDLER(cmd_channel_token);
CLI_HANDLER(cmd_follower_sync);
CLI_HANDLER(cmd_channel_rename);
CLI_HANDLER(cmd_channel_update);
CLI_HANDLER(cmd_channel_remove);
CLI_HANDLER(cmd_follower_import);
CLI_HANDLER(cmd_follower_list);
CLI_HANDLER(cmd_follower_show);
CLI_HANDLER(cmd_follower_unfollow);
CLI_HANDLER(cmd_follower_forget);
CLI_HANDLER(cmd_follower_export);
CLI_HANDLER(cmd_event_create);
CLI_HANDLER(cmd_event_list);
CLI_HANDLER(cmd_event_show);
CLI_HANDLER(cmd_event_update);
CLI_HANDLER(cmd_event_cancel);
CLI_HANDLER(cmd_event_delete);
CLI_HANDLER(cmd_ics);
CLI_HANDLER(cmd_invite);
CLI_HANDLER(cmd_link);
CLI_HANDLER(cmd_announce);
CLI_HANDLER(cmd_outbox);
CLI_HANDLER(cmd_outbox_retry);
CLI_HANDLER(cmd_send);
CLI_HANDLER(cmd_serve);
CLI_HANDLER(cmd_templates_export);
CLI_HANDLER(cmd_rsvp);
CLI_HANDLER(cmd_register);
CLI_HANDLER(cmd_registration_list);
CLI_HANDLER(cmd_registration_approve);
CLI_HANDLER(cmd_registration_decline);
CLI_HANDLER(cmd_ticket_issue);
CLI_HANDLER(cmd_ticket_list);
CLI_HANDLER(cmd_ticket_show);
CLI_HANDLER(cmd_ticket_export);
CLI_HANDLER(cmd_ticket_revoke);
CLI_HANDLER(cmd_gate_add);
CLI_HANDLER(cmd_gate_list);
CLI_HANDLER(cmd_gate_revoke);
CLI_HANDLER(cmd_organizer_token);
CLI_HANDLER(cmd_checkin);
CLI_HANDLER(cmd_checkin_list);
CLI_HANDLER(cmd_door);
CLI_HANDLER(cmd_walkin);
CLI_HANDLER(cmd_report);

#endif
