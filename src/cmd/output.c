/*
 * output.c - what every CLI handler prints through: failures as
 * "turnout: what: why" with the exit status, JSON documents, and user
 * text made safe for a terminal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/esc.h"


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

