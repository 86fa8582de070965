/*
 * Unit tests: the template engine (template.h) -- its syntax, standalone
 * lines, escaping by context and every load-time error -- and the
 * templates as a whole (templates.h): the built-ins compile and render,
 * a directory overrides them file by file and is refused naming the file
 * and line, export, and the directory setting's rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/setup.h"
#include "turnout/templates.h"
#include "turnout/text.h"

/* Allocation failures: linked with --wrap (Makefile), as t_nomem is, so
 * that the N-th allocation of a step can be made to fail. */
static long fail_at, calls;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
char *__real_strdup(const char *);

static int should_fail(void)
{
	return fail_at > 0 && ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

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

/* The values every template can use, all filled. */
static void fill(const char **v)
{
	v[TN_TV_ORG] = "Readers Club";
	v[TN_TV_NAME] = "<img src=x onerror=alert(1)> \"Ива́н\" =?utf-8?q?x?=";
	v[TN_TV_EMAIL] = "ivan@example.org";
	v[TN_TV_TITLE] = "Readers meetup";
	v[TN_TV_WHEN] = "Thursday 10 June 2027, 19:00\xe2\x80\x93" "21:00 (Europe/Berlin)";
	v[TN_TV_ZONE] = "Europe/Berlin";
	v[TN_TV_VENUE] = "Café Central";
	v[TN_TV_ADDRESS] = "Hauptstr. 1, Berlin";
	v[TN_TV_DESCRIPTION] = "We read.\nThen we talk.";
	v[TN_TV_RSVP_URL] = "https://meet.example.org/rsvp/RSVPTOKEN";
	v[TN_TV_UNSUBSCRIBE_URL] = "https://meet.example.org/u/UNSUBTOKEN";
	v[TN_TV_EVENT_URL] = "https://meet.example.org/e/readers-meetup";
	v[TN_TV_SEQUENCE] = "1";
	v[TN_TV_TICKET_CODE] = "AEAAAAABAAAAAAAB2YT33XDNIQQBSVIXZMYBFOAK576B";
	v[TN_TV_TICKET_URL] = "https://meet.example.org/t/TICKETTOKEN";
}

/* 1 if no line of s is longer than 998 bytes (RFC 5322). */
static int short_lines(const char *s)
{
	size_t n;

	for (; *s; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		if (n > 998)
			return 0;
	}
	return 1;
}

static void test_builtins(void)
{
	const char *empty[TN_TV_COUNT] = { NULL }, *full[TN_TV_COUNT];
	struct tn_templates *ts;
	struct tn_err err;
	size_t k, p, n, i;
	const char *top = getenv("TN_TOP");
	const struct tn_template_file *files = tn_templates_builtin(&n);
	char path[4096];

	fill(full);
	is_int(n, 13, "thirteen built-in files (four kinds, three parts; one post)");
	is_int(tn_templates_load(NULL, &ts, &err), TN_OK, "the built-ins compile: %s", err.msg);
	for (k = 0; tn_templates_kinds[k]; k++) {
		for (p = 0; tn_templates_parts[p]; p++) {
			const char *kind = tn_templates_kinds[k], *part = tn_templates_parts[p];
			const struct tn_template *t = tn_templates_get(ts, kind, part);
			int header = strcmp(part, "subject") == 0;

			ok(t && !tn_templates_origin(ts, kind, part), "%s.%s is there, built in",
			   kind, part);
			if (!t)
				continue;
			tn_buf_reset(&out);
			ok(tn_template_render_values(t, empty, &out, &err) == TN_OK &&
			   !strstr(out.data, "{{") && (header || strstr(out.data, "Hello,")),
			   "%s.%s renders with every value empty", kind, part);
			tn_buf_reset(&out);
			ok(tn_template_render_values(t, full, &out, &err) == TN_OK &&
			   !strstr(out.data, "{{") && strstr(out.data, "Readers meetup") &&
			   tn_utf8_valid(out.data, out.len) && short_lines(out.data),
			   "%s.%s renders with every value set: UTF-8, short lines", kind, part);
			if (header)
				ok(!strchr(out.data, '\n') && out.len < 100,
				   "%s.subject is one short line: %s", kind, out.data);
			else if (strcmp(part, "html") == 0)
				ok(strstr(out.data, "Hello &lt;img src=x onerror=alert(1)&gt; &quot;"
					  "Ива́н&quot; =?utf-8?q?x?=,") &&
				   /* the one image a ticket shows is inside the message */
				   !strstr(out.data, strcmp(kind, "ticket") == 0 ? "<img src=x" : "<img") &&
				   !strstr(out.data, "src=\"http") && !strstr(out.data, "url("),
				   "%s.html greets by the escaped name, loads nothing", kind);
			else
				ok(strstr(out.data, "Hello <img src=x onerror=alert(1)> \"Ива́н\""
					  " =?utf-8?q?x?=,\n") &&
				   /* a ticket answers a registration: its link is the ticket page */
				   strstr(out.data, full[strcmp(kind, "ticket") == 0 ? TN_TV_TICKET_URL
							 : TN_TV_UNSUBSCRIBE_URL]),
				   "%s.txt greets by name and has its link", kind);
		}
	}
	tn_buf_reset(&out);
	tn_template_render_values(tn_templates_get(ts, "invite", "txt"), full, &out, &err);
	ok(strstr(out.data, "When:  Thursday 10 June 2027") &&
	   strstr(out.data, "Where: Café Central, Hauptstr. 1, Berlin\n") &&
	   strstr(out.data, "We read.\nThen we talk.\n") && strstr(out.data, full[TN_TV_RSVP_URL]) &&
	   strstr(out.data, "calendar") && strstr(out.data, full[TN_TV_EVENT_URL]),
	   "the invitation says what, when, where, the RSVP link and the calendar");
	tn_buf_reset(&out);
	tn_template_render_values(tn_templates_get(ts, "cancel", "subject"), full, &out, &err);
	is_str(out.data, "Cancelled: Readers meetup", "the cancellation's subject");
	tn_buf_reset(&out);
	tn_template_render_values(tn_templates_get(ts, "cancel", "txt"), full, &out, &err);
	ok(strstr(out.data, "is cancelled") != NULL, "the cancellation says so");
	ok(!tn_templates_get(ts, "invite", "pdf") && !tn_templates_get(ts, "badge", "txt"),
	   "no such kind or part: NULL");
	tn_buf_reset(&out);
	ok(tn_templates_get(ts, "announce", "txt") && !tn_templates_origin(ts, "announce", "txt") &&
	   !tn_templates_get(ts, "announce", "subject") && !tn_templates_get(ts, "announce", "html"),
	   "the post announce is one built-in part, txt");
	tn_template_render_values(tn_templates_get(ts, "announce", "txt"), full, &out, &err);
	ok(strstr(out.data, "Readers meetup\n\nThursday 10 June 2027") &&
	   strstr(out.data, "Café Central, Hauptstr. 1, Berlin\n") &&
	   strstr(out.data, full[TN_TV_EVENT_URL]) && !strstr(out.data, full[TN_TV_RSVP_URL]),
	   "the post says what, when, where and its link: %s", out.data);
	{
		struct tn_buf subject = TN_BUF_INIT, txt = TN_BUF_INIT, html = TN_BUF_INIT;

		is_int(tn_templates_render(ts, "update", full, &subject, &txt, &html, &err), TN_OK,
		       "tn_templates_render renders a kind's three parts");
		is_str(subject.data, "Updated: Readers meetup", "the subject");
		ok(strstr(txt.data, "has changed") && strstr(html.data, "<!DOCTYPE html>"),
		   "the text and the HTML");
		is_int(tn_templates_render(ts, "badge", full, &subject, &txt, &html, &err),
		       TN_USAGE, "an unknown kind");
		is_str(err.msg, "'badge': no such kind of message", "says so");
		tn_buf_free(&subject);
		tn_buf_free(&txt);
		tn_buf_free(&html);
	}
	tn_templates_free(ts);
	tn_templates_free(NULL);

	/* the built-ins are the files of templates/, byte for byte */
	for (i = 0; top && i < n; i++) {
		FILE *f;
		char *data = malloc(files[i].len + 2);
		size_t got;

		snprintf(path, sizeof(path), "%s/templates/%s", top, files[i].name);
		f = fopen(path, "rb");
		got = f && data ? fread(data, 1, files[i].len + 1, f) : 0;
		ok(f && got == files[i].len && memcmp(data, files[i].data, got) == 0,
		   "built-in %s is templates/%s", files[i].name, files[i].name);
		if (f)
			fclose(f);
		free(data);
	}
}

/* Writes text to dir/name. */
static int put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return 0;
	fputs(text, f);
	return fclose(f) == 0;
}

static void test_override(const char *tmp)
{
	char dir[1024], want[2048], msg[4096];
	const char *full[TN_TV_COUNT];
	struct tn_templates *ts = (struct tn_templates *)&last;
	struct tn_err err;

	fill(full);
	snprintf(dir, sizeof(dir), "%s/tpl", tmp);
	mkdir(dir, 0755);
	ok(put(dir, "invite.txt", "Hi {{name}}! {{rsvp_url}}\n") &&
	   put(dir, "README.txt", "notes: not a template\n") &&
	   put(dir, "invite.html~", "{{broken\n"), "an override directory");
	is_int(tn_templates_load(dir, &ts, &err), TN_OK, "loads: %s", err.msg);
	snprintf(want, sizeof(want), "%s/invite.txt", dir);
	is_str(tn_templates_origin(ts, "invite", "txt"), want, "invite.txt comes from it");
	ok(!tn_templates_origin(ts, "announce", "txt"), "announce.txt stays built-in");
	ok(!tn_templates_origin(ts, "invite", "html") && !tn_templates_origin(ts, "cancel", "txt"),
	   "the other parts stay built-in");
	tn_buf_reset(&out);
	tn_template_render_values(tn_templates_get(ts, "invite", "txt"), full, &out, &err);
	is_str(out.data, "Hi <img src=x onerror=alert(1)> \"Ива́н\" =?utf-8?q?x?=! "
	       "https://meet.example.org/rsvp/RSVPTOKEN\n", "and renders as written");
	tn_templates_free(ts);

	ok(put(dir, "invite.html", "<p>\n{{#name}}\n<b>{{nmae}}</b>\n{{/name}}\n"),
	   "an invite.html with an unknown placeholder on line 3");
	ts = (struct tn_templates *)&last;
	is_int(tn_templates_load(dir, &ts, &err), TN_BADINPUT, "refuses to load");
	ok(ts == NULL, "and gives no set");
	snprintf(want, sizeof(want), "%s/invite.html:3: unknown placeholder {{nmae}} (did you"
		 " mean {{name}}?)", dir);
	is_str(err.msg, want, "naming the file and line");
	ok(strstr(err.hint, "org, name, email, title, when, zone, venue, address, description,"
		  " rsvp_url, unsubscribe_url, event_url, sequence") != NULL,
	   "the hint lists every placeholder: %s", err.hint);

	ok(put(dir, "invite.html", "<p>{{name}}</p>\n") && put(dir, "invte.html", "x\n"),
	   "a file named one typo away from a template");
	is_int(tn_templates_load(dir, &ts, &err), TN_BADINPUT, "is refused");
	snprintf(want, sizeof(want), "'%s/invte.html': not a template name (did you mean"
		 " 'invite.html'?)", dir);
	is_str(err.msg, want, "with the name it was meant to have");
	snprintf(want, sizeof(want), "%s/invte.html", dir);
	unlink(want);

	ok(put(dir, "announce.txt", "{{title}} {{event_url}}\n"), "an announce.txt");
	is_int(tn_templates_load(dir, &ts, &err), TN_OK, "loads: %s", err.msg);
	snprintf(want, sizeof(want), "%s/announce.txt", dir);
	is_str(tn_templates_origin(ts, "announce", "txt"), want, "the post comes from it");
	tn_templates_free(ts);
	ok(put(dir, "announce.txt", "{{title}} {{link}}\n"), "an announce.txt with an unknown name");
	is_int(tn_templates_load(dir, &ts, &err), TN_BADINPUT, "is refused");
	ok(strstr(err.msg, "announce.txt:1: unknown placeholder {{link}}") != NULL, "%s", err.msg);
	unlink(want);

	snprintf(want, sizeof(want), "%s/cancel.txt", dir);
	mkdir(want, 0755);
	is_int(tn_templates_load(dir, &ts, &err), TN_FAIL, "a directory named cancel.txt");
	ok(strstr(err.msg, "cancel.txt': not a regular file") != NULL, "%s", err.msg);
	rmdir(want);

	{
		struct tn_buf big = TN_BUF_INIT;

		while (big.len <= TN_TEMPLATES_MAX_SIZE)
			tn_buf_add(&big, "0123456789abcdef0123456789abcdef\n");
		ok(put(dir, "cancel.txt", big.data), "a cancel.txt over 1 MiB");
		tn_buf_free(&big);
		is_int(tn_templates_load(dir, &ts, &err), TN_BADINPUT, "is refused");
		ok(strstr(err.msg, "cancel.txt': larger than 1048576 bytes") != NULL, "%s", err.msg);
		unlink(want);
	}

	snprintf(want, sizeof(want), "%s/none", tmp);
	is_int(tn_templates_load(want, &ts, &err), TN_FAIL, "a missing directory");
	snprintf(msg, sizeof(msg), "templates directory '%s': cannot open: No such file or"
		 " directory", want);
	is_str(err.msg, msg, "says which and why");
	snprintf(want, sizeof(want), "%s/tpl/README.txt", tmp);
	is_int(tn_templates_load(want, &ts, &err), TN_FAIL, "a file, not a directory");
	ok(strstr(err.msg, "Not a directory") != NULL, "%s", err.msg);
}

static void count_file(void *ctx, const char *path)
{
	(void)path;
	++*(int *)ctx;
}

static void test_export(const char *tmp)
{
	char dir[4096], path[4096 + 64];
	struct tn_templates *ts;
	struct tn_err err;
	struct stat st;
	int wrote = 0;

	snprintf(dir, sizeof(dir), "%s/out/nested", tmp);
	is_int(tn_templates_export(dir, 0, count_file, &wrote, &err), TN_OK,
	       "export into a new nested directory: %s", err.msg);
	is_int(wrote, 13, "writes the thirteen files");
	is_int(tn_templates_load(dir, &ts, &err), TN_OK, "which load as an override directory");
	ok(ts && tn_templates_origin(ts, "update", "html"), "every part from there");
	tn_templates_free(ts);

	snprintf(path, sizeof(path), "%s/invite.txt", dir);
	unlink(path);
	wrote = 0;
	is_int(tn_templates_export(dir, 0, count_file, &wrote, &err), TN_EXISTS,
	       "again without force: refused");
	ok(strstr(err.msg, "/out/nested/announce.txt': already exists") &&
	   strstr(err.hint, "{force}"), "naming the first file in the way: %s", err.msg);
	ok(wrote == 0 && stat(path, &st) != 0, "and nothing is written, not even the missing file");
	is_int(tn_templates_export(dir, 1, count_file, &wrote, &err), TN_OK, "with force");
	ok(wrote == 13 && stat(path, &st) == 0, "all are written");

	snprintf(path, sizeof(path), "%s/invite.txt/below", dir);
	is_int(tn_templates_export(path, 0, NULL, NULL, &err), TN_IO, "below a file: TN_IO");
	ok(strstr(err.msg, "cannot create directory: Not a directory") != NULL, "%s", err.msg);
	is_int(tn_templates_export("", 0, NULL, NULL, &err), TN_USAGE, "an empty name");
}

static void test_dir_setting(const char *tmp)
{
	struct tn_settings s = { 0 };
	char here[4096], *abs = NULL;
	struct tn_err err;

	ok(tn_templates_dir(NULL, NULL) == NULL, "no flag, no settings: the built-ins");
	ok(tn_templates_dir(&s, NULL) == NULL, "no flag, no setting: the built-ins");
	s.templates = "/srv/tpl";
	is_str(tn_templates_dir(&s, NULL), "/srv/tpl", "the setting");
	is_str(tn_templates_dir(&s, "mine"), "mine", "a flag wins over it");
	ok(tn_templates_dir(&s, "") == NULL, "an empty flag means the built-ins");

	if (!getcwd(here, sizeof(here)) || chdir(tmp) != 0)
		return;
	is_int(tn_templates_check_dir("out/nested", &abs, &err), TN_OK,
	       "a valid relative directory: %s", err.msg);
	ok(abs && abs[0] == '/' && strstr(abs, "/out/nested") &&
	   strcmp(abs + strlen(abs) - 11, "/out/nested") == 0, "comes back absolute: %s", abs);
	free(abs);
	is_int(tn_templates_check_dir("missing", &abs, &err), TN_USAGE, "a missing one");
	is_str(err.msg, "'missing': no such directory", "says so");
	ok(abs == NULL, "and gives no path");
	is_int(tn_templates_check_dir("out/nested/invite.txt", &abs, &err), TN_USAGE,
	       "a file");
	is_str(err.msg, "'out/nested/invite.txt': not a directory", "says so");
	is_int(tn_templates_check_dir("tpl", &abs, &err), TN_OK, "tpl is valid again");
	free(abs);
	ok(put("tpl", "cancel.subject", "{{#title}}\n"), "break it");
	is_int(tn_templates_check_dir("tpl", &abs, &err), TN_BADINPUT, "an invalid template");
	is_str(err.msg, "tpl/cancel.subject:1: section {{#title}} is not closed",
	       "is named as given");
	ok(chdir(here) == 0, "back");
}

/* Loading (built-ins, or a directory with an override) and rendering
 * every part, with the 1st, 2nd, ... allocation failing until a run
 * gets through: each failed run returns TN_NOMEM and leaks nothing (the
 * sanitizer build checks). */
static void test_nomem(const char *dir)
{
	const char *full[TN_TV_COUNT];
	int pass;

	fill(full);
	for (pass = 0; pass < 2; pass++) {
		const char *from = pass ? dir : NULL;
		long n, bad = 0, failed = 0;

		for (n = 1; n < 100000; n++) {
			struct tn_buf b = TN_BUF_INIT;
			struct tn_templates *ts = NULL;
			struct tn_err err;
			size_t k;
			tn_code rc;

			calls = 0;
			fail_at = n;
			rc = tn_templates_load(from, &ts, &err);
			for (k = 0; rc == TN_OK && tn_templates_kinds[k]; k++)
				rc = tn_templates_render(ts, tn_templates_kinds[k], full, &b, &b,
							 &b, &err);
			fail_at = 0;
			tn_templates_free(ts);
			tn_buf_free(&b);
			if (calls < n) {   /* no allocation failed: done */
				bad += rc != TN_OK;
				break;
			}
			failed++;
			bad += rc != TN_NOMEM;
		}
		ok(bad == 0 && failed > 10, "%s: each of %ld allocation failures is TN_NOMEM",
		   from ? "a directory" : "the built-ins", failed);
	}
}

int main(void)
{
	char tmp[256], cmd[512];

	test_syntax();
	test_standalone();
	test_escaping();
	test_errors();
	test_render_by_name();
	test_builtins();
	if (!tap_tmpdir(tmp, sizeof(tmp)))
		return 1;
	test_override(tmp);
	test_export(tmp);
	test_dir_setting(tmp);
	snprintf(cmd, sizeof(cmd), "%s/nomem", tmp);
	mkdir(cmd, 0755);
	ok(put(cmd, "invite.txt", "{{#name}}\nHi {{name}}\n{{/name}}\n") &&
	   put(cmd, "notes.txt", "x\n"), "a directory with an override for the next test");
	test_nomem(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	tn_buf_free(&out);
	return tap_done();
}
