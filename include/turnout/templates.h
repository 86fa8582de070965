/*
 * templates.h - turnout's e-mail templates as a whole: which messages
 * there are (kinds) and their parts, the variables every template may
 * use, the built-in templates compiled into the binary (from the files
 * in templates/), an organizer's directory that overrides them file by
 * file, and writing the built-ins out as a starting point. The engine
 * (syntax, escaping, rendering) is template.h.
 *
 * Each kind ("invite", "update", "cancel", "ticket") has three parts, each a file
 * named KIND.PART:
 *
 *   KIND.subject  the Subject header   (TN_TCTX_HEADER)
 *   KIND.txt      the text/plain part  (TN_TCTX_TEXT)
 *   KIND.html     the text/html part   (TN_TCTX_HTML)
 *
 * A post on a channel ("announce": 'turnout announce') is plain text
 * only, one file KIND.txt (TN_TCTX_TEXT), loaded, overridden and exported
 * like the others; tn_templates_get(ts, "announce", "txt") finds it.
 */
#ifndef TURNOUT_TEMPLATES_H
#define TURNOUT_TEMPLATES_H

#include <stddef.h>

#include "turnout/err.h"
#include "turnout/template.h"

struct tn_settings;   /* setup.h */

/* The kinds of message and the parts of each, NULL-terminated. Adding a
 * kind means adding its name to tn_templates_kinds (templates.c) and its
 * three files to templates/. */
extern const char *const tn_templates_kinds[];
extern const char *const tn_templates_parts[];
/* The kinds of post, NULL-terminated; each is the one file KIND.txt. */
extern const char *const tn_templates_posts[];

/*
 * The variables every e-mail template may use, the one list of them: a
 * template that names any other is refused when it is loaded. The
 * values are the caller's (the invitations core) and are all text:
 *
 *   org              the organisation's name
 *   name             the invitee's display name (may be empty)
 *   email            the invitee's address
 *   title            the event's title
 *   when             its start (and end) in its zone, for people:
 *                    "Thursday 10 June 2027, 19:00–21:00 (Europe/Berlin)"
 *   zone             its IANA time zone
 *   venue, address   where it is (either may be empty)
 *   description      what it is about (may be empty, may be multi-line)
 *   rsvp_url         the invitee's personal answer page
 *   unsubscribe_url  the invitee's personal unsubscribe link
 *   event_url        the event's public page or calendar link (in a
 *                    post: the channel's own registration link)
 *   sequence         the calendar SEQUENCE the message carries
 *   ticket_code      the ticket's signed code (ticket e-mails)
 *   ticket_url       the holder's personal ticket page, base-url/t/TOKEN
 *
 * tn_templates_vars lists the names in the order of enum tn_tvar_id, so
 * a caller fills const char *values[TN_TV_COUNT] by these indexes and
 * renders with tn_template_render_values (the fast path), or names each
 * value in a struct tn_tvar for tn_template_render.
 */
enum tn_tvar_id {
	TN_TV_ORG,
	TN_TV_NAME,
	TN_TV_EMAIL,
	TN_TV_TITLE,
	TN_TV_WHEN,
	TN_TV_ZONE,
	TN_TV_VENUE,
	TN_TV_ADDRESS,
	TN_TV_DESCRIPTION,
	TN_TV_RSVP_URL,
	TN_TV_UNSUBSCRIBE_URL,
	TN_TV_EVENT_URL,
	TN_TV_SEQUENCE,
	TN_TV_TICKET_CODE,
	TN_TV_TICKET_URL,
	TN_TV_COUNT
};
extern const char *const tn_templates_vars[TN_TV_COUNT + 1];   /* NULL-terminated */

struct tn_event;
/* Fills values[0..TN_TV_COUNT) with what every message and post shows of
 * an event (the rest NULL): the organisation, its title, when (as
 * tn_event_when wrote it), zone, venue, address, description, and
 * event_url. The strings are borrowed: they must outlive the render. */
void tn_templates_event_values(const char **values, const char *org,
			       const struct tn_event *ev, const char *when,
			       const char *event_url);

/* One built-in template file, as found in templates/ at build time. */
struct tn_template_file {
	const char *name;   /* "invite.html" */
	const char *data;   /* its bytes (NUL-terminated for convenience) */
	size_t len;
};

/* The built-in files, in name order (count in *n); static storage. */
const struct tn_template_file *tn_templates_builtin(size_t *n);

/* Every template compiled, ready to render; immutable once loaded. */
struct tn_templates;

/*
 * Compiles every kind's parts: the built-in ones, except where dir (NULL:
 * built-ins only) holds a file of the same name, which replaces the
 * built-in one (the other parts stay built-in). Other files in dir are
 * ignored, except that a name one typo away from a template's
 * ("invte.html") is refused, so that an override is never silently
 * unused. On success *out is the set (caller frees with
 * tn_templates_free); on failure it is NULL and err names the file:
 *
 *   TN_FAIL      dir or a file in it cannot be read (missing, not a
 *                directory, no permission): "templates directory 'tpl':
 *                cannot open: No such file or directory"
 *   TN_BADINPUT  a template is invalid (template.h's messages, starting
 *                with the file's path: "tpl/invite.html:12: unknown
 *                placeholder {{nmae}} (did you mean {{name}}?)"), or a
 *                file is too large (TN_TEMPLATES_MAX_SIZE) or misnamed
 *   TN_NOMEM
 */
#define TN_TEMPLATES_MAX_SIZE (1024 * 1024)
tn_code tn_templates_load(const char *dir, struct tn_templates **out,
			  struct tn_err *err);

/* The compiled template of kind ("invite") and part ("subject", "txt",
 * "html"), borrowed from ts; NULL when there is no such kind or part. */
const struct tn_template *tn_templates_get(const struct tn_templates *ts,
					   const char *kind, const char *part);

/* The file kind.part was loaded from: its path in the override
 * directory, or NULL when it is the built-in one (borrowed from ts). */
const char *tn_templates_origin(const struct tn_templates *ts, const char *kind,
				const char *part);

/* Renders kind's three parts with values (TN_TV_COUNT of them, indexed
 * by enum tn_tvar_id; NULL or "" is empty), appending the subject (one
 * line), the plain text and the HTML to their buffers. TN_USAGE for an
 * unknown kind, TN_NOMEM. */
tn_code tn_templates_render(const struct tn_templates *ts, const char *kind,
			    const char *const values[TN_TV_COUNT], struct tn_buf *subject,
			    struct tn_buf *text, struct tn_buf *html, struct tn_err *err);

/* Frees the set; NULL is fine. */
void tn_templates_free(struct tn_templates *ts);

/*
 * Writes the built-in template files (every kind's parts) into dir,
 * creating it (and its parents) when missing, each file atomically
 * (file.h). Unless force, an existing file is not replaced: then
 * nothing at all is written and the result is TN_EXISTS naming the
 * first such file (the hint mentions {force}). wrote (may be NULL) is
 * called with each file's path once it is written. TN_IO when dir
 * cannot be made or a file cannot be written (files already written
 * stay); TN_NOMEM.
 */
tn_code tn_templates_export(const char *dir, int force,
			    void (*wrote)(void *ctx, const char *path), void *ctx,
			    struct tn_err *err);

/* The template directory to load from: flag_value (a --templates flag)
 * when given, else the 'templates' setting of s (s may be NULL), else
 * NULL for the built-ins. An empty flag_value means the built-ins, even
 * when the setting names a directory. Borrowed, never a new string. */
const char *tn_templates_dir(const struct tn_settings *s, const char *flag_value);

/* Checks that dir is a directory this process can read and whose
 * templates all load (tn_templates_load), and writes its absolute path
 * to *abs (caller frees): what the 'templates' setting stores. TN_USAGE
 * when dir is missing or not a readable directory (a setting's value
 * was wrong), TN_BADINPUT for an invalid template, TN_NOMEM. */
tn_code tn_templates_check_dir(const char *dir, char **abs, struct tn_err *err);

#endif
