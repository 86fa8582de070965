/*
 * templates.c - the e-mail templates as a whole (templates.h): the kinds
 * of message and their parts, the one list of variables, the built-in
 * files (compiled into the binary by the Makefile from templates/), an
 * organizer's directory overriding them file by file, and exporting the
 * built-ins. Owns no table: the 'templates' setting is setup.c's, which
 * asks tn_templates_check_dir before storing it. Reads files, never the
 * database; the engine itself is fmt/template.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/file.h"
#include "turnout/setup.h"
#include "turnout/suggest.h"
#include "turnout/templates.h"

const char *const tn_templates_kinds[] = { "invite", "update", "cancel", "ticket", NULL };
const char *const tn_templates_parts[] = { "subject", "txt", "html", NULL };
const char *const tn_templates_posts[] = { "announce", NULL };
static const enum tn_tctx part_ctx[] = { TN_TCTX_HEADER, TN_TCTX_TEXT, TN_TCTX_HTML };

#define NKINDS (sizeof(tn_templates_kinds) / sizeof(tn_templates_kinds[0]) - 1)
#define NPARTS (sizeof(tn_templates_parts) / sizeof(tn_templates_parts[0]) - 1)
#define NPOSTS (sizeof(tn_templates_posts) / sizeof(tn_templates_posts[0]) - 1)
#define POST_PART 1   /* a post is plain text: its one part is "txt" */

/* In the order of enum tn_tvar_id. */
const char *const tn_templates_vars[TN_TV_COUNT + 1] = {
	[TN_TV_ORG] = "org",
	[TN_TV_NAME] = "name",
	[TN_TV_EMAIL] = "email",
	[TN_TV_TITLE] = "title",
	[TN_TV_WHEN] = "when",
	[TN_TV_ZONE] = "zone",
	[TN_TV_VENUE] = "venue",
	[TN_TV_ADDRESS] = "address",
	[TN_TV_DESCRIPTION] = "description",
	[TN_TV_RSVP_URL] = "rsvp_url",
	[TN_TV_UNSUBSCRIBE_URL] = "unsubscribe_url",
	[TN_TV_EVENT_URL] = "event_url",
	[TN_TV_SEQUENCE] = "sequence",
	[TN_TV_TICKET_CODE] = "ticket_code",
	[TN_TV_TICKET_URL] = "ticket_url",
	[TN_TV_COUNT] = NULL,
};
_Static_assert(TN_TV_COUNT <= TN_TEMPLATE_MAX_NAMES, "too many template variables");
_Static_assert(sizeof(part_ctx) / sizeof(part_ctx[0]) == NPARTS,
	       "a context for every part");

/* Made by the Makefile from the files in templates/ (tools/embed.pl). */
extern const struct tn_template_file tn_templates_builtin_files[];
extern const size_t tn_templates_builtin_count;

const struct tn_template_file *tn_templates_builtin(size_t *n)
{
	*n = tn_templates_builtin_count;
	return tn_templates_builtin_files;
}

/* The built-in file called name, or NULL. */
static const struct tn_template_file *builtin_file(const char *name)
{
	size_t i;

	for (i = 0; i < tn_templates_builtin_count; i++)
		if (strcmp(tn_templates_builtin_files[i].name, name) == 0)
			return &tn_templates_builtin_files[i];
	return NULL;
}

struct loaded {
	struct tn_template *t;
	char *origin;   /* the override file's path; NULL: built-in */
};

struct tn_templates {
	struct loaded part[NKINDS][NPARTS];
	struct loaded post[NPOSTS];
};

void tn_templates_free(struct tn_templates *ts)
{
	size_t k, p;

	if (!ts)
		return;
	for (k = 0; k < NKINDS; k++)
		for (p = 0; p < NPARTS; p++) {
			tn_template_free(ts->part[k][p].t);
			free(ts->part[k][p].origin);
		}
	for (k = 0; k < NPOSTS; k++) {
		tn_template_free(ts->post[k].t);
		free(ts->post[k].origin);
	}
	free(ts);
}

/* Reads the regular file at path into b. *missing is set (and TN_OK
 * returned) when there is no such file. */
static tn_code read_file(const char *path, struct tn_buf *b, int *missing,
			 struct tn_err *err)
{
	struct stat st;
	char chunk[8192];
	ssize_t n;
	int fd;
	tn_code rc = TN_OK;

	*missing = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			*missing = 1;
			return TN_OK;
		}
		return tn_err_set(err, TN_FAIL, "'%s': cannot open: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = tn_err_set(err, TN_FAIL, "'%s': not a regular file", path);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tn_err_set(err, TN_FAIL, "'%s': cannot read: %s", path,
					strerror(errno));
			goto out;
		}
		if (b->len + (size_t)n > TN_TEMPLATES_MAX_SIZE) {
			rc = tn_err_set(err, TN_BADINPUT, "'%s': larger than %d bytes: not a"
					" template", path, TN_TEMPLATES_MAX_SIZE);
			goto out;
		}
		if (tn_buf_addn(b, chunk, (size_t)n) != TN_OK) {
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	close(fd);
	return rc;
}

/* Puts "dir/name" into b (reset first), without doubling a '/' that
 * ends dir. */
static tn_code path_in(struct tn_buf *b, const char *dir, const char *name,
		       struct tn_err *err)
{
	size_t n = strlen(dir);

	tn_buf_reset(b);
	if (tn_buf_addf(b, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	return TN_OK;
}

/* 1 if name ends in ".PART" for one of the parts. */
static int has_part_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t p;

	for (p = 0; dot && p < NPARTS; p++)
		if (strcmp(dot + 1, tn_templates_parts[p]) == 0)
			return 1;
	return 0;
}

/* Refuses a file in dir whose name is a typo of a template's
 * ("invte.html", "Invite.html"): its author meant it to be used. */
static tn_code check_names(const char *dir, DIR *d, struct tn_err *err)
{
	struct tn_buf all = TN_BUF_INIT, path = TN_BUF_INIT;
	const struct tn_template_file *files;
	struct tn_suggest guess;
	struct dirent *e;
	size_t i, n;
	tn_code rc = TN_OK;

	files = tn_templates_builtin(&n);
	while (rc == TN_OK && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_part_suffix(e->d_name) || builtin_file(e->d_name))
			continue;
		tn_suggest_init(&guess, e->d_name);
		for (i = 0; i < n; i++)
			tn_suggest_offer(&guess, files[i].name);
		if (!guess.best)
			continue;
		if ((rc = path_in(&path, dir, e->d_name, err)) != TN_OK)
			break;
		rc = tn_err_set(err, TN_BADINPUT, "'%s': not a template name (did you"
				" mean '%s'?)", path.data, guess.best);
		for (i = 0; i < n; i++)
			tn_buf_addf(&all, "%s%s", i ? ", " : "", files[i].name);
		tn_err_hint(err, "the templates are %s", all.data);
	}
	tn_buf_free(&all);
	tn_buf_free(&path);
	return rc;
}

/* Compiles the template file kind.part into *l, from dir's file when
 * there is one, else from the built-in file. */
static tn_code load_part(struct loaded *l, const char *dir, const char *kind, size_t p,
			 struct tn_err *err)
{
	const struct tn_template_file *builtin;
	struct tn_buf path = TN_BUF_INIT, text = TN_BUF_INIT;
	char name[64];
	int missing = 1;
	tn_code rc = TN_OK;

	snprintf(name, sizeof(name), "%s.%s", kind, tn_templates_parts[p]);
	if (dir && (rc = path_in(&path, dir, name, err)) == TN_OK)
		rc = read_file(path.data, &text, &missing, err);
	if (rc == TN_OK && !missing) {
		rc = tn_template_compile(text.data, text.len, path.data, part_ctx[p],
					 tn_templates_vars, &l->t, err);
		if (rc == TN_OK && !(l->origin = tn_buf_detach(&path, NULL)))
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
	} else if (rc == TN_OK) {
		if (!(builtin = builtin_file(name))) {
			tn_bug("templates: no built-in %s", name);
			rc = tn_err_set(err, TN_FAIL, "no built-in template %s", name);
		} else {
			rc = tn_template_compile(builtin->data, builtin->len, name,
						 part_ctx[p], tn_templates_vars, &l->t, err);
		}
	}
	tn_buf_free(&path);
	tn_buf_free(&text);
	return rc;
}

tn_code tn_templates_load(const char *dir, struct tn_templates **out,
			  struct tn_err *err)
{
	struct tn_templates *ts;
	DIR *d = NULL;
	size_t k, p;
	tn_code rc = TN_OK;

	*out = NULL;
	if (dir) {
		if (!(d = opendir(dir)))
			return tn_err_set(err, TN_FAIL, "templates directory '%s': cannot open: %s",
					  dir, strerror(errno));
		rc = check_names(dir, d, err);
		closedir(d);
		if (rc != TN_OK)
			return rc;
	}
	if (!(ts = calloc(1, sizeof(*ts))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	for (k = 0; k < NKINDS && rc == TN_OK; k++)
		for (p = 0; p < NPARTS && rc == TN_OK; p++)
			rc = load_part(&ts->part[k][p], dir, tn_templates_kinds[k], p, err);
	for (k = 0; k < NPOSTS && rc == TN_OK; k++)
		rc = load_part(&ts->post[k], dir, tn_templates_posts[k], POST_PART, err);
	if (rc != TN_OK) {
		tn_templates_free(ts);
		return rc;
	}
	*out = ts;
	return TN_OK;
}

/* The indexes of kind and part; 0 when either is unknown. */
static int find_part(const char *kind, const char *part, size_t *k, size_t *p)
{
	for (*k = 0; *k < NKINDS; ++*k)
		if (strcmp(tn_templates_kinds[*k], kind) == 0)
			break;
	for (*p = 0; *p < NPARTS; ++*p)
		if (strcmp(tn_templates_parts[*p], part) == 0)
			break;
	return *k < NKINDS && *p < NPARTS;
}

/* The loaded template kind.part of ts, a message's or a post's; NULL
 * when there is none. */
static const struct loaded *find_loaded(const struct tn_templates *ts, const char *kind,
					const char *part)
{
	size_t k, p;

	if (find_part(kind, part, &k, &p))
		return &ts->part[k][p];
	for (k = 0; k < NPOSTS; k++)
		if (strcmp(tn_templates_posts[k], kind) == 0 &&
		    strcmp(tn_templates_parts[POST_PART], part) == 0)
			return &ts->post[k];
	return NULL;
}

const struct tn_template *tn_templates_get(const struct tn_templates *ts,
					   const char *kind, const char *part)
{
	const struct loaded *l = find_loaded(ts, kind, part);

	return l ? l->t : NULL;
}

const char *tn_templates_origin(const struct tn_templates *ts, const char *kind,
				const char *part)
{
	const struct loaded *l = find_loaded(ts, kind, part);

	return l ? l->origin : NULL;
}

tn_code tn_templates_render(const struct tn_templates *ts, const char *kind,
			    const char *const values[TN_TV_COUNT], struct tn_buf *subject,
			    struct tn_buf *text, struct tn_buf *html, struct tn_err *err)
{
	struct tn_buf *outs[NPARTS] = { subject, text, html };
	size_t k, p;
	tn_code rc = TN_OK;

	if (!find_part(kind, "subject", &k, &p))
		return tn_err_set(err, TN_USAGE, "'%s': no such kind of message", kind);
	for (p = 0; p < NPARTS && rc == TN_OK; p++)
		rc = tn_template_render_values(ts->part[k][p].t, values, outs[p], err);
	return rc;
}

/* mkdir -p dir. */
static tn_code make_dirs(const char *dir, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	struct stat st;
	size_t i;
	tn_code rc = TN_OK;

	if (tn_buf_add(&b, dir) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	for (i = 1; i <= b.len && rc == TN_OK; i++) {
		if (i < b.len && b.data[i] != '/')
			continue;
		b.data[i] = '\0';
		if (mkdir(b.data, 0777) != 0 && errno != EEXIST)
			rc = tn_err_set(err, TN_IO, "'%s': cannot create directory: %s",
					b.data, strerror(errno));
		if (i < b.len)
			b.data[i] = '/';
	}
	if (rc == TN_OK && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		rc = tn_err_set(err, TN_IO, "'%s': not a directory", dir);
	tn_buf_free(&b);
	return rc;
}

tn_code tn_templates_export(const char *dir, int force,
			    void (*wrote)(void *ctx, const char *path), void *ctx,
			    struct tn_err *err)
{
	const struct tn_template_file *files;
	struct tn_buf path = TN_BUF_INIT;
	struct stat st;
	size_t i, n, pass;
	tn_code rc;

	if (!dir || !*dir)
		return tn_err_field(err, TN_USAGE, "dir", "empty directory name");
	if ((rc = make_dirs(dir, err)) != TN_OK)
		return rc;
	files = tn_templates_builtin(&n);
	/* pass 0 looks for files in the way, so a refusal writes nothing */
	for (pass = force ? 1 : 0; pass < 2 && rc == TN_OK; pass++) {
		for (i = 0; i < n && rc == TN_OK; i++) {
			if ((rc = path_in(&path, dir, files[i].name, err)) != TN_OK)
				break;
			if (pass == 0 && lstat(path.data, &st) == 0) {
				rc = tn_err_set(err, TN_EXISTS, "'%s': already exists", path.data);
				tn_err_hint(err, "give {force} to replace the files in '%s'", dir);
			} else if (pass == 1) {
				rc = tn_file_write_atomic(path.data, files[i].data, files[i].len,
							  err);
				if (rc == TN_OK && wrote)
					wrote(ctx, path.data);
			}
		}
	}
	tn_buf_free(&path);
	return rc;
}

const char *tn_templates_dir(const struct tn_settings *s, const char *flag_value)
{
	if (flag_value)
		return *flag_value ? flag_value : NULL;
	return s && s->templates && *s->templates ? s->templates : NULL;
}

tn_code tn_templates_check_dir(const char *dir, char **abs, struct tn_err *err)
{
	struct tn_templates *ts;
	struct stat st;
	tn_code rc;

	*abs = NULL;
	if (stat(dir, &st) != 0)
		return tn_err_set(err, TN_USAGE, "'%s': %s", dir,
				  errno == ENOENT ? "no such directory" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return tn_err_set(err, TN_USAGE, "'%s': not a directory", dir);
	if (access(dir, R_OK | X_OK) != 0)
		return tn_err_set(err, TN_USAGE, "'%s': cannot read: %s", dir, strerror(errno));
	rc = tn_templates_load(dir, &ts, err);   /* messages name dir as given */
	tn_templates_free(ts);
	if (rc != TN_OK)
		return rc;
	if (!(*abs = realpath(dir, NULL)))
		return tn_err_set(err, errno == ENOMEM ? TN_NOMEM : TN_USAGE, "'%s': %s",
				  dir, strerror(errno));
	return TN_OK;
}

void tn_templates_event_values(const char **values, const char *org,
			       const struct tn_event *ev, const char *when,
			       const char *event_url)
{
	memset(values, 0, TN_TV_COUNT * sizeof(*values));
	values[TN_TV_ORG] = org;
	values[TN_TV_TITLE] = ev->title;
	values[TN_TV_WHEN] = when;
	values[TN_TV_ZONE] = ev->tz;
	values[TN_TV_VENUE] = ev->venue;
	values[TN_TV_ADDRESS] = ev->address;
	values[TN_TV_DESCRIPTION] = ev->description;
	values[TN_TV_EVENT_URL] = event_url;
}
