/*
 * fuzz_template.c - fuzz target for the e-mail template engine
 * (template.h): an organizer's template is input turnout did not write,
 * and every value in it comes from followers. The first byte picks the
 * context (text, HTML, header); the rest, up to the first NUL, is a
 * template and what follows the NUL is a value. Checks properties, not
 * just "no crash":
 *   - a template compiles, or fails with TN_BADINPUT, a "fuzz.txt:LINE: "
 *     message and no template;
 *   - a compiled template renders with every value empty and every value
 *     set to the input value, and the output is UTF-8;
 *   - the value alone ({{name}}) is made safe for the context: in HTML no
 *     markup character survives unescaped and no control but newline; in
 *     text no control but tab and newline; in a header no control, no
 *     blank at either end and no two blanks in a row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/template.h"
#include "turnout/text.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static const char *const names[] = { "name", "venue", "title", NULL };

/* Checks the value rendered alone in ctx. */
static void check_value(enum tn_tctx ctx, const char *value)
{
	static const char src[] = "{{name}}";
	const char *values[] = { value, NULL, NULL };
	struct tn_buf out = TN_BUF_INIT;
	struct tn_template *t;
	struct tn_err err;
	size_t i;

	CHECK(tn_template_compile(src, strlen(src), "v", ctx, names, &t, &err) == TN_OK);
	CHECK(tn_template_render_values(t, values, &out, &err) == TN_OK);
	CHECK(tn_utf8_valid(out.data, out.len));
	for (i = 0; i < out.len; i++) {
		unsigned char ch = (unsigned char)out.data[i];

		CHECK((ch >= 0x20 || ch == '\n' || ch == '\t') && ch != 0x7F);
		if (ctx == TN_TCTX_HTML)
			CHECK(ch != '"' && ch != '\'' &&
			      (ch != '<' || strncmp(out.data + i, "<br>\n", 5) == 0));
		if (ctx == TN_TCTX_HTML && ch == '>')
			CHECK(i >= 3 && strncmp(out.data + i - 3, "<br>", 4) == 0);
		if (ctx == TN_TCTX_HTML && ch == '&')
			CHECK(strncmp(out.data + i, "&amp;", 5) == 0 ||
			      strncmp(out.data + i, "&lt;", 4) == 0 ||
			      strncmp(out.data + i, "&gt;", 4) == 0 ||
			      strncmp(out.data + i, "&quot;", 6) == 0 ||
			      strncmp(out.data + i, "&#39;", 5) == 0);
		if (ctx == TN_TCTX_HEADER)
			CHECK(ch >= 0x20 && !(ch == ' ' && (i == 0 || i + 1 == out.len ||
							    out.data[i + 1] == ' ')));
	}
	tn_buf_free(&out);
	tn_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1, *value;
	const char *empty[] = { NULL, NULL, NULL }, *set[3];
	struct tn_buf out = TN_BUF_INIT;
	struct tn_template *t = (struct tn_template *)&out;   /* must become NULL */
	struct tn_err err;
	enum tn_tctx ctx;
	size_t len;
	char *v;
	tn_code rc;

	if (size < 1)
		return 0;
	ctx = (enum tn_tctx)(data[0] % 3);
	len = strnlen(text, size - 1);
	if (!(v = malloc(size)))
		return 0;
	memcpy(v, text + len + (len < size - 1), size - 1 - len - (len < size - 1));
	v[size - 1 - len - (len < size - 1)] = '\0';
	value = v;
	check_value(ctx, value);

	rc = tn_template_compile(text, len, "fuzz.txt", ctx, names, &t, &err);
	if (rc != TN_OK) {
		CHECK(rc == TN_BADINPUT && t == NULL);
		CHECK(strncmp(err.msg, "fuzz.txt:", 9) == 0);
		free(v);
		return 0;
	}
	set[0] = set[1] = set[2] = value;
	CHECK(tn_template_render_values(t, empty, &out, &err) == TN_OK);
	CHECK(tn_utf8_valid(out.data, out.len));
	tn_buf_reset(&out);
	CHECK(tn_template_render_values(t, set, &out, &err) == TN_OK);
	CHECK(tn_utf8_valid(out.data, out.len));
	tn_buf_free(&out);
	tn_template_free(t);
	free(v);
	return 0;
}
