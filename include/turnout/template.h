/*
 * template.h - the e-mail template engine: a small syntax of our own
 * (Debian has no C Mustache library), compiled once and rendered many
 * times. Bytes in, bytes out: no files, no database (templates.h finds
 * the templates and knows their names and variables).
 *
 * Syntax:
 *
 *   {{name}}             the value of name, escaped for the output context
 *   {{#name}}…{{/name}}  rendered only when name's value is not empty
 *   {{^name}}…{{/name}}  rendered only when it is empty
 *   {{! comment }}       nothing (a comment may span lines)
 *
 * Sections nest (up to TN_TEMPLATE_MAX_DEPTH). Blanks inside the braces
 * are allowed ({{ name }}, {{# name }}). A name is ASCII letters, digits
 * and '_', and must be one of the names the caller allows. As in
 * Mustache, a line that holds nothing but blanks and one section tag or
 * comment is "standalone": it leaves no empty line behind, so a plain-
 * text template can put {{#venue}} on a line of its own.
 *
 * The template's own text is copied as written, except that its line
 * ends are read as '\n' (CRLF and CR alike: the MIME layer writes the
 * line ends mail needs) and a leading byte-order mark is dropped. It
 * must be UTF-8 without control characters other than tab and newline.
 *
 * Values are escaped by the context of the template's kind:
 *
 *   TN_TCTX_TEXT    plain text: the value as it is, except that control
 *                   characters are dropped (tab and newline are kept; CR
 *                   LF and CR become newlines), so a name cannot carry
 *                   terminal escapes or a fake header into the message;
 *   TN_TCTX_HTML    the same, then HTML-escaped (& < > " '; esc.h), and
 *                   each line break written as "<br>" and a newline, so
 *                   a multi-line description keeps its lines;
 *   TN_TCTX_HEADER  one line for a header such as Subject: control
 *                   characters (CR, LF, tab…) become spaces, and in the
 *                   whole result every run of blanks is one space, with
 *                   none at either end. The engine never encodes: the
 *                   MIME builder (GMime) RFC 2047-encodes header text.
 *
 * In every context a byte that is not part of well-formed UTF-8 in a
 * value becomes U+FFFD, so the output is always UTF-8.
 */
#ifndef TURNOUT_TEMPLATE_H
#define TURNOUT_TEMPLATE_H

#include <stddef.h>

#include "turnout/buf.h"
#include "turnout/err.h"

/* The output context a template is written for. */
enum tn_tctx {
	TN_TCTX_TEXT,
	TN_TCTX_HTML,
	TN_TCTX_HEADER,
};

#define TN_TEMPLATE_MAX_NAMES 64   /* allowed names per template */
#define TN_TEMPLATE_MAX_DEPTH 32   /* sections inside sections */

/* A compiled template; immutable once compiled, so several threads may
 * render one template at once. */
struct tn_template;

/* One value by name for tn_template_render. NULL or "" is empty. */
struct tn_tvar {
	const char *name;
	const char *value;
};

/*
 * Compiles text[0..len) (no NUL needed) into *out (caller frees with
 * tn_template_free). known is the NULL-terminated list of names the
 * template may use (at most TN_TEMPLATE_MAX_NAMES); it must outlive the
 * template, whose values tn_template_render_values takes in this order.
 * file_name (NULL: "template") starts every error message, which says
 * where and what:
 *
 *   invite.html:12: unknown placeholder {{nmae}} (did you mean {{name}}?)
 *   invite.txt:3: section {{#venue}} is not closed
 *   invite.txt:9: {{/venue}} closes no section
 *   invite.txt:9: {{/venue}} closes {{#name}} (opened on line 4)
 *   invite.txt:2: '{{' without '}}'
 *   invite.txt:5: not valid UTF-8
 *
 * all TN_BADINPUT (the hint lists the allowed names after an unknown
 * one); TN_NOMEM; TN_USAGE for a known list that is too long. On
 * failure *out is NULL.
 */
tn_code tn_template_compile(const char *text, size_t len, const char *file_name,
			    enum tn_tctx ctx, const char *const *known,
			    struct tn_template **out, struct tn_err *err);

/* Frees a compiled template; NULL is fine. */
void tn_template_free(struct tn_template *t);

/*
 * Appends the template rendered with vars (nvars of them) to out. A
 * placeholder without a value is empty; a var whose name the template
 * does not know is ignored, so one list may serve every template; when
 * a name comes twice the first wins. Allocates nothing but the growth
 * of out. TN_NOMEM (out may then hold part of the output).
 */
tn_code tn_template_render(const struct tn_template *t, const struct tn_tvar *vars,
			   size_t nvars, struct tn_buf *out, struct tn_err *err);

/*
 * The fast form of tn_template_render: values[i] is the value of
 * known[i] (the list given to tn_template_compile), NULL or "" when
 * empty; values has as many entries as known has names.
 */
tn_code tn_template_render_values(const struct tn_template *t,
				  const char *const *values, struct tn_buf *out,
				  struct tn_err *err);

/* 1 if the template uses the name (as a placeholder or a section), else
 * 0: lets a caller skip work for a value no template shows. */
int tn_template_uses(const struct tn_template *t, const char *name);

#endif
