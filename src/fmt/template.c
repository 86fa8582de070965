/*
 * template.c - the e-mail template engine (template.h): compiles a
 * template's text into a flat list of operations once, and renders it
 * for each message by walking that list with the values in an array
 * indexed as the allowed names are, so rendering allocates nothing but
 * the growth of the output buffer. Pure: it reads no file and no
 * database; templates.c finds the texts and names the variables.
 *
 * A section is one operation that either falls through into its body or
 * jumps past it, so nesting costs no recursion and the closing tag
 * leaves no operation behind.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/suggest.h"
#include "turnout/template.h"
#include "turnout/text.h"

enum op_kind {
	OP_TEXT,     /* copy text[off, off + len) */
	OP_VALUE,    /* the value of var, escaped for the context */
	OP_IF,       /* var empty: go to jump, else into the body */
	OP_UNLESS,   /* var not empty: go to jump, else into the body */
};

struct op {
	enum op_kind kind;
	unsigned var;    /* index into known: OP_VALUE, OP_IF, OP_UNLESS */
	size_t off, len; /* OP_TEXT */
	size_t jump;     /* OP_IF, OP_UNLESS: the operation after the section */
};

struct tn_template {
	enum tn_tctx ctx;
	const char *const *known;
	size_t nknown;
	uint64_t used;     /* bit i: known[i] appears in the template */
	char *text;        /* the template's text with '\n' line ends */
	size_t text_bytes; /* the bytes the OP_TEXTs copy, to size the output */
	struct op *ops;
	size_t nops, aops;
};

/* An open section while compiling. */
struct open_section {
	size_t op;       /* its OP_IF or OP_UNLESS */
	size_t at;       /* where its tag starts in text, for messages */
};

struct compiler {
	struct tn_template *t;
	size_t len;          /* of t->text */
	const char *name;    /* the file name that starts messages */
	struct tn_err *err;
	struct open_section open[TN_TEMPLATE_MAX_DEPTH];
	size_t depth;
};

void tn_template_free(struct tn_template *t)
{
	if (!t)
		return;
	free(t->text);
	free(t->ops);
	free(t);
}

/* The line (from 1) of text[at]. */
static size_t line_of(const char *text, size_t at)
{
	size_t line = 1, i;

	for (i = 0; i < at; i++)
		line += text[i] == '\n';
	return line;
}

/* TN_BADINPUT "FILE:LINE: what" for the position at in the text. */
__attribute__((format(printf, 3, 4)))
static tn_code fail_at(struct compiler *c, size_t at, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return tn_err_set(c->err, TN_BADINPUT, "%s:%zu: %s", c->name,
			  line_of(c->t->text, at), what);
}

/* Appends an operation (none for empty text). */
static tn_code add_op(struct compiler *c, enum op_kind kind, unsigned var,
		      size_t off, size_t len)
{
	struct tn_template *t = c->t;
	struct op *op;

	if (kind == OP_TEXT && len == 0)
		return TN_OK;
	if (t->nops == t->aops) {
		size_t n = t->aops ? t->aops * 2 : 16;
		struct op *bigger = realloc(t->ops, n * sizeof(*bigger));

		if (!bigger)
			return tn_err_set(c->err, TN_NOMEM, "out of memory");
		t->ops = bigger;
		t->aops = n;
	}
	op = &t->ops[t->nops++];
	op->kind = kind;
	op->var = var;
	op->off = off;
	op->len = len;
	op->jump = 0;
	if (kind == OP_TEXT)
		t->text_bytes += len;
	return TN_OK;
}

/* Copies text[0..len) into t->text with a leading byte-order mark
 * dropped and CR LF and CR read as '\n', then checks it: UTF-8 without
 * control characters other than tab and newline. */
static tn_code take_text(struct compiler *c, const char *text, size_t len)
{
	const char *p, *end, *at;
	char *w;
	int32_t cp;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (!(c->t->text = malloc(len + 1)))
		return tn_err_set(c->err, TN_NOMEM, "out of memory");
	for (w = c->t->text, p = text, end = text + len; p < end; p++) {
		if (*p != '\r')
			*w++ = *p;
		else if (p + 1 == end || p[1] != '\n')
			*w++ = '\n';
	}
	*w = '\0';
	c->len = (size_t)(w - c->t->text);
	for (p = c->t->text, end = w; p < end;) {
		at = p;
		cp = tn_utf8_next(&p, end);
		if (cp < 0)
			return fail_at(c, (size_t)(at - c->t->text), "not valid UTF-8");
		if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0))
			return fail_at(c, (size_t)(at - c->t->text),
				       "control character U+%04X", (unsigned)cp);
	}
	return TN_OK;
}

/* A blank inside a line: space or tab. */
static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A character of a placeholder name: ASCII letter, digit or '_'. */
static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

/* The index of name[0..len) in known, or -1. */
static long find_name(const char *const *known, size_t nknown, const char *name,
		      size_t len)
{
	size_t i;

	for (i = 0; i < nknown; i++)
		if (strncmp(known[i], name, len) == 0 && known[i][len] == '\0')
			return (long)i;
	return -1;
}

/* The error for an unknown name, with the closest allowed one. */
static tn_code unknown_name(struct compiler *c, size_t at, char sigil,
			    const char *name)
{
	char sig[2] = { sigil, '\0' };
	struct tn_buf all = TN_BUF_INIT;
	struct tn_suggest guess;
	size_t i;

	tn_suggest_init(&guess, name);
	for (i = 0; i < c->t->nknown; i++)
		tn_suggest_offer(&guess, c->t->known[i]);
	if (guess.best)
		fail_at(c, at, "unknown placeholder {{%s%s}} (did you mean {{%s%s}}?)",
			sig, name, sig, guess.best);
	else
		fail_at(c, at, "unknown placeholder {{%s%s}}", sig, name);
	for (i = 0; i < c->t->nknown; i++)
		tn_buf_addf(&all, "%s%s", i ? ", " : "", c->t->known[i]);
	if (c->t->nknown)
		tn_err_hint(c->err, "the placeholders are %s", all.data);
	tn_buf_free(&all);
	return TN_BADINPUT;
}

/* 1 if the tag at text[start, end) stands alone on its line (nothing
 * but blanks around it); then *from and *to are where the line starts
 * and where the next one does. */
static int standalone(const char *text, size_t len, size_t start, size_t end,
		      size_t *from, size_t *to)
{
	size_t a = start, b = end;

	while (a > 0 && is_blank(text[a - 1]))
		a--;
	if (a > 0 && text[a - 1] != '\n')
		return 0;
	while (b < len && is_blank(text[b]))
		b++;
	if (b < len && text[b] != '\n')
		return 0;
	*from = a;
	*to = b < len ? b + 1 : b;
	return 1;
}

/* Compiles one tag: its {{ is at text[start], its content inner[0..n)
 * and its }} ends at end. First adds the text from pos up to the tag (or
 * up to its line, when the tag stands alone there); *next is where
 * scanning goes on (past the line of a standalone tag). */
static tn_code compile_tag(struct compiler *c, size_t pos, size_t start, size_t end,
			   const char *inner, size_t n, size_t *next)
{
	struct tn_template *t = c->t;
	size_t text_end = start, from, to, k;
	char sigil = 0, name[64];
	long var = -1;
	tn_code rc;

	*next = end;
	while (n > 0 && is_blank(*inner))
		inner++, n--;
	while (n > 0 && is_blank(inner[n - 1]))
		n--;
	if (n > 0 && (*inner == '#' || *inner == '^' || *inner == '/' || *inner == '!'))
		sigil = *inner++, n--;
	if (sigil != '!') {
		while (n > 0 && is_blank(*inner))
			inner++, n--;
		for (k = 0; k < n && is_name_char(inner[k]); k++)
			;
		if (n == 0 || k < n || n >= sizeof(name))
			return fail_at(c, start, "'%.*s' is not a placeholder: a name is"
				       " letters, digits and '_'", (int)(end - start),
				       t->text + start);
		memcpy(name, inner, n);
		name[n] = '\0';
		if ((var = find_name(t->known, t->nknown, name, n)) < 0)
			return unknown_name(c, start, sigil, name);
		t->used |= (uint64_t)1 << var;
	}
	if (sigil && standalone(t->text, c->len, start, end, &from, &to)) {
		text_end = from > pos ? from : pos;
		*next = to;
	}
	if ((rc = add_op(c, OP_TEXT, 0, pos, text_end - pos)) != TN_OK)
		return rc;
	switch (sigil) {
	case '!':
		return TN_OK;
	case 0:
		return add_op(c, OP_VALUE, (unsigned)var, 0, 0);
	case '/': {
		struct open_section *top;
		const struct op *op;

		if (c->depth == 0)
			return fail_at(c, start, "{{/%s}} closes no section", name);
		top = &c->open[c->depth - 1];
		op = &t->ops[top->op];
		if (op->var != (unsigned)var)
			return fail_at(c, start, "{{/%s}} closes {{%c%s}} (opened on line %zu)",
				       name, op->kind == OP_IF ? '#' : '^',
				       t->known[op->var], line_of(t->text, top->at));
		t->ops[top->op].jump = t->nops;
		c->depth--;
		return TN_OK;
	}
	default:   /* '#' or '^' */
		if (c->depth == TN_TEMPLATE_MAX_DEPTH)
			return fail_at(c, start, "sections nested more than %d deep",
				       TN_TEMPLATE_MAX_DEPTH);
		rc = add_op(c, sigil == '#' ? OP_IF : OP_UNLESS, (unsigned)var, 0, 0);
		if (rc != TN_OK)
			return rc;
		c->open[c->depth].op = t->nops - 1;
		c->open[c->depth].at = start;
		c->depth++;
		return TN_OK;
	}
}

/* 1 if the tag whose content starts at p is a comment ({{! or {{ !). */
static int is_comment(const char *p)
{
	return p[strspn(p, " \t")] == '!';
}

/* Splits t->text into operations. */
static tn_code parse(struct compiler *c)
{
	const char *text = c->t->text, *open, *close, *eol;
	size_t pos = 0, start, next;
	tn_code rc;

	while ((open = strstr(text + pos, "{{")) != NULL) {
		start = (size_t)(open - text);
		close = strstr(open + 2, "}}");
		eol = strchr(open, '\n');
		/* a tag ends on its line; a comment may span lines */
		if (close && eol && close > eol && !is_comment(open + 2))
			close = NULL;
		if (!close)
			return fail_at(c, start, "'{{' without '}}'");
		rc = compile_tag(c, pos, start, (size_t)(close - text) + 2, open + 2,
				 (size_t)(close - open - 2), &next);
		if (rc != TN_OK)
			return rc;
		pos = next;
	}
	if ((rc = add_op(c, OP_TEXT, 0, pos, c->len - pos)) != TN_OK)
		return rc;
	if (c->depth > 0) {
		const struct op *op = &c->t->ops[c->open[c->depth - 1].op];

		return fail_at(c, c->open[c->depth - 1].at, "section {{%c%s}} is not closed",
			       op->kind == OP_IF ? '#' : '^', c->t->known[op->var]);
	}
	return TN_OK;
}

tn_code tn_template_compile(const char *text, size_t len, const char *file_name,
			    enum tn_tctx ctx, const char *const *known,
			    struct tn_template **out, struct tn_err *err)
{
	struct compiler c = { .name = file_name ? file_name : "template", .err = err };
	size_t nknown = 0;
	tn_code rc;

	*out = NULL;
	while (known && known[nknown])
		nknown++;
	if (nknown > TN_TEMPLATE_MAX_NAMES)
		return tn_err_set(err, TN_USAGE, "%s: more than %d placeholder names",
				  c.name, TN_TEMPLATE_MAX_NAMES);
	if (!(c.t = calloc(1, sizeof(*c.t))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	c.t->ctx = ctx;
	c.t->known = known;
	c.t->nknown = nknown;
	rc = take_text(&c, text, len);
	if (rc == TN_OK)
		rc = parse(&c);
	if (rc != TN_OK) {
		tn_template_free(c.t);
		return rc;
	}
	*out = c.t;
	return TN_OK;
}

int tn_template_uses(const struct tn_template *t, const char *name)
{
	long i = find_name(t->known, t->nknown, name, strlen(name));

	return i >= 0 && (t->used >> i) & 1;
}

/* Where a value's cleaned bytes go: straight to the output, or (HTML)
 * through a small chunk that tn_esc_html escapes, so no value needs a
 * copy of its own on the heap. */
struct sink {
	struct tn_buf *out;
	enum tn_tctx ctx;
	tn_code rc;
	size_t n;
	char chunk[512];
};

/* HTML: escapes what the chunk holds into the output and empties it. */
static void sink_flush(struct sink *s)
{
	if (s->n == 0)
		return;
	s->chunk[s->n] = '\0';
	if (s->rc == TN_OK)
		s->rc = tn_esc_html(s->out, s->chunk);
	s->n = 0;
}

/* Adds len clean bytes of a value: to the output, or (HTML) to the chunk,
 * flushed whenever it fills. The first failure stays in s->rc. */
static void sink_add(struct sink *s, const char *p, size_t len)
{
	size_t take;

	if (s->ctx != TN_TCTX_HTML) {
		if (s->rc == TN_OK && len)
			s->rc = tn_buf_addn(s->out, p, len);
		return;
	}
	while (len > 0) {   /* tn_esc_html works byte by byte: any cut is fine */
		take = sizeof(s->chunk) - 1 - s->n;
		if (take > len)
			take = len;
		memcpy(s->chunk + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == sizeof(s->chunk) - 1)
			sink_flush(s);
	}
}

/* A line break in a value: "\n" in text, "<br>" and "\n" in HTML, a
 * space in a header. */
static void sink_break(struct sink *s)
{
	if (s->ctx == TN_TCTX_HTML) {
		sink_flush(s);
		if (s->rc == TN_OK)
			s->rc = tn_buf_add(s->out, "<br>\n");
	} else {
		sink_add(s, s->ctx == TN_TCTX_HEADER ? " " : "\n", 1);
	}
}

/* Appends one value, cleaned and escaped for the context (template.h). */
static tn_code put_value(struct tn_buf *out, enum tn_tctx ctx, const char *v)
{
	struct sink s = { .out = out, .ctx = ctx, .rc = TN_OK, .n = 0 };
	const char *end = v + strlen(v), *p = v, *run = v, *q;
	unsigned char ch;
	int32_t cp;

	while (p < end) {
		ch = (unsigned char)*p;
		if (ch >= 0x20 && ch < 0x7F) {
			p++;
			continue;
		}
		if (ch >= 0x80) {
			q = p;
			cp = tn_utf8_next(&q, end);
			if (cp >= 0xA0) {   /* well formed, not a C1 control */
				p = q;
				continue;
			}
			sink_add(&s, run, (size_t)(p - run));
			if (cp < 0)
				sink_add(&s, "\xEF\xBF\xBD", 3);   /* U+FFFD */
			else if (ctx == TN_TCTX_HEADER)
				sink_add(&s, " ", 1);
			p = run = q;
			continue;
		}
		sink_add(&s, run, (size_t)(p - run));
		if (ch == '\n' || (ch == '\r')) {
			if (ch == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			sink_break(&s);
		} else if (ch == '\t') {
			sink_add(&s, ctx == TN_TCTX_HEADER ? " " : "\t", 1);
		} else if (ctx == TN_TCTX_HEADER) {
			sink_add(&s, " ", 1);
		}
		run = ++p;
	}
	sink_add(&s, run, (size_t)(p - run));
	sink_flush(&s);
	return s.rc;
}

/* In a header, a value has no blanks at either end: trims what was
 * appended to out from at on. */
static void trim_value(struct tn_buf *out, size_t at)
{
	size_t skip = at;

	while (out->len > at && out->data[out->len - 1] == ' ')
		out->len--;
	while (skip < out->len && out->data[skip] == ' ')
		skip++;
	memmove(out->data + at, out->data + skip, out->len - skip);
	out->len -= skip - at;
	if (out->alloc)
		out->data[out->len] = '\0';
}

/* A header is one line: every run of blanks and line breaks in
 * out->data[from..] becomes one space, none at either end. In place:
 * the text only shrinks. */
static void squeeze_line(struct tn_buf *out, size_t from)
{
	size_t r, w = from;
	int space = 0;
	char ch;

	for (r = from; r < out->len; r++) {
		ch = out->data[r];
		if (ch == ' ' || ch == '\t' || ch == '\n') {
			space = w > from;
			continue;
		}
		if (space)
			out->data[w++] = ' ';
		space = 0;
		out->data[w++] = ch;
	}
	out->len = w;
	if (out->alloc)
		out->data[w] = '\0';
}

tn_code tn_template_render_values(const struct tn_template *t,
				  const char *const *values, struct tn_buf *out,
				  struct tn_err *err)
{
	size_t i = 0, from = out->len, at;
	const struct op *op;
	const char *v;
	tn_code rc = tn_buf_grow(out, t->text_bytes + 256);

	while (rc == TN_OK && i < t->nops) {
		op = &t->ops[i];
		switch (op->kind) {
		case OP_TEXT:
			rc = tn_buf_addn(out, t->text + op->off, op->len);
			i++;
			break;
		case OP_VALUE:
			at = out->len;
			v = values[op->var];
			if (v && *v)
				rc = put_value(out, t->ctx, v);
			if (rc == TN_OK && t->ctx == TN_TCTX_HEADER)
				trim_value(out, at);
			i++;
			break;
		case OP_IF:
			v = values[op->var];
			i = v && *v ? i + 1 : op->jump;
			break;
		case OP_UNLESS:
			v = values[op->var];
			i = v && *v ? op->jump : i + 1;
			break;
		}
	}
	if (rc != TN_OK)
		return tn_err_set(err, rc, "out of memory");
	if (t->ctx == TN_TCTX_HEADER)
		squeeze_line(out, from);
	return TN_OK;
}

tn_code tn_template_render(const struct tn_template *t, const struct tn_tvar *vars,
			   size_t nvars, struct tn_buf *out, struct tn_err *err)
{
	const char *values[TN_TEMPLATE_MAX_NAMES] = { NULL };
	uint64_t seen = 0;
	size_t i;
	long k;

	for (i = 0; i < nvars; i++) {
		if (!vars[i].name)
			continue;
		k = find_name(t->known, t->nknown, vars[i].name, strlen(vars[i].name));
		if (k >= 0 && !((seen >> k) & 1)) {
			values[k] = vars[i].value;
			seen |= (uint64_t)1 << k;
		}
	}
	return tn_template_render_values(t, values, out, err);
}
