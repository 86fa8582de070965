/*
 * cmd/door.c - check-in at the door from the command line: 'checkin'
 * (one scan), 'door' (scanner mode: one scan per line of stdin, as a USB
 * or Bluetooth scanner types it), 'walkin' (registers and admits) and
 * 'checkin list'. Every scan is read and recorded by door.c (tn_checkin,
 * tn_walkin); this file only shows the verdicts: one line, a JSON
 * object, or on a terminal a full-width coloured block.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/door.h"
#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/tz.h"
#include "turnout/unicode.h"

/* Bytes of one line 'door' reads; a longer line is recorded as invalid
 * (no code or ticket URL comes near it) and the rest of it skipped. */
#define DOOR_LINE_MAX 4096

/* ---- a verdict in words --------------------------------------------------- */

/* Where the scans are recorded, and the event's zone for the times shown. */
struct door_view {
	struct tn_door door;
	char tz[64];
};

/* Opens the door of event at gate (NULL: none) and reads the event's time
 * zone. Returns 0, or an exit status after printing why. */
static int view_open(struct cli *c, const char *event, const char *gate,
		     struct door_view *v)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	tn_code rc;

	if ((rc = tn_door_open(c->db, event, gate, &v->door, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((rc = tn_event_find(c->db, v->door.event, &ev, &err)) != TN_OK)
		return cli_fail(&err, rc);
	snprintf(v->tz, sizeof(v->tz), "%s", ev.tz);
	tn_event_clear(&ev);
	return 0;
}

/* Writes the UTC time utc ("YYYY-MM-DDTHH:MM:SSZ") as local time in zone
 * tz, "YYYY-MM-DD HH:MM:SS", into out; the UTC text itself when it cannot
 * be converted. */
static void local_time(const char *tz, const char *utc, char out[21])
{
	int64_t t;
	time_t tt;
	struct tm tm;
	int offset;

	if (tn_tz_utc_parse(utc, &t) != TN_OK ||
	    tn_tz_offset(tz, utc, &offset, NULL) != TN_OK) {
		snprintf(out, 21, "%s", utc);
		return;
	}
	tt = (time_t)(t + offset);
	if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, 21, "%s", utc);
}

/* The verdict as a person reads it: the large word of the terminal block. */
static const char *verdict_word(enum tn_verdict v)
{
	switch (v) {
	case TN_VERDICT_ADMIT: return "ADMIT";
	case TN_VERDICT_DUPLICATE: return "ALREADY IN";
	case TN_VERDICT_INVALID: return "INVALID";
	case TN_VERDICT_WRONG_EVENT: return "WRONG EVENT";
	case TN_VERDICT_REVOKED: return "REVOKED";
	case TN_VERDICT_CANCELLED: return "CANCELLED";
	}
	return "?";
}

/*
 * Appends to b what the verdict of c says beyond its word, made safe for
 * a terminal: the holder and ticket ("Anna Berg, ticket 12"), and for a
 * duplicate when (on the clock of zone tz) and at which gate the ticket
 * was admitted. TN_NOMEM or TN_OK.
 */
static tn_code describe(struct tn_buf *b, const struct tn_checkin *c, const char *tz)
{
	char when[21];
	tn_code rc;

	if (c->verdict == TN_VERDICT_INVALID)
		return tn_buf_add(b, "not a ticket of ours");
	if (c->verdict == TN_VERDICT_WRONG_EVENT)
		return tn_buf_addf(b, "ticket %" PRId64 " is for another event", c->ticket_id);
	rc = tn_esc_term(b, c->name ? c->name : "(no name)");
	if (rc == TN_OK && c->ticket_id)
		rc = tn_buf_addf(b, ", ticket %" PRId64, c->ticket_id);
	if (rc == TN_OK && c->walkin)
		rc = tn_buf_add(b, ", walk-in");
	if (rc == TN_OK && c->verdict == TN_VERDICT_CANCELLED)
		rc = tn_buf_add(b, "; the event is cancelled");
	if (rc == TN_OK && c->verdict == TN_VERDICT_DUPLICATE) {
		local_time(tz, c->admitted_at, when);
		rc = tn_buf_addf(b, "; in since %s", when);
		if (rc == TN_OK && c->admitted_gate[0]) {
			rc = tn_buf_add(b, " at gate '");
			if (rc == TN_OK)
				rc = tn_esc_term(b, c->admitted_gate);
			if (rc == TN_OK)
				rc = tn_buf_add(b, "'");
		}
	}
	return rc;
}

/* Prints the verdict of one scan for 'checkin' and 'walkin': one line
 * "verdict: what it says", or with json the verdict object. Returns the
 * exit status: 0 for admit only, 1 for every other verdict. */
static int print_verdict(const struct tn_checkin *c, const char *tz, int json)
{
	struct tn_buf b = TN_BUF_INIT;
	int status = c->verdict == TN_VERDICT_ADMIT ? EXIT_OK : EXIT_FAILED;

	if (json) {
		int st = cli_print_json(tn_checkin_json(c));
		return st ? st : status;
	}
	if (describe(&b, c, tz) != TN_OK) {
		tn_buf_free(&b);
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	printf("%s: %s\n", tn_verdict_name(c->verdict), b.data);
	tn_buf_free(&b);
	return status;
}

/* ---- checkin, walkin ------------------------------------------------------ */

CLI_HANDLER(cmd_checkin)
{
	const char *gate = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("gate", 0, &gate, "NAME", "the gate scanning (gate add)"),
		OPT_BOOL_("json", 0, &json, "print the verdict as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_checkin ci = { 0 };
	struct door_view v;
	char *pos[2];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout checkin EVENT CODE [--gate NAME] [--json]",
			   "Checks in one ticket at EVENT's door and prints the verdict:\n"
			   "admit (with the holder's name), duplicate (already in: since\n"
			   "when, in the event's time zone, and at which gate), invalid,\n"
			   "wrong_event, revoked or cancelled. Every scan is recorded,\n"
			   "whatever its verdict. CODE is a ticket's code or its ticket\n"
			   "page's URL, as a scanner reads them. The exit status is 0 only\n"
			   "for admit, 1 for any other verdict.\n\n"
			   "examples:\n"
			   "  turnout checkin readers-meetup KSB4...\n"
			   "  turnout checkin readers-meetup \"$code\" --gate north --json",
			   2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = view_open(c, pos[0], gate, &v)) != 0)
		return status;
	if ((rc = tn_checkin(c->db, &v.door, pos[1], &ci, &err)) != TN_OK)
		return cli_fail(&err, rc);
	status = print_verdict(&ci, v.tz, json);
	tn_checkin_clear(&ci);
	return status;
}

CLI_HANDLER(cmd_walkin)
{
	const char *gate = NULL, *name = NULL, *email = NULL, *channel = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("name", 0, &name, "NAME", "the person's name (required)"),
		OPT_STRING_("email", 0, &email, "ADDRESS",
			    "their e-mail address: a follower known by it is matched"),
		OPT_STRING_("channel", 0, &channel, "NAME",
			    "the channel the registration counts for"),
		OPT_STRING_("gate", 0, &gate, "NAME", "the gate admitting (gate add)"),
		OPT_BOOL_("json", 0, &json, "print the verdict as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_checkin ci = { 0 };
	struct door_view v;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout walkin EVENT --name NAME [--email ADDRESS] [--channel NAME]\n"
			   "       [--gate NAME] [--json]",
			   "Registers someone who came without a ticket and admits them, in\n"
			   "one step: a yes registration from the walk-in source, a ticket,\n"
			   "and an admitting scan. An address already known (a follower of a\n"
			   "channel) is matched to that person; without --email a new person\n"
			   "is made. Someone already admitted gets the duplicate verdict. A\n"
			   "full or cancelled event is refused, with nothing written. The\n"
			   "exit status is 0 only for admit.\n\n"
			   "examples:\n"
			   "  turnout walkin readers-meetup --name 'Dana Kim'\n"
			   "  turnout walkin readers-meetup --name 'Eve Ma' --email eve@example.org",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = view_open(c, pos[0], gate, &v)) != 0)
		return status;
	rc = tn_walkin(c->db, &v.door, name, email, channel, &ci, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	status = print_verdict(&ci, v.tz, json);
	tn_checkin_clear(&ci);
	return status;
}

/* ---- door: scanner mode --------------------------------------------------- */

/* How 'door' shows each verdict. */
enum door_style {
	STYLE_PLAIN,   /* not a terminal: one tab-separated line */
	STYLE_JSON,    /* --json: one verdict object per line */
	STYLE_BLOCK,   /* a terminal: a full-width block, coloured */
	STYLE_MONO,    /* a terminal with NO_COLOR: the block without colour */
};

struct door_run {
	struct door_view v;
	enum door_style style;
	size_t width;                      /* terminal columns */
	long long admitted, duplicates, refused;
};

/* The terminal's width (TIOCGWINSZ), 80 when it says nothing. */
static size_t screen_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* ANSI SGR colours of each verdict's block: black on green, black on
 * yellow (amber), white on red. */
static const char *verdict_colour(enum tn_verdict v)
{
	switch (v) {
	case TN_VERDICT_ADMIT: return "\033[1;30;42m";
	case TN_VERDICT_DUPLICATE: return "\033[1;30;43m";
	default: return "\033[1;97;41m";
	}
}

/* Appends one line of the block: text (already terminal-safe) centred in
 * width columns, between colour and reset when colour is given. */
static tn_code block_line(struct tn_buf *b, const char *colour, const char *text,
			  size_t width)
{
	size_t w = tn_utf8_width(text, strlen(text));
	size_t left = w < width ? (width - w) / 2 : 0;
	size_t right = w < width ? width - w - left : 0;
	tn_code rc = TN_OK;

	if (colour)
		rc = tn_buf_add(b, colour);
	if (rc == TN_OK)
		rc = tn_buf_addf(b, "%*s%s%*s", (int)left, "", text, (int)right, "");
	if (rc == TN_OK && colour)
		rc = tn_buf_add(b, "\033[0m");
	if (rc == TN_OK)
		rc = tn_buf_add(b, "\n");
	return rc;
}

/* Appends the terminal block of a verdict to b: a blank line, the word
 * spaced out ("A D M I T"), what it says, a blank line; in colour, or
 * between rules of '=' without. A bell comes first for anything but
 * admit, so that staff hear a refusal without looking. */
static tn_code block(struct tn_buf *b, const struct door_run *r,
		     const struct tn_checkin *c)
{
	const char *colour = r->style == STYLE_BLOCK ? verdict_colour(c->verdict) : NULL;
	const char *word = verdict_word(c->verdict);
	struct tn_buf spaced = TN_BUF_INIT, detail = TN_BUF_INIT, rule = TN_BUF_INIT;
	size_t i;
	tn_code rc = TN_OK;

	for (i = 0; word[i] && rc == TN_OK; i++)
		rc = tn_buf_addf(&spaced, i ? " %c" : "%c", word[i]);
	if (rc == TN_OK)
		rc = describe(&detail, c, r->v.tz);
	for (i = 0; i < r->width && rc == TN_OK && !colour; i++)
		rc = tn_buf_add(&rule, "=");
	if (rc == TN_OK && c->verdict != TN_VERDICT_ADMIT)
		rc = tn_buf_add(b, "\a");
	if (rc == TN_OK)
		rc = colour ? block_line(b, colour, "", r->width)
			    : tn_buf_addf(b, "%s\n", rule.data);
	if (rc == TN_OK)
		rc = block_line(b, colour, spaced.data, r->width);
	if (rc == TN_OK)
		rc = block_line(b, colour, detail.data, r->width);
	if (rc == TN_OK)
		rc = colour ? block_line(b, colour, "", r->width)
			    : tn_buf_addf(b, "%s\n", rule.data);
	tn_buf_free(&spaced);
	tn_buf_free(&detail);
	tn_buf_free(&rule);
	return rc;
}

/* Appends the plain line of a verdict: verdict, ticket, name, and for a
 * duplicate when (the event's zone) and at which gate it was admitted,
 * tab-separated; an unknown field is "-". */
static tn_code plain_line(struct tn_buf *b, const struct door_run *r,
			  const struct tn_checkin *c)
{
	char when[21];
	tn_code rc = tn_buf_addf(b, "%s\t", tn_verdict_name(c->verdict));

	if (rc == TN_OK)
		rc = c->ticket_id ? tn_buf_addf(b, "%" PRId64 "\t", c->ticket_id)
				  : tn_buf_add(b, "-\t");
	if (rc == TN_OK)   /* tn_esc_term makes tabs spaces */
		rc = tn_esc_term(b, c->name && c->name[0] ? c->name : "-");
	if (rc == TN_OK && c->verdict == TN_VERDICT_DUPLICATE) {
		local_time(r->v.tz, c->admitted_at, when);
		rc = tn_buf_addf(b, "\t%s\t", when);
		if (rc == TN_OK)
			rc = tn_esc_term(b, c->admitted_gate[0] ? c->admitted_gate : "-");
	}
	if (rc == TN_OK)
		rc = tn_buf_add(b, "\n");
	return rc;
}

/* Shows one verdict in the run's style, counts it, and flushes stdout so
 * that whatever reads the pipe sees it at once. Returns 0 or an exit
 * status after printing why. */
static int show(struct door_run *r, const struct tn_checkin *c)
{
	struct tn_buf b = TN_BUF_INIT;
	cJSON *o;
	char *json;
	tn_code rc;

	if (c->verdict == TN_VERDICT_ADMIT)
		r->admitted++;
	else if (c->verdict == TN_VERDICT_DUPLICATE)
		r->duplicates++;
	else
		r->refused++;
	switch (r->style) {
	case STYLE_JSON:
		o = tn_checkin_json(c);
		json = o ? cJSON_PrintUnformatted(o) : NULL;
		rc = json ? tn_buf_addf(&b, "%s\n", json) : TN_NOMEM;
		cJSON_Delete(o);
		cJSON_free(json);
		break;
	case STYLE_PLAIN:
		rc = plain_line(&b, r, c);
		break;
	default:
		rc = block(&b, r, c);
		break;
	}
	if (rc != TN_OK) {
		tn_buf_free(&b);
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	fwrite(b.data, 1, b.len, stdout);
	tn_buf_free(&b);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("turnout: write error: stdout");
		return EXIT_FAILED;
	}
	return 0;
}

/*
 * Reads one line of f into line (at most DOOR_LINE_MAX bytes kept, any
 * byte, the newline dropped): *len gets its length and *too_long 1 when
 * more was skipped up to the newline. Returns 0 at the end of input with
 * nothing read, else 1.
 */
static int read_line(FILE *f, char *line, size_t *len, int *too_long)
{
	int ch, any = 0;

	*len = 0;
	*too_long = 0;
	while ((ch = getc(f)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (*len < DOOR_LINE_MAX)
			line[(*len)++] = (char)ch;
		else
			*too_long = 1;
	}
	return any;
}

/* 1 if line[0..len) holds only blanks (spaces, tabs, CR): no scan. */
static int blank_line(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return 0;
	return 1;
}

/* Records one line as a scan. A line too long for any code is recorded
 * as an invalid scan of what it began with. */
static tn_code scan_line(struct tn_db *db, const struct tn_door *d, const char *line,
			 size_t len, int too_long, struct tn_checkin *out,
			 struct tn_err *err)
{
	struct tn_checkin_job job;
	tn_code rc;

	memset(&job, 0, sizeof(job));
	job.door = d;
	tn_scan_read(d, line, len, &job.scan);
	if (too_long)
		job.scan.kind = TN_SCAN_UNREADABLE;
	if ((rc = tn_checkin_record(db, &job, 1, err)) == TN_OK)
		*out = job.result;
	return rc;
}

CLI_HANDLER(cmd_door)
{
	const char *gate = NULL, *no_color = getenv("NO_COLOR");
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("gate", 0, &gate, "NAME", "the gate scanning (gate add)"),
		OPT_BOOL_("json", 0, &json, "one JSON verdict object per line"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_checkin ci;
	struct door_run r;
	char *pos[1], *line;
	size_t len;
	int too_long, status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout door EVENT [--gate NAME] [--json]",
			   "Scanner mode: reads ticket codes from stdin, one per line, as a\n"
			   "USB or Bluetooth scanner types them, checks each in at EVENT's\n"
			   "door and shows its verdict. A line may end in CR or Tab, have\n"
			   "spaces around it and a scanner's prefix (]Q1), or be a ticket\n"
			   "page's URL; empty lines are skipped. On a terminal each verdict\n"
			   "fills a full-width block: green ADMIT with the name, amber\n"
			   "ALREADY IN with when and where, red INVALID, WRONG EVENT,\n"
			   "REVOKED or CANCELLED, and a bell for all but admit (no colour\n"
			   "when NO_COLOR is set). Otherwise one line per scan: verdict,\n"
			   "ticket, name and, for a duplicate, when and at which gate it\n"
			   "was admitted, tab-separated, '-' for none. At the end of input\n"
			   "the counts go to stderr, and the exit status is 0.\n\n"
			   "examples:\n"
			   "  turnout door readers-meetup --gate north\n"
			   "  turnout door readers-meetup --json <scans.txt", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	memset(&r, 0, sizeof(r));
	if ((status = view_open(c, pos[0], gate, &r.v)) != 0)
		return status;
	if (json)
		r.style = STYLE_JSON;
	else if (!isatty(STDOUT_FILENO))
		r.style = STYLE_PLAIN;
	else
		r.style = no_color && *no_color ? STYLE_MONO : STYLE_BLOCK;
	if (r.style == STYLE_BLOCK || r.style == STYLE_MONO)
		r.width = screen_width();
	if (!(line = malloc(DOOR_LINE_MAX))) {
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "door of '%s'", r.v.door.event);
		if (r.v.door.gate[0]) {
			struct tn_buf g = TN_BUF_INIT;

			if (tn_esc_term(&g, r.v.door.gate) == TN_OK)
				fprintf(stderr, " at gate '%s'", g.data);
			tn_buf_free(&g);
		}
		fprintf(stderr, ": scan tickets; Ctrl-D ends\n");
	}
	while (read_line(stdin, line, &len, &too_long)) {
		if (!too_long && blank_line(line, len))
			continue;
		rc = scan_line(c->db, &r.v.door, line, len, too_long, &ci, &err);
		if (rc != TN_OK) {
			status = cli_fail(&err, rc);
			break;
		}
		status = show(&r, &ci);
		tn_checkin_clear(&ci);
		if (status)
			break;
	}
	free(line);
	if (!status && ferror(stdin)) {
		perror("turnout: cannot read: stdin");
		status = EXIT_FAILED;
	}
	fprintf(stderr, "%lld admitted, %lld already in, %lld refused\n", r.admitted,
		r.duplicates, r.refused);
	return status;
}

/* ---- checkin list --------------------------------------------------------- */

static const struct cli_column list_columns[] = {
	{ "ID", 1 }, { "VERDICT", 0 }, { "AT", 0 }, { "GATE", 0 }, { "TICKET", 1 },
	{ "NAME", 0 },
};
#define NCOLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static int list_one(void *ctx, const struct tn_checkin *c)
{
	struct cli_listing *list = ctx;
	const char *cells[NCOLUMNS];
	char id[24], ticket[24];
	cJSON *o;

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON) {
		if ((o = tn_checkin_json(c)) && c->verdict == TN_VERDICT_INVALID)
			cJSON_AddStringToObject(o, "input", c->input);
		return cli_listing_json(list, o) != 0;
	}
	snprintf(id, sizeof(id), "%" PRId64, c->id);
	snprintf(ticket, sizeof(ticket), "%" PRId64, c->ticket_id);
	cells[0] = id;
	cells[1] = tn_verdict_name(c->verdict);
	cells[2] = c->at;
	cells[3] = c->gate[0] ? c->gate : NULL;
	cells[4] = c->ticket_id ? ticket : NULL;
	cells[5] = c->name;
	return cli_listing_row(list, cells) != 0;
}

CLI_HANDLER(cmd_checkin_list)
{
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout checkin list EVENT [--format FORMAT] [--limit N]\n"
			   "       [--offset N] [--count]",
			   "Lists every scan recorded at EVENT's door, in the order they\n"
			   "were made: its verdict, when (UTC), the gate, the ticket and the\n"
			   "holder's name. --json adds the walk-in flag, for a duplicate\n"
			   "when and where the ticket was admitted, and for an invalid scan\n"
			   "what was read.\n\n"
			   "examples:\n"
			   "  turnout checkin list readers-meetup\n"
			   "  turnout checkin list readers-meetup --format csv >scans.csv",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, NCOLUMNS)) != 0)
		return status;
	rc = tn_checkin_each(c->db, pos[0], list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no scans yet\n");
	return cli_listing_end(&list);
}
