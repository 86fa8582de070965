/*
 * main.c - main(): global flags and the command table. The handlers live
 * in cmd/ (one file per command group), with the option parser and the
 * output helpers they share. Owns the process exit status; nothing below
 * the front ends calls exit().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/suggest.h"
#include "turnout/tz.h"

#include "turnout/version.h"

enum {
	NEED_DB = CLI_NEED_DB,      /* cli_parse opens the database */
	READ_ONLY = CLI_READ_ONLY,  /* the command only reads it: a user who may
	                             * not write the database can still run it */
};

struct cmd {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	unsigned flags;
	const char *summary;
};

static const struct cmd commands[] = {
	{ "init", cmd_init, 0,
	  "create the database and the ticket signing key pair" },
	{ "config", cmd_config, NEED_DB, "show or change the settings" },
	{ "channel add", cmd_channel_add, NEED_DB, "add an online channel" },
	{ "channel list", cmd_channel_list, NEED_DB | READ_ONLY,
	  "list channels with their audience" },
	{ "channel audience", cmd_channel_audience, NEED_DB,
	  "record a channel's declared audience, or fetch it" },
	{ "channel show", cmd_channel_show, NEED_DB | READ_ONLY,
	  "show one channel and whether it has an API token" },
	{ "channel token", cmd_channel_token, NEED_DB,
	  "set, replace or clear a channel's API token" },
	{ "channel rename", cmd_channel_rename, NEED_DB, "rename a channel" },
	{ "channel update", cmd_channel_update, NEED_DB,
	  "change a channel's kind or address" },
	{ "channel remove", cmd_channel_remove, NEED_DB,
	  "remove a channel that nothing refers to" },
	{ "follower import", cmd_follower_import, NEED_DB,
	  "import a channel's followers from CSV" },
	{ "follower sync", cmd_follower_sync, NEED_DB,
	  "pull a Mastodon channel's followers from its server" },
	{ "follower list", cmd_follower_list, NEED_DB | READ_ONLY, "list followers" },
	{ "follower show", cmd_follower_show, NEED_DB | READ_ONLY,
	  "show one person and the channels they follow" },
	{ "follower unfollow", cmd_follower_unfollow, NEED_DB,
	  "mark that a person no longer follows a channel" },
	{ "follower forget", cmd_follower_forget, NEED_DB,
	  "erase a person's personal data everywhere" },
	{ "follower export", cmd_follower_export, NEED_DB | READ_ONLY,
	  "write a channel's followers as CSV that import reads" },
	{ "event create", cmd_event_create, NEED_DB, "create an event" },
	{ "event list", cmd_event_list, NEED_DB | READ_ONLY, "list events" },
	{ "event show", cmd_event_show, NEED_DB | READ_ONLY, "show one event" },
	{ "event update", cmd_event_update, NEED_DB,
	  "change an event (bumps its sequence)" },
	{ "event cancel", cmd_event_cancel, NEED_DB, "cancel an event" },
	{ "event delete", cmd_event_delete, NEED_DB,
	  "delete an event never announced or sent" },
	{ "ics", cmd_ics, NEED_DB | READ_ONLY,
	  "write an event, or all upcoming ones, as an iCalendar file" },
	{ "invite", cmd_invite, NEED_DB,
	  "queue personal invitations to an event" },
	{ "link", cmd_link, NEED_DB,
	  "print a channel's public registration link for an event" },
	{ "announce", cmd_announce, NEED_DB,
	  "post an event on its channels, each with its own link" },
	/* before "outbox", which would take "retry" for an argument */
	{ "outbox retry", cmd_outbox_retry, NEED_DB, "queue failed messages again" },
	{ "outbox", cmd_outbox, NEED_DB | READ_ONLY,
	  "list queued, sent and failed messages" },
	{ "send", cmd_send, NEED_DB,
	  "deliver the queued messages over SMTP, or as .eml files" },
	{ "rsvp", cmd_rsvp, NEED_DB,
	  "answer invitations: by token, calendar reply or mailbox" },
	{ "register", cmd_register, NEED_DB, "register someone for an event" },
	{ "registration list", cmd_registration_list, NEED_DB | READ_ONLY,
	  "list an event's registrations and its waitlist" },
	{ "registration approve", cmd_registration_approve, NEED_DB,
	  "approve a registration that waits for approval" },
	{ "registration decline", cmd_registration_decline, NEED_DB,
	  "decline a registration" },
	{ "serve", cmd_serve, NEED_DB,
	  "run the web server: unsubscribe pages, calendar files" },
	{ "ticket issue", cmd_ticket_issue, NEED_DB,
	  "issue the tickets an event's accepted registrations lack" },
	{ "ticket list", cmd_ticket_list, NEED_DB | READ_ONLY, "list an event's tickets" },
	{ "ticket show", cmd_ticket_show, NEED_DB | READ_ONLY,
	  "show a ticket, or its QR code" },
	{ "ticket export", cmd_ticket_export, NEED_DB | READ_ONLY,
	  "write an event's ticket QR codes as PNG files" },
	{ "ticket revoke", cmd_ticket_revoke, NEED_DB,
	  "revoke a ticket; its seat goes to the waitlist" },
	{ "gate add", cmd_gate_add, NEED_DB,
	  "add a door device and print its login link" },
	{ "gate list", cmd_gate_list, NEED_DB | READ_ONLY,
	  "list an event's gates with their scans" },
	{ "gate revoke", cmd_gate_revoke, NEED_DB, "revoke a gate's token" },
	/* before "checkin", which would take "list" for an event */
	{ "checkin list", cmd_checkin_list, NEED_DB | READ_ONLY,
	  "list every scan at an event's door" },
	{ "checkin", cmd_checkin, NEED_DB, "check one ticket in; prints the verdict" },
	{ "door", cmd_door, NEED_DB,
	  "scanner mode: check in one code per line of stdin" },
	{ "walkin", cmd_walkin, NEED_DB, "register and admit someone at the door" },
	{ "report", cmd_report, NEED_DB | READ_ONLY,
	  "the conversion report: how much of the audience came" },
	{ "organizer token", cmd_organizer_token, NEED_DB,
	  "add, list or revoke the tokens of the live report" },
	{ "templates export", cmd_templates_export, 0,
	  "write the built-in e-mail templates into a directory" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

size_t cli_command_count(void)
{
	return NCOMMANDS;
}

const char *cli_command_name(size_t i)
{
	return commands[i].name;
}

const char *cli_command_summary(size_t i)
{
	return commands[i].summary;
}

void cli_command_describe(size_t i, cli_help_sink sink, void *ctx)
{
	struct cli c = { 0 };
	char *help[] = { "--help", NULL };

	c.name = commands[i].name;
	cli_capture_help(sink, ctx);
	commands[i].fn(&c, 1, help);
	cli_capture_help(NULL, NULL);
}

static void list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "usage: turnout [--db FILE] COMMAND [ARGS]\n\n"
		   "The database is --db, else $TURNOUT_DB, else ./turnout.db.\n\n"
		   "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'turnout help --man' writes the manual page, 'turnout help\n"
		   "--completion bash|zsh' the shell completions.\n");
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

/* Says which command a mistyped word most likely meant: among the group's
 * subcommands when group is given, else among the commands and groups. */
static void suggest_command(const char *group, const char *word)
{
	struct tn_suggest s;
	size_t i, n = group ? strlen(group) : 0;

	tn_suggest_init(&s, word);
	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;

		if (!group)   /* a command, or the group it belongs to */
			tn_suggest_offer_n(&s, name, strcspn(name, " "));
		else if (strncmp(name, group, n) == 0 && name[n] == ' ')
			tn_suggest_offer(&s, name + n + 1);
	}
	if (s.best)
		fprintf(stderr, "did you mean '%s%s%.*s'?\n", group ? group : "",
			group ? " " : "", (int)s.best_len, s.best);
}

/* Lists a group's commands; with sub, first says that sub is not one of
 * them. From 'turnout help GROUP' (ok = 1) it is an answer, not an error. */
static int group_usage(const char *group, const char *sub, int ok)
{
	size_t i, n = strlen(group);
	FILE *f = ok ? stdout : stderr;

	if (sub) {
		cli_usage_error("'%s %s': unknown command", group, sub);
		suggest_command(group, sub);
	} else if (!ok)
		cli_usage_error("'%s': needs a subcommand", group);
	fprintf(f, "the '%s' commands are:\n", group);
	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, group, n) == 0 && commands[i].name[n] == ' ')
			fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	return ok && !sub ? EXIT_OK : EXIT_USAGE;
}

static int run(const struct cmd *cmd, struct cli *c, int argc, char **argv)
{
	int status;

	c->name = cmd->name;
	c->flags = cmd->flags;   /* cli_parse opens the database after the flags */
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
			printf("turnout %s\n", TN_VERSION);
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
		if (strcmp(argv[i + 1], "--man") == 0)
			return cli_print_man(TN_VERSION);
		if (strcmp(argv[i + 1], "--completion") == 0)
			return cli_print_completion(i + 2 < argc ? argv[i + 2] : "");
		cmd = find_command(argc - i - 1, argv + i + 1, &used);
		if (!cmd) {
			if (is_group(argv[i + 1]))
				return group_usage(argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL, 1);
			cli_usage_error("'%s': unknown command", argv[i + 1]);
			suggest_command(NULL, argv[i + 1]);
			return EXIT_USAGE;
		}
		{
			char *help[] = { "--help", NULL };
			status = cmd->fn(&c, 1, help);
		}
	} else {
		cmd = find_command(argc - i, argv + i, &used);
		if (!cmd) {
			if (is_group(argv[i]) && i + 1 < argc &&
			    (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0))
				return group_usage(argv[i], NULL, 1);
			if (is_group(argv[i]))
				return group_usage(argv[i], i + 1 < argc ? argv[i + 1] : NULL, 0);
			cli_usage_error("'%s': unknown command", argv[i]);
			suggest_command(NULL, argv[i]);
			fprintf(stderr, "run 'turnout help' for the list\n");
			return EXIT_USAGE;
		}
		status = run(cmd, &c, argc - i - used, argv + i + used);
	}
	return status;
}

static void report_bug(const char *msg)
{
	fprintf(stderr, "turnout: internal error: %s\n", msg);
}

int main(int argc, char **argv)
{
	int status;

	tn_db_global_init();
	tn_bug_reporter(report_bug);
	status = dispatch(argc, argv);
	tn_tz_cleanup();   /* libical's zone cache lives as long as the process */

	/* A full disk or a closed pipe must not look like success (git.c). */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (status == EXIT_OK) {
			fprintf(stderr, "turnout: write error: stdout: %s\n", strerror(errno));
			status = EXIT_FAILED;
		}
	}
	return status;
}

