/*
 * mail.c - invitation e-mails as complete RFC 5322 messages, built and
 * written by GMime 3: the MIME structure, the RFC 2047 header encoding,
 * base64 and quoted-printable, folding and CRLF line ends are all GMime's.
 * This file only checks the values, chooses the parts and settles two
 * things GMime leaves open: header charsets are always utf-8 (GMime would
 * pick iso-8859-5 for a Cyrillic name), and a name or subject holding a
 * literal encoded-word is encoded as a whole (header_words below). Owns
 * no table; knows nothing of templates, the calendar's content or SMTP.
 */
#include <pthread.h>
#include <string.h>

#include <gmime/gmime.h>

#include "turnout/buf.h"
#include "turnout/mail.h"
#include "turnout/text.h"

enum {
	MAX_HEADER_VALUE = 900,   /* a URL or Message-ID on one line, under 998 */
	WORD_BYTES = 45,          /* text per encoded-word: 45 octets are 60 in
	                           * base64, 72 with =?utf-8?b?...?=, under
	                           * RFC 2047's 75 and GMime's fold length, so
	                           * that GMime passes the word through */
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static GMimeFormatOptions *crlf_options;

/* GMime once per process; the options every message is written with. */
static void gmime_start(void)
{
	g_mime_init();
	crlf_options = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(crlf_options, GMIME_NEWLINE_FORMAT_DOS);
}

void tn_mail_init(void)
{
	pthread_once(&gmime_once, gmime_start);
}

/* 1 if s is a dot-atom-text (RFC 5322 3.2.3) of at least one character. */
static int dot_atom(const char *s, const char *end)
{
	const char *p;

	if (s == end || *s == '.' || end[-1] == '.')
		return 0;
	for (p = s; p < end; p++)
		if (!(g_ascii_isalnum(*p) || (*p && strchr("!#$%&'*+-/=?^_`{|}~", *p)) ||
		      (*p == '.' && p[1] != '.')))
			return 0;
	return 1;
}

/* RFC 5322 3.6.4 msg-id without its angle brackets: id-left "@" id-right,
 * both dot-atom-text. */
static tn_code check_message_id(const char *id, struct tn_err *err)
{
	const char *at;

	if (!id || !*id)
		return tn_err_field(err, TN_USAGE, "message_id", "no Message-ID");
	at = strchr(id, '@');
	if (strlen(id) > MAX_HEADER_VALUE || !at || strchr(at + 1, '@') ||
	    !dot_atom(id, at) || !dot_atom(at + 1, at + strlen(at)))
		return tn_err_field(err, TN_USAGE, "message_id",
				    "'%s': not a Message-ID (id-left@id-right)", id);
	return TN_OK;
}

/* A URL fit for List-Unsubscribe: http(s), printable ASCII, one line. */
static tn_code check_url(const char *url, struct tn_err *err)
{
	const char *p;

	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			break;
	if (*p || strlen(url) > MAX_HEADER_VALUE || !tn_url_valid(url))
		return tn_err_field(err, TN_USAGE, "unsubscribe_url",
				    "'%s': not an http(s) URL", url);
	return TN_OK;
}

/* Checks one text member: present (unless optional), UTF-8, and free of
 * control characters other than line breaks and tabs when multiline. */
static tn_code check_text(const char *field, const char *s, int optional,
			  int multiline, struct tn_err *err)
{
	tn_code rc;

	if (!s)
		return optional ? TN_OK : tn_err_field(err, TN_USAGE, field, "missing");
	if ((rc = tn_text_check(s, multiline, err)) != TN_OK)
		return tn_err_about(err, rc, field);
	return TN_OK;
}

/*
 * The address as SMTP and the headers carry it: normalised, the domain
 * as its A-label. A local part beyond ASCII would need SMTPUTF8 and 8-bit
 * headers (RFC 6531/6532), which this 7-bit message does not use.
 */
static tn_code wire_address(const char *field, const char *addr, struct tn_buf *out,
			    struct tn_err *err)
{
	const char *p;
	tn_code rc;

	if (!addr || !*addr)
		return tn_err_field(err, TN_USAGE, field, "no address");
	if ((rc = tn_email_normalize(addr, out, err)) != TN_OK) {
		tn_err_prefix(err, rc, "'%s'", addr);
		return tn_err_about(err, rc, field);
	}
	for (p = out->data; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return tn_err_field(err, TN_BADINPUT, field,
					    "'%s': an address beyond ASCII needs SMTPUTF8, "
					    "which turnout does not send", addr);
	return TN_OK;
}

/*
 * The form of a display name or subject to hand to GMime. GMime 3.2's RFC
 * 2047 encoder treats a word that already looks like an encoded-word
 * ("=?utf-8?q?x?=") as a plain atom and writes it through unchanged;
 * every reader then decodes it, and the name changes on the way. So text
 * containing "=?" is handed over already encoded, as a whole: utf-8 B
 * encoded-words of whole characters (RFC 2047 5), the base64 from glib,
 * which GMime takes as atoms and writes as they are (a Subject it decodes
 * and encodes again, as a whole). Other text is returned as given, for
 * GMime to encode. Returns text itself or a new string, which the caller
 * frees with g_free.
 */
static char *header_words(const char *text)
{
	GString *out;
	const char *p = text, *q;

	if (!strstr(text, "=?"))
		return (char *)text;
	out = g_string_new(NULL);
	while (*p) {
		char *b64;

		for (q = p; *q && (q == p || g_utf8_next_char(q) - p <= WORD_BYTES);)
			q = g_utf8_next_char(q);
		b64 = g_base64_encode((const guchar *)p, (gsize)(q - p));
		g_string_append_printf(out, "%s=?utf-8?b?%s?=", out->len ? " " : "", b64);
		g_free(b64);
		p = q;
	}
	return g_string_free(out, FALSE);
}

/* A mailbox "name" <addr> for an address list, its name in utf-8. */
static void add_mailbox(InternetAddressList *list, const char *name, const char *addr)
{
	char *words = name && *name ? header_words(name) : NULL;
	InternetAddress *ia = internet_address_mailbox_new(words ? words : "", addr);

	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(list, ia);
	g_object_unref(ia);
	if (words != name)
		g_free(words);
}

/*
 * Sets the content of part to text with CRLF line ends, the canonical form
 * of text (RFC 2046 4.1.1): a base64 body must carry them inside, and a
 * quoted-printable one gets them as hard line breaks.
 */
static void set_content(GMimePart *part, const char *text)
{
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeStream *filtered = g_mime_stream_filter_new(mem);
	GMimeFilter *filter = g_mime_filter_unix2dos_new(FALSE);
	GMimeDataWrapper *content;

	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
	content = g_mime_data_wrapper_new_with_stream(filtered, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(filter);
	g_object_unref(filtered);
	g_object_unref(mem);
}

/* A text/SUBTYPE; charset=utf-8 part holding text, with method=method
 * when method is not NULL. */
static GMimeObject *text_part(const char *subtype, const char *text, const char *method)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	GMimeContentType *type = g_mime_object_get_content_type(GMIME_OBJECT(part));

	g_mime_content_type_set_parameter(type, "charset", "utf-8");
	if (method)
		g_mime_content_type_set_parameter(type, "method", method);
	set_content(GMIME_PART(part), text);
	return GMIME_OBJECT(part);
}

/* The calendar again as an attachment, invite.ics, for mail programs
 * that show no invitation: the user can still open it in a calendar. */
static GMimeObject *ics_attachment(const char *ical)
{
	GMimePart *part = g_mime_part_new_with_type("application", "ics");

	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_mime_part_set_filename(part, "invite.ics");   /* and Content-Type's name= */
	set_content(part, ical);
	return GMIME_OBJECT(part);
}

/* The inline image: image_type (type/subtype) with Content-ID <cid>,
 * disposition inline, base64 (GMime's choice for binary under the
 * 7-bit constraint). */
static GMimeObject *image_part(const struct tn_mail *m)
{
	const char *slash = strchr(m->image_type, '/');
	char *type = g_strndup(m->image_type, (gsize)(slash - m->image_type));
	GMimePart *part = g_mime_part_new_with_type(type, slash + 1);
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer((const char *)m->image,
							      m->image_len);
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(mem,
		GMIME_CONTENT_ENCODING_DEFAULT);

	g_free(type);
	g_mime_part_set_content(part, content);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_INLINE);
	if (m->image_name)
		g_mime_part_set_filename(part, m->image_name);
	g_mime_object_set_content_id(GMIME_OBJECT(part), m->image_cid);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_object_unref(content);
	g_object_unref(mem);
	return GMIME_OBJECT(part);
}

/* The HTML part, in a multipart/related with the inline image when there
 * is one (RFC 2387: the HTML is the root, the image referred to by its
 * Content-ID as cid:). Returns a new reference. */
static GMimeObject *html_part(const struct tn_mail *m)
{
	GMimeMultipart *related;
	GMimeObject *part = text_part("html", m->html, NULL);

	if (!m->image)
		return part;
	related = g_mime_multipart_new_with_subtype("related");
	g_mime_content_type_set_parameter(g_mime_object_get_content_type(
		GMIME_OBJECT(related)), "type", "text/html");
	g_mime_multipart_add(related, part);
	g_object_unref(part);
	part = image_part(m);
	g_mime_multipart_add(related, part);
	g_object_unref(part);
	return GMIME_OBJECT(related);
}

/* The body: the alternative of text, html and calendar, in a mixed with
 * the .ics attachment when there is a calendar; a part alone when it is
 * the only one. Returns a new reference. */
static GMimeObject *body(const struct tn_mail *m)
{
	GMimeMultipart *alt, *mixed;
	GMimeObject *part;

	if (!m->html && !m->ical)
		return text_part("plain", m->text, NULL);
	alt = g_mime_multipart_new_with_subtype("alternative");
	part = text_part("plain", m->text, NULL);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	if (m->html) {
		part = html_part(m);
		g_mime_multipart_add(alt, part);
		g_object_unref(part);
	}
	if (!m->ical)
		return GMIME_OBJECT(alt);
	part = text_part("calendar", m->ical, m->ical_method);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
	g_object_unref(alt);
	part = ics_attachment(m->ical);
	g_mime_multipart_add(mixed, part);
	g_object_unref(part);
	return GMIME_OBJECT(mixed);
}

/* The iTIP methods (RFC 5546 1.4), for Content-Type's method=. */
static int itip_method_valid(const char *method)
{
	static const char *const methods[] = {
		"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH",
		"COUNTER", "DECLINECOUNTER",
	};
	size_t i;

	for (i = 0; method && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i]) == 0)
			return 1;
	return 0;
}

/* Every check before GMime is called; the addresses in wire form. */
static tn_code check(const struct tn_mail *m, struct tn_buf *from, struct tn_buf *to,
		     struct tn_err *err)
{
	tn_code rc;

	if ((rc = wire_address("from_addr", m->from_addr, from, err)) != TN_OK ||
	    (rc = wire_address("to_addr", m->to_addr, to, err)) != TN_OK ||
	    (rc = check_text("from_name", m->from_name, 1, 0, err)) != TN_OK ||
	    (rc = check_text("to_name", m->to_name, 1, 0, err)) != TN_OK ||
	    (rc = check_text("subject", m->subject, 0, 0, err)) != TN_OK ||
	    (rc = check_text("text", m->text, 0, 1, err)) != TN_OK ||
	    (rc = check_text("html", m->html, 1, 1, err)) != TN_OK ||
	    (rc = check_text("ical", m->ical, 1, 1, err)) != TN_OK ||
	    (rc = check_message_id(m->message_id, err)) != TN_OK)
		return rc;
	if (m->ical && !itip_method_valid(m->ical_method))
		return tn_err_field(err, TN_USAGE, "ical_method", "'%s': not an iTIP method",
				    m->ical_method ? m->ical_method : "");
	if (m->unsubscribe_url && (rc = check_url(m->unsubscribe_url, err)) != TN_OK)
		return rc;
	if (m->image) {
		const char *slash = m->image_type ? strchr(m->image_type, '/') : NULL;

		if (!m->html)
			return tn_err_field(err, TN_USAGE, "image", "an inline image needs "
					    "the HTML part that shows it");
		if (!slash || slash == m->image_type || !slash[1] ||
		    strpbrk(m->image_type, " \t\r\n;\"") || !m->image_len)
			return tn_err_field(err, TN_USAGE, "image_type", "'%s': not a media "
					    "type", m->image_type ? m->image_type : "");
		if (!m->image_cid || !strchr(m->image_cid, '@') ||
		    strpbrk(m->image_cid, " \t\r\n<>\""))
			return tn_err_field(err, TN_USAGE, "image_cid", "'%s': not a "
					    "Content-ID", m->image_cid ? m->image_cid : "");
		if (m->image_name && (rc = check_text("image_name", m->image_name, 0, 0,
						      err)) != TN_OK)
			return rc;
	}
	return TN_OK;
}

tn_code tn_mail_build(const struct tn_mail *m, struct tn_buf *out, struct tn_err *err)
{
	struct tn_buf from = TN_BUF_INIT, to = TN_BUF_INIT;
	GMimeMessage *msg;
	GMimeObject *top;
	GMimeStream *mem;
	GDateTime *date;
	GByteArray *bytes;
	char *subject, *value;
	tn_code rc;

	tn_buf_reset(out);
	if ((rc = check(m, &from, &to, err)) != TN_OK)
		goto done;
	if (!(date = g_date_time_new_from_unix_utc(m->date))) {
		rc = tn_err_field(err, TN_USAGE, "date", "%lld: not a time", m->date);
		goto done;
	}
	tn_mail_init();

	msg = g_mime_message_new(FALSE);
	top = GMIME_OBJECT(msg);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	add_mailbox(g_mime_message_get_from(msg), m->from_name, from.data);
	add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
		    m->to_name, to.data);
	subject = header_words(m->subject);
	g_mime_message_set_subject(msg, subject, "utf-8");
	if (subject != m->subject)
		g_free(subject);
	g_mime_message_set_message_id(msg, m->message_id);
	g_mime_object_set_header(top, "MIME-Version", "1.0", NULL);
	if (m->unsubscribe_url) {
		value = g_strdup_printf("<%s>", m->unsubscribe_url);
		g_mime_object_set_header(top, "List-Unsubscribe", value, NULL);
		g_free(value);
		if (g_ascii_strncasecmp(m->unsubscribe_url, "https:", 6) == 0)
			g_mime_object_set_header(top, "List-Unsubscribe-Post",
						 "List-Unsubscribe=One-Click", NULL);
	}
	g_mime_message_set_mime_part(msg, (top = body(m)));
	g_object_unref(top);
	g_mime_object_encode(GMIME_OBJECT(msg), GMIME_ENCODING_CONSTRAINT_7BIT);

	mem = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), crlf_options, mem) < 0) {
		rc = tn_err_set(err, TN_FAIL, "message '%s': cannot be written", m->message_id);
	} else {
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		if (tn_buf_addn(out, bytes->data, bytes->len) != TN_OK)
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
	}
	g_object_unref(mem);
	g_object_unref(msg);
done:
	if (rc != TN_OK)
		tn_buf_free(out);
	tn_buf_free(&from);
	tn_buf_free(&to);
	return rc;
}
