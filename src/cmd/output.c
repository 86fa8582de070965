/*
 * output.c - what every CLI handler prints through: failures as
 * "turnout: what: why" with the exit status, where output goes (stdout
 * or an -o file), JSON documents and streamed JSON arrays, and user text
 * made safe for a terminal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/setup.h"


/* The options of the command being run, set by cli_parse: an error about
 * a field that is one of them is shown as that flag. */
static const struct cli_opt *current_opts;

void cli_set_options(const struct cli_opt *opts)
{
	current_opts = opts;
}

/* How the CLI words the library's suggested next steps. */
static const char *next_step(enum tn_next next)
{
	switch (next) {
	case TN_NEXT_NONE: return NULL;
	case TN_NEXT_INIT: return "run 'turnout init' first, or pass --db FILE";
	case TN_NEXT_OTHER_DB: return "choose another --db FILE";
	case TN_NEXT_LIST_EVENTS:
		return "'turnout event list' shows the events and their slugs";
	case TN_NEXT_LIST_CHANNELS: return "'turnout channel list' shows the channels";
	case TN_NEXT_LIST_PEOPLE:
		return "'turnout follower list' shows ids, e-mails and handles";
	case TN_NEXT_CONFIG: return "'turnout config KEY VALUE' changes a setting";
	case TN_NEXT_CANCEL_EVENT:
		return "cancel it instead: 'turnout event cancel EVENT'";
	}
	return NULL;
}

static int is_option(const char *name)
{
	const struct cli_opt *o;

	for (o = current_opts; o && o->type != OPT_END; o++)
		if (strcmp(o->name, name) == 0)
			return 1;
	return 0;
}

/* Appends the hint with each {name} written as the CLI names that input:
 * "--name" when it is one of the command's options, else the bare name. */
static void add_hint(struct tn_buf *b, const char *hint)
{
	struct tn_buf words = TN_BUF_INIT;
	const char *p = hint, *close;

	while (*p) {
		close = *p == '{' ? strchr(p, '}') : NULL;
		if (close && close - p < 32) {
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
			tn_buf_addf(&words, "%s%s", is_option(name) ? "--" : "", name);
			p = close + 1;
		} else {
			tn_buf_addch(&words, *p++);
		}
	}
	tn_esc_term(b, words.data);
	tn_buf_free(&words);
}

int cli_fail(const struct tn_err *err, tn_code code)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *next = next_step(err->next);

	/* Messages quote user input (names, file content): terminal-safe. */
	tn_buf_add(&b, "turnout: ");
	if (err->field[0] && is_option(err->field))
		tn_buf_addf(&b, "--%s: ", err->field);
	tn_esc_term(&b, err->msg[0] ? err->msg : tn_strerror(code));
	if (err->hint[0]) {
		tn_buf_add(&b, "\nhint: ");
		add_hint(&b, err->hint);
	}
	if (next) {
		tn_buf_add(&b, "\nhint: ");
		tn_buf_add(&b, next);
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

/* path as one shell word that is not an option: as it is when it has
 * nothing the shell reads, else in single quotes. */
static void add_shell_word(struct tn_buf *b, const char *path)
{
	const char *p;

	if (path[0] == '-')
		tn_buf_add(b, "./");
	if (path[strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789/._-+,:@=%")] == '\0') {
		tn_buf_add(b, path);
		return;
	}
	tn_buf_addch(b, '\'');
	for (p = path; *p; p++) {
		if (*p == '\'')
			tn_buf_add(b, "'\\''");
		else
			tn_buf_addch(b, *p);
	}
	tn_buf_addch(b, '\'');
}

void cli_warn_db_access(const char *path, int others)
{
	struct tn_buf msg = TN_BUF_INIT, safe = TN_BUF_INIT;

	if (!others)
		return;
	tn_buf_addf(&msg, "database '%s' is %s by others; chmod 600 ", path,
		    others & TN_DB_OTHERS_READ ? "readable" : "writable");
	add_shell_word(&msg, path);
	tn_esc_term(&safe, msg.data);   /* the path is the user's */
	fprintf(stderr, "turnout: warning: %s\n", safe.data);
	tn_buf_free(&msg);
	tn_buf_free(&safe);
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

static int nomem(void)
{
	fprintf(stderr, "turnout: out of memory\n");
	return EXIT_FAILED;
}

/* A failed write to stdout, as main reports one (git.c). */
static int stdout_failed(struct cli_out *o, int errnum)
{
	fprintf(stderr, "turnout: write error: stdout: %s\n",
		strerror(errnum ? errnum : EIO));
	return o->status = EXIT_FAILED;
}

int cli_out_open(struct cli_out *o, const char *path)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	o->status = 0;
	o->file = (struct tn_output)TN_OUTPUT_INIT;
	o->to_stdout = !path || strcmp(path, "-") == 0;
	if (o->to_stdout)
		return 0;
	if ((rc = tn_output_open(path, &o->file, &err)) != TN_OK)
		return o->status = cli_fail(&err, rc);
	return 0;
}

int cli_out_write(struct cli_out *o, const void *data, size_t len)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	if (o->status)
		return o->status;
	if (o->to_stdout) {
		errno = 0;
		if (fwrite(data, 1, len, stdout) != len || ferror(stdout))
			return stdout_failed(o, errno);
		return 0;
	}
	if ((rc = tn_output_write(&o->file, data, len, &err)) != TN_OK) {
		tn_output_abort(&o->file);
		return o->status = cli_fail(&err, rc);
	}
	return 0;
}

int cli_out_puts(struct cli_out *o, const char *s)
{
	return cli_out_write(o, s, strlen(s));
}

int cli_out_close(struct cli_out *o)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	if (o->status) {
		cli_out_abort(o);
		return o->status;
	}
	if (o->to_stdout) {
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout))
			return stdout_failed(o, errno);
		return 0;
	}
	if ((rc = tn_output_commit(&o->file, &err)) != TN_OK)
		return o->status = cli_fail(&err, rc);
	return 0;
}

void cli_out_abort(struct cli_out *o)
{
	if (!o->to_stdout)
		tn_output_abort(&o->file);
}

/* "[" waits for the first item or the end, so a listing that fails
 * before its first row (an unknown channel) prints nothing on stdout. */
int cli_json_array_begin(struct cli_json_array *a, struct cli_out *out)
{
	a->out = out;
	a->items = 0;
	return out->status;
}

int cli_json_array_add(struct cli_json_array *a, cJSON *item)
{
	cJSON *wrap;
	char *s;
	size_t len;
	int status;

	if (a->out->status) {
		cJSON_Delete(item);
		return a->out->status;
	}
	/* Printed inside a one-item array, the item gets the indentation it
	 * has in the whole array; the brackets are left off. */
	if (!item || !(wrap = cJSON_CreateArray())) {
		cJSON_Delete(item);
		return a->out->status = nomem();
	}
	cJSON_AddItemToArray(wrap, item);
	s = cJSON_Print(wrap);
	cJSON_Delete(wrap);
	if (!s || (len = strlen(s)) < 2) {
		cJSON_free(s);
		return a->out->status = nomem();
	}
	status = cli_out_puts(a->out, a->items++ ? ", " : "[");
	if (!status)
		status = cli_out_write(a->out, s + 1, len - 2);
	cJSON_free(s);
	return status;
}

int cli_json_array_end(struct cli_json_array *a)
{
	return cli_out_puts(a->out, a->items ? "]\n" : "[]\n");
}

int cli_print_json(cJSON *json)
{
	char *s = json ? cJSON_Print(json) : NULL;

	cJSON_Delete(json);
	if (!s)
		return nomem();
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


int cli_confirm(const char *question)
{
	struct tn_buf b = TN_BUF_INIT;
	char line[64];
	size_t n;

	tn_esc_term(&b, question);
	fprintf(stderr, "%s [y/N] ", b.data);
	fflush(stderr);
	tn_buf_free(&b);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		return 0;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

void cli_warn_local_base_url(const struct tn_settings *set, const char *what)
{
	if (tn_settings_base_url_is_local(set))
		fprintf(stderr, "warning: the base URL is still %s; links in %s "
			"work only on this machine\n"
			"hint: 'turnout config base-url https://…' sets the public address\n",
			set->base_url, what);
}
