/*
 * cmd/docs.c - the turnout(1) manual page and the bash and zsh
 * completions, made from the command table and each handler's option
 * table (captured through cli_parse), so they can never disagree with
 * --help. 'make' writes them into the build directory; 'make install'
 * installs them.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* ---- the manual page ------------------------------------------------------- */

/* Writes text for troff: backslashes doubled, a line that starts with a
 * control character guarded, hyphens of flags as \-. */
static void roff(const char *text)
{
	int line_start = 1;

	for (; *text; text++) {
		if (line_start && (*text == '.' || *text == '\''))
			fputs("\\&", stdout);
		if (*text == '\\')
			fputs("\\e", stdout);
		else if (*text == '-')
			fputs("\\-", stdout);
		else
			putchar(*text);
		line_start = *text == '\n';
	}
}

/* Writes a description: its paragraphs, with indented lines (examples)
 * kept as they are. */
static void roff_description(const char *text)
{
	const char *line = text;

	while (*line) {
		size_t len = strcspn(line, "\n");
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (len == 0)
			fputs(".PP\n", stdout);
		else if (buf[0] == ' ') {
			fputs(".nf\n", stdout);
			roff(buf);
			fputs("\n.fi\n", stdout);
		} else {
			roff(buf);
			putchar('\n');
		}
		line += len;
		if (*line == '\n')
			line++;
	}
}

static void man_command(void *ctx, const char *usage, const char *description,
			const struct cli_opt *opts)
{
	const struct cli_opt *o;

	(void)ctx;
	fputs(".SS ", stdout);
	roff(usage);
	putchar('\n');
	if (description)
		roff_description(description);
	for (o = opts; o && o->type != OPT_END; o++) {
		fputs(".TP\n", stdout);
		if (o->short_name)
			printf("\\fB\\-%c\\fR, ", o->short_name);
		printf("\\fB\\-\\-");
		roff(o->name);
		printf("\\fR");
		if (o->argh) {
			printf(" \\fI");
			roff(o->argh);
			printf("\\fR");
		}
		putchar('\n');
		roff(o->help);
		if (o->type == OPT_LIST)
			fputs(" (repeatable)", stdout);
		putchar('\n');
	}
}

int cli_print_man(const char *version)
{
	size_t i;

	printf(".TH TURNOUT 1 \"\" \"turnout %s\" \"User Commands\"\n", version);
	fputs(".SH NAME\n"
	      "turnout \\- offline events for online communities: followers, events,\n"
	      "calendar files, and the share of the audience that came\n"
	      ".SH SYNOPSIS\n"
	      ".B turnout\n"
	      "[\\fB\\-\\-db\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
	      ".SH DESCRIPTION\n"
	      "turnout keeps the followers of a community's online channels, creates\n"
	      "events and their calendar files, and measures what share of the\n"
	      "online audience came offline. Everything lives in one SQLite\n"
	      "database file, readable by its owner only.\n"
	      ".PP\n"
	      "Every command takes \\fB\\-\\-help\\fR. Errors go to standard error as\n"
	      "\\fIturnout: what: why\\fR, often followed by a \\fIhint:\\fR line.\n"
	      ".SH COMMANDS\n", stdout);
	for (i = 0; i < cli_command_count(); i++)
		cli_command_describe(i, man_command, NULL);
	fputs(".SH EXIT STATUS\n", stdout);
	roff(cli_exit_status_text);
	fputs("\n.SH ENVIRONMENT\n"
	      ".TP\n.B TURNOUT_DB\n"
	      "the database file when \\fB\\-\\-db\\fR is not given (default\n"
	      "\\fI./turnout.db\\fR)\n"
	      ".SH FILES\n"
	      ".TP\n.I ./turnout.db\n"
	      "the default database, with its \\fI\\-wal\\fR and \\fI\\-shm\\fR files\n"
	      ".SH SEE ALSO\n"
	      "\\fBsqlite3\\fR(1)\n", stdout);
	return EXIT_OK;
}

/* ---- completions ----------------------------------------------------------- */

struct words {
	char text[1024];
};

static void collect_flags(void *ctx, const char *usage, const char *description,
			  const struct cli_opt *opts)
{
	struct words *w = ctx;
	const struct cli_opt *o;
	size_t n;

	(void)usage;
	(void)description;
	for (o = opts; o && o->type != OPT_END; o++) {
		n = strlen(w->text);
		snprintf(w->text + n, sizeof(w->text) - n, "--%s ", o->name);
	}
	n = strlen(w->text);
	snprintf(w->text + n, sizeof(w->text) - n, "--db --help");
}

/* 1 if the space-separated list holds the word of len bytes. */
static int has_word(const char *list, const char *word, size_t len)
{
	while (*list) {
		size_t n = strcspn(list, " ");

		if (n == len && strncmp(list, word, len) == 0)
			return 1;
		list += n;
		list += *list == ' ';
	}
	return 0;
}

/* The first words of the commands ("init", "channel", ...), each once,
 * space-separated. */
static void first_words(char *out, size_t size)
{
	size_t i, n, len;

	out[0] = '\0';
	for (i = 0; i < cli_command_count(); i++) {
		const char *name = cli_command_name(i);

		len = strcspn(name, " ");
		if (has_word(out, name, len))
			continue;
		n = strlen(out);
		snprintf(out + n, size - n, "%s%.*s", n ? " " : "", (int)len, name);
	}
}

/* The subcommands of group, space-separated ("add list ..."). */
static void subcommands(const char *group, char *out, size_t size)
{
	size_t i, n, g = strlen(group);

	out[0] = '\0';
	for (i = 0; i < cli_command_count(); i++) {
		const char *name = cli_command_name(i);

		if (strncmp(name, group, g) != 0 || name[g] != ' ')
			continue;
		n = strlen(out);
		snprintf(out + n, size - n, "%s%s", n ? " " : "", name + g + 1);
	}
}

/* Prints one case of the completion script per group of commands: fmt
 * takes the group and its subcommands ("channel", "add list ..."). */
static void print_groups(const char *fmt)
{
	char subs[256], group[32] = "";
	size_t i;

	for (i = 0; i < cli_command_count(); i++) {
		const char *name = cli_command_name(i);
		size_t len = strcspn(name, " ");

		if (!name[len] || (strlen(group) == len && strncmp(group, name, len) == 0))
			continue;
		snprintf(group, sizeof(group), "%.*s", (int)len, name);
		subcommands(group, subs, sizeof(subs));
		printf(fmt, group, subs);
	}
}

/* Prints one case per command, labelled by its name; fmt takes the
 * command's flags. */
static void print_flag_cases(const char *fmt)
{
	size_t i;

	for (i = 0; i < cli_command_count(); i++) {
		struct words w = { "" };
		const char *name = cli_command_name(i);

		cli_command_describe(i, collect_flags, &w);
		if (strchr(name, ' '))
			printf("\t\"%s\") ", name);
		else
			printf("\t\"%s\"|\"%s \"*) ", name, name);
		printf(fmt, w.text);
	}
}

static void print_bash(void)
{
	char firsts[512];

	first_words(firsts, sizeof(firsts));
	printf("# bash completion for turnout (made by 'turnout help --completion bash')\n"
	       "_turnout()\n{\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} i w cmd= words=()\n"
	       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	       "\t\tw=${COMP_WORDS[i]}\n"
	       "\t\tcase $w in\n"
	       "\t\t--db) ((i++)) ;;\n"
	       "\t\t-*) ;;\n"
	       "\t\t*) words+=(\"$w\") ;;\n"
	       "\t\tesac\n"
	       "\tdone\n"
	       "\tcase ${#words[@]} in\n"
	       "\t0) cmd= ;;\n"
	       "\t*) cmd=\"${words[0]}${words[1]:+ ${words[1]}}\" ;;\n"
	       "\tesac\n"
	       "\tif [[ ${COMP_WORDS[COMP_CWORD-1]} == --db ]]; then\n"
	       "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return\n"
	       "\tfi\n"
	       "\tif ((${#words[@]} == 0)); then\n"
	       "\t\tCOMPREPLY=($(compgen -W '%s --db --help' -- \"$cur\")); return\n"
	       "\tfi\n"
	       "\tif ((${#words[@]} == 1)); then\n"
	       "\t\tcase ${words[0]} in\n", firsts);
	print_groups("\t\t%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n");
	printf("\t\tesac\n\tfi\n\tcase $cmd in\n");
	print_flag_cases("[[ $cur == -* ]] && COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ||"
			 " COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n");
	printf("\tesac\n}\ncomplete -F _turnout turnout\n");
}

static void print_zsh(void)
{
	char firsts[512];

	first_words(firsts, sizeof(firsts));
	printf("#compdef turnout\n"
	       "# zsh completion for turnout (made by 'turnout help --completion zsh')\n"
	       "_turnout() {\n"
	       "\tlocal -a args\n"
	       "\tlocal w i cmd\n"
	       "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	       "\t\tw=${words[i]}\n"
	       "\t\tcase $w in\n"
	       "\t\t--db) ((i++)) ;;\n"
	       "\t\t-*) ;;\n"
	       "\t\t*) args+=($w) ;;\n"
	       "\t\tesac\n"
	       "\tdone\n"
	       "\tif [[ ${words[CURRENT-1]} == --db ]]; then _files; return; fi\n"
	       "\tif (( ${#args} == 0 )); then compadd -- %s --db --help; return; fi\n"
	       "\tif (( ${#args} == 1 )); then\n"
	       "\t\tcase ${args[1]} in\n", firsts);
	print_groups("\t\t%s) compadd -- %s; return ;;\n");
	printf("\t\tesac\n\tfi\n\tcmd=\"${args[1]}${args[2]:+ ${args[2]}}\"\n"
	       "\tcase $cmd in\n");
	print_flag_cases("if [[ $PREFIX == -* ]]; then compadd -- %s; else _files; fi ;;\n");
	printf("\tesac\n}\n_turnout \"$@\"\n");
}

int cli_print_completion(const char *shell)
{
	if (strcmp(shell, "bash") == 0)
		print_bash();
	else if (strcmp(shell, "zsh") == 0)
		print_zsh();
	else
		return cli_usage_error("help --completion: '%s': give bash or zsh", shell);
	return EXIT_OK;
}
