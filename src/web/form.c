/*
 * web/form.c - the fields of a POST body as the server's form parser
 * (libmicrohttpd's post processor, which does the decoding) hands them
 * over: a fixed number of fields, each value capped, so a request cannot
 * make the server hold more than the body limit allows.
 */
#include <string.h>

#include "web/web.h"

const char *web_form_get(const struct web_form *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->field[i].name, name) == 0)
			return f->field[i].value.data;
	return NULL;
}

void web_form_add(struct web_form *f, const char *name, const char *data,
		  size_t off, size_t len)
{
	int i = f->n - 1;

	if (f->bad)
		return;
	/* a value in pieces: later pieces come with the same name, off > 0 */
	if (off == 0 || i < 0 || strcmp(f->field[i].name, name) != 0) {
		if (f->n == WEB_FORM_FIELDS || strlen(name) >= sizeof(f->field[0].name)) {
			f->bad = 1;
			return;
		}
		i = f->n++;
		strcpy(f->field[i].name, name);
		tn_buf_init(&f->field[i].value);
		f->field[i].value.cap = WEB_FORM_VALUE_MAX;
	}
	if (len && tn_buf_addn(&f->field[i].value, data, len) != TN_OK)
		f->bad = 1;
}

void web_form_free(struct web_form *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		tn_buf_free(&f->field[i].value);
	f->n = 0;
}
