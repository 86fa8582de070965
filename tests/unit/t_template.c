/*
 * Unit tests: the template engine (template.h) -- its syntax, standalone
 * lines, escaping by context and every load-time error.
 */
#include <string.h>

#include "tap.h"
#include "turnout/template.h"

static const char *const names[] = { "name", "venue", "title", "description", NULL };
enum { NAME, VENUE, TITLE, DESCRIPTION };

static struct tn_buf out = TN_BUF_INIT;

/* The rendering of src in ctx with values in the order of names; "(error)"
 * when it does not compile. */
static const char *render(enum tn_tctx ctx, const char *src, const char *name,
			  const char *venue, const char *title, const char *description)
{
	const char *values[] = { name, venue, title, description };
	struct tn_template *t;
	struct tn_err err;

	tn_buf_reset(&out);
	if (tn_template_compile(src, strlen(src), "t.txt", ctx, names, &t, &err) != TN_OK) {
		printf("# compile: %s\n", err.msg);
		return "(error)";
	}
	if (tn_template_render_values(t, values, &out, &err) != TN_OK)
		tn_buf_add(&out, "(render error)");
	tn_template_free(t);
	return out.data;
}

static const char *text(const char *src, const char *name, const char *venue)
{
	return render(TN_TCTX_TEXT, src, name, venue, NULL, NULL);
}

/* The message of compiling src (as file), which must fail with
 * TN_BADINPUT and leave no template; "(compiled)" when it does not. */
static struct tn_err last;
static const char *compile_error(const char *file, const char *src, size_t len)
{
	struct tn_template *t = (struct tn_template *)&last;   /* must become NULL */
	tn_code rc;

	memset(&last, 0, sizeof(last));
	rc = tn_template_compile(src, len, file, TN_TCTX_TEXT, names, &t, &last);
	if (rc == TN_OK) {
		tn_template_free(t);
		return "(compiled)";
	}
	if (rc != TN_BADINPUT || t != NULL)
		return "(wrong code or template left)";
	return last.msg;
}
#define ERR(src) compile_error("invite.txt", (src), strlen(src))

static void test_syntax(void)
{
	is_str(text("Hello {{name}}!", "Anna", NULL), "Hello Anna!", "a placeholder");
	is_str(text("Hello {{ name }}, {{\tvenue\t}}", "Anna", "Café"), "Hello Anna, Café",
	       "blanks inside the braces");
	is_str(text("[{{name}}]", NULL, NULL), "[]", "a NULL value is empty");
	is_str(text("[{{name}}]", "", NULL), "[]", "so is an empty one");
	is_str(text("{{#name}}Hello {{name}},{{/name}}{{^name}}Hello,{{/name}}", "Anna", NULL),
	       "Hello Anna,", "a section with a value");
	is_str(text("{{#name}}Hello {{name}},{{/name}}{{^name}}Hello,{{/name}}", NULL, NULL),
	       "Hello,", "the inverted section without one");
	is_str(text("{{#name}}Hello {{name}},{{/name}}{{^name}}Hello,{{/name}}", "", NULL),
	       "Hello,", "an empty value is no value");
	is_str(text("{{# name }}a{{/ name }}{{^ venue }}b{{/ venue }}", "x", NULL), "ab",
	       "blanks after the sigils");
	is_str(text("{{#name}}<{{#venue}}{{name}}@{{venue}}{{/venue}}{{^venue}}{{name}}"
		    "{{/venue}}>{{/name}}", "a", "b"), "<a@b>", "nested sections, both set");
	is_str(text("{{#name}}<{{#venue}}{{name}}@{{venue}}{{/venue}}{{^venue}}{{name}}"
		    "{{/venue}}>{{/name}}", "a", NULL), "<a>", "nested, inner empty");
	is_str(text("{{#name}}<{{#venue}}{{name}}@{{venue}}{{/venue}}>{{/name}}-", NULL, "b"),
	       "-", "nested, outer empty: nothing inside runs");
	is_str(text("{{#name}}{{#name}}twice{{/name}}{{/name}}", "x", NULL), "twice",
	       "a section inside one of the same name");
	is_str(text("a{{! a comment }}b{{!}}c", NULL, NULL), "abc", "comments render nothing");
	is_str(text("a{{! a {comment}\nover {{two lines }}b", NULL, NULL), "ab",
	       "a comment may span lines and hold braces; the first }} ends it");
	is_str(text("a } b }} c {", NULL, NULL), "a } b }} c {", "lone braces are text");
	is_str(text("", NULL, NULL), "", "an empty template");
	is_str(text("no tags at all\n", NULL, NULL), "no tags at all\n", "text only");
}

static void test_standalone(void)
{
	is_str(text("Hello\n{{#venue}}\nWhere: {{venue}}\n{{/venue}}\nBye\n", NULL, "Café"),
	       "Hello\nWhere: Café\nBye\n", "standalone section lines leave no line behind");
	is_str(text("Hello\n{{#venue}}\nWhere: {{venue}}\n{{/venue}}\nBye\n", NULL, NULL),
	       "Hello\nBye\n", "nor does a section that is skipped");
	is_str(text("Hello\n  {{^venue}}  \n\tsomewhere\n\t{{/venue}}\nBye\n", NULL, NULL),
	       "Hello\n\tsomewhere\nBye\n", "indented and trailing blanks go with the line");
	is_str(text("Hello\n{{! a note for the editor }}\nBye\n", NULL, NULL), "Hello\nBye\n",
	       "a standalone comment line goes too");
	is_str(text("{{! first line\n    second line }}\nBody\n", NULL, NULL), "Body\n",
	       "and a standalone comment over two lines");
	is_str(text("Hello\n{{#name}}\n{{name}}\n{{/name}}", "Anna", NULL), "Hello\nAnna\n",
	       "a standalone tag on the last line without a newline");
	is_str(text("{{#name}}\nx\n{{/name}}\n", "a", NULL), "x\n", "on the first line");
	is_str(text("Hi {{#name}}\nx\n{{/name}}\n", "a", NULL), "Hi \nx\n",
	       "a tag after text is not standalone: its line stays");
	is_str(text("{{#name}} {{/name}}\n", "a", NULL), " \n",
	       "two tags on one line are not standalone");
	is_str(text("Hello\n{{name}}\nBye", NULL, NULL), "Hello\n\nBye",
	       "a placeholder alone on its line is never standalone");
	is_str(text("a\r\n{{#name}}\r\nb\r\n{{/name}}\r\nc\rd", "x", NULL), "a\nb\nc\nd",
	       "CR LF and CR line ends are read as \\n");
	is_str(text("\xEF\xBB\xBFHello", NULL, NULL), "Hello", "a byte-order mark is dropped");
}

static void test_escaping(void)
{
	const char *evil = "<img src=x onerror=alert(1)> \"Ива́н\" & 'x'";

	is_str(render(TN_TCTX_HTML, "<p>{{name}}</p>", evil, NULL, NULL, NULL),
	       "<p>&lt;img src=x onerror=alert(1)&gt; &quot;Ива́н&quot; &amp; &#39;x&#39;</p>",
	       "HTML: values are escaped, UTF-8 kept");
	is_str(render(TN_TCTX_HTML, "<a href=\"{{venue}}\">", NULL, "https://x.org/?a=1&b=\"2\"",
		      NULL, NULL), "<a href=\"https://x.org/?a=1&amp;b=&quot;2&quot;\">",
	       "HTML: a value in an attribute cannot leave it");
	is_str(render(TN_TCTX_HTML, "<p>{{description}}</p>", NULL, NULL, NULL,
		      "one\r\ntwo\nthree\rfour"),
	       "<p>one<br>\ntwo<br>\nthree<br>\nfour</p>", "HTML: line breaks become <br>");
	is_str(render(TN_TCTX_HTML, "<b>&amp; {{name}}</b>\n", "\x1b[1mx\x07", NULL, NULL, NULL),
	       "<b>&amp; [1mx</b>\n", "HTML: control characters dropped, template text as written");
	{
		/* a value longer than the escaping chunk, with specials at its seams */
		struct tn_buf big = TN_BUF_INIT, want = TN_BUF_INIT;
		int i;

		for (i = 0; i < 600; i++) {
			tn_buf_add(&big, i % 7 ? "é" : "<");
			tn_buf_add(&want, i % 7 ? "é" : "&lt;");
		}
		is_str(render(TN_TCTX_HTML, "{{name}}", big.data, NULL, NULL, NULL), want.data,
		       "HTML: a long value is escaped whole");
		tn_buf_free(&big);
		tn_buf_free(&want);
	}

	is_str(text("Hi {{name}}.", "A\x1b]0;pwned\x07na\x7f\xc2\x85!", NULL), "Hi A]0;pwnedna!.",
	       "text: ESC, BEL, DEL and C1 controls are stripped");
	is_str(text("{{name}}", "one\r\ntwo\rthree\n\tfour", NULL), "one\ntwo\nthree\n\tfour",
	       "text: CR LF and CR become \\n, tabs and newlines stay");
	is_str(text("{{name}}", "<b>&\"", NULL), "<b>&\"", "text: nothing else is touched");
	is_str(text("{{name}}", "a\xff" "b\xc3(c\xed\xa0\x80", NULL),
	       "a\xEF\xBF\xBD" "b\xEF\xBF\xBD(c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
	       "text: bytes that are not UTF-8 become U+FFFD");

	is_str(render(TN_TCTX_HEADER, "Invitation: {{title}}\n", NULL, NULL,
		      "Meetup\r\nBcc: all@example.org", NULL),
	       "Invitation: Meetup Bcc: all@example.org", "header: CR LF cannot start a header");
	is_str(render(TN_TCTX_HEADER, "  {{title}}  ({{venue}})\n\n", NULL, "\tCafé\x1b  Central ",
		      "  Big\t\tday ", NULL),
	       "Big day (Café Central)", "header: runs of blanks collapsed, ends trimmed");
	is_str(render(TN_TCTX_HEADER, "{{#name}}\n{{name}}:\n{{/name}}\n{{title}}\n", "Anna",
		      NULL, "Meetup", NULL), "Anna: Meetup",
	       "header: the template's own line breaks join into one line");
	is_str(render(TN_TCTX_HEADER, "{{title}}", NULL, NULL, "=?utf-8?q?x?= \xc2\x85Ива́н",
		      NULL), "=?utf-8?q?x?= Ива́н", "header: no encoding here (GMime's job)");
	is_str(render(TN_TCTX_HEADER, "{{title}}", NULL, NULL, " \r\n\t ", NULL), "",
	       "header: only blanks give nothing");
}

static void test_errors(void)
{
	is_str(ERR("Hello\n\n{{nmae}}\n"),
	       "invite.txt:3: unknown placeholder {{nmae}} (did you mean {{name}}?)",
	       "an unknown placeholder, with a suggestion");
	ok(strstr(last.hint, "the placeholders are name, venue, title, description") != NULL,
	   "the hint lists the allowed names: %s", last.hint);
	is_str(ERR("{{#venu}}x{{/venu}}"),
	       "invite.txt:1: unknown placeholder {{#venu}} (did you mean {{#venue}}?)",
	       "an unknown section name");
	is_str(ERR("a\n{{zzzzzz}}"), "invite.txt:2: unknown placeholder {{zzzzzz}}",
	       "without a suggestion when none is close");
	is_str(ERR("Hello\n{{#venue}}\nx\n{{#name}}{{/name}}\n"),
	       "invite.txt:2: section {{#venue}} is not closed", "an unclosed section");
	is_str(ERR("{{^venue}}\n"), "invite.txt:1: section {{^venue}} is not closed",
	       "an unclosed inverted section");
	is_str(ERR("x\n\n{{/venue}}"), "invite.txt:3: {{/venue}} closes no section",
	       "a stray closing tag");
	is_str(ERR("{{#venue}}\n{{#name}}\n{{/venue}}\n{{/name}}"),
	       "invite.txt:3: {{/venue}} closes {{#name}} (opened on line 2)",
	       "a mismatched closing tag");
	is_str(ERR("a\nb {{name\nc}}"), "invite.txt:2: '{{' without '}}'",
	       "'{{' without '}}' on its line");
	is_str(ERR("a {{name}"), "invite.txt:1: '{{' without '}}'", "nor at the end");
	is_str(ERR("{{! never closed\n"), "invite.txt:1: '{{' without '}}'",
	       "an unclosed comment");
	is_str(ERR("x\n{{first name}}"),
	       "invite.txt:2: '{{first name}}' is not a placeholder: a name is letters,"
	       " digits and '_'", "a name with a blank");
	is_str(ERR("{{}}"), "invite.txt:1: '{{}}' is not a placeholder: a name is letters,"
	       " digits and '_'", "an empty tag");
	is_str(ERR("{{{name}}}"), "invite.txt:1: '{{{name}}' is not a placeholder: a name is"
	       " letters, digits and '_'", "triple braces are not a form");
	is_str(ERR("{{&name}}"), "invite.txt:1: '{{&name}}' is not a placeholder: a name is"
	       " letters, digits and '_'", "nor is &");
	is_str(compile_error("invite.txt", "ok\nnot \xc3(", 8), "invite.txt:2: not valid UTF-8",
	       "invalid UTF-8, with its line");
	is_str(compile_error("invite.txt", "ok\n\nnul\0x", 9),
	       "invite.txt:3: control character U+0000", "a NUL byte");
	is_str(ERR("a\x1b[1m"), "invite.txt:1: control character U+001B", "an escape");
	is_str(ERR("a\xc2\x9b"), "invite.txt:1: control character U+009B", "a C1 control");
	is_str(compile_error(NULL, "{{x}}", 5), "template:1: unknown placeholder {{x}}",
	       "without a file name");
	{
		struct tn_buf deep = TN_BUF_INIT;
		int i;

		for (i = 0; i < TN_TEMPLATE_MAX_DEPTH; i++)
			tn_buf_add(&deep, "{{#name}}");
		for (i = 0; i < TN_TEMPLATE_MAX_DEPTH; i++)
			tn_buf_add(&deep, "{{/name}}");
		is_str(ERR(deep.data), "(compiled)", "sections nest %d deep",
		       TN_TEMPLATE_MAX_DEPTH);
		tn_buf_reset(&deep);
		for (i = 0; i <= TN_TEMPLATE_MAX_DEPTH; i++)
			tn_buf_add(&deep, "{{#name}}");
		is_str(ERR(deep.data), "invite.txt:1: sections nested more than 32 deep",
		       "and no deeper");
		tn_buf_free(&deep);
	}
}

static void test_render_by_name(void)
{
	struct tn_template *t;
	struct tn_err err;
	const struct tn_tvar vars[] = {
		{ "nobody", "ignored" }, { NULL, "no name" }, { "name", "Anna" },
		{ "name", "second" }, { "venue", NULL },
	};

	ok(tn_template_compile("{{name}}|{{venue}}|{{title}}", 28, "x", TN_TCTX_TEXT, names,
			       &t, &err) == TN_OK, "compile");
	tn_buf_reset(&out);
	tn_buf_add(&out, ">");
	is_int(tn_template_render(t, vars, sizeof(vars) / sizeof(vars[0]), &out, &err), TN_OK,
	       "render by name");
	is_str(out.data, ">Anna||", "appends; unknown names ignored, the first value wins,"
	       " missing ones empty");
	ok(tn_template_uses(t, "title") && !tn_template_uses(t, "description") &&
	   !tn_template_uses(t, "nobody"), "tn_template_uses");
	tn_template_free(t);
	tn_template_free(NULL);
}

int main(void)
{
	test_syntax();
	test_standalone();
	test_escaping();
	test_errors();
	test_render_by_name();
	tn_buf_free(&out);
	return tap_done();
}
