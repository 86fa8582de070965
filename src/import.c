/*
 * import.c - follower import from CSV (import.h): reading, checking,
 * sorting and merging rows, and deciding what each key writes. It owns no
 * table: person and follower rows are written through person.c's bulk
 * writer (person.h), which holds every statement on those tables. The
 * CSV syntax is csv.c's, what the file is and its encoding recode.c's,
 * the sorting sorter.c's, the channel lookup the caller's.
 *
 * Two passes:
 *   1. read: the header is matched to fields (recognised names, then the
 *      caller's mappings); each record is checked (UTF-8, e-mail, handle,
 *      date) and its normalised cells go to the sorter, keyed by the
 *      address's identity key (rows without one after all others, by
 *      their handle). The sorter keeps them in memory up to a budget
 *      and in sorted runs in temporary files beyond it, so memory stays
 *      flat. Nothing in the database changes yet, so --strict can stop at
 *      the first bad row for free, and a file found not to be UTF-8
 *      halfway leaves nothing behind. No transaction is open yet, so
 *      other commands and other imports go on writing however slowly the
 *      input arrives.
 *   2. write: the transaction begins and takes the write lock
 *      (tn_db_begin_temp, tn_db_lock), and the rows come back
 *      sorted; rows with the same key are merged (a later non-empty cell
 *      wins, the first row's address is kept) and written in batches of
 *      keys. An address without a handle is written in bulk: the batch's
 *      people and their follower rows of this channel are found by
 *      walking the person and follower tables in key order, new people
 *      and new follower rows are inserted with one INSERT ... SELECT each
 *      over the batch (ids assigned in key order), and what changes is
 *      updated row by row (a re-import of the same file writes nothing).
 *      A row that brings an address and a handle links them, row by row:
 *      an e-mail-less person known by that handle takes the address or,
 *      when the address already has a person, is merged into that person
 *      (person.c). Rows with a handle alone are written row by row too.
 * Sorted keys make the B-trees (person's key index, follower's primary
 * key) grow at their right edge, and the lookups walk them in one
 * direction, which is what makes a big import fast; arrival order would
 * land every insert on a random page.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/csv.h"
#include "turnout/import.h"
#include "turnout/person.h"
#include "turnout/recode.h"
#include "turnout/relay.h"
#include "turnout/sorter.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/tz.h"
#include "turnout/unicode.h"

/* The page cache while importing: the rows arrive in key order, so the
 * B-trees are read and written near a few places at a time; restored
 * after. */
#define IMPORT_CACHE_KIB 16384
/* The rows held in memory, sorted, before they go to runs on disk: a
 * million rows of a usual export take some 70 MB, and with the cache and
 * the rest the process peaks at about 120 MB whatever the file's size. */
#define IMPORT_MEMORY    ((size_t)80 << 20)
#define PROGRESS_EVERY   4096
#define QUOTE_MAX        80       /* bytes of a bad value quoted back */

/* The fields a row is read into (import.h's tn_import_field). */
enum {
	COL_EMAIL = TN_FIELD_EMAIL, COL_HANDLE = TN_FIELD_HANDLE,
	COL_NAME = TN_FIELD_NAME, COL_FIRST = TN_FIELD_FIRST_NAME,
	COL_LAST = TN_FIELD_LAST_NAME, COL_REGION = TN_FIELD_REGION,
	COL_FOLLOWED = TN_FIELD_FOLLOWED_AT, COL_USER_ID = TN_FIELD_USER_ID,
	NCOLS
};

/* A zone's offset by local day (zone_date): 16384 days are 44 years. */
#define ZONE_DAYS 16384
struct zone_days {
	long long day[ZONE_DAYS];         /* the day + 1 a slot holds; 0: empty */
	int offset[ZONE_DAYS];            /* seconds east of UTC that day */
	unsigned char changes[ZONE_DAYS]; /* the clocks change that day */
};

/* Merged cells of one key: handle, name, region, followed_at. */
enum { V_HANDLE, V_NAME, V_REGION, V_FOLLOWED, NVALS };

/* One key's rows merged: the strings live in the batch (below). */
struct group {
	const char *key;          /* an address's identity key, or a handle's
				   * lower-cased form */
	const char *email;        /* the address as its first row wrote it */
	const char *val[NVALS];   /* a later row's non-empty cell wins; NULL:
				   * no row gave one */
	long long rows;
};

/* Sorted groups written together: per row for handles, else in bulk
 * (tn_person_row). While a batch fills, its strings grow in text and the
 * groups hold offsets into it (SLOT_NONE: no value). */
#define SLOT_NONE ((size_t)-1)
struct slot {
	size_t key, klen, email, val[NVALS];
	long long rows;
};
struct batch {
	int by_email;
	struct tn_buf text;
	struct slot *slot;
	struct group *group;
	struct tn_person_row *row;        /* the bulk rows, in key order */
	struct tn_person_row **list;      /* rows for one bulk call */
	size_t n, cap;
};

struct importer {
	struct tn_db *db;
	int64_t channel_id;
	const char *kind;
	const char *source;
	const char *zone;         /* of local date-times; NULL: UTC */
	char zone_name[64];
	struct zone_days *zone_days;  /* when zone is set */
	int delimiter;            /* for csv.c, or TN_CSV_DETECT */
	struct tn_recode *input;  /* the file's bytes as UTF-8 */
	int utf8_seen;            /* valid UTF-8 beyond ASCII (or a BOM) read */
	const struct tn_import_opts *opts;
	struct tn_import_stats *stats;
	int col[NCOLS];           /* the column of each field, or -1 */
	int alt[NCOLS];           /* read where col's cell is empty, or -1 */
	struct tn_sorter *rows;   /* the checked rows, by kind and key */
	struct tn_person_writer *writer;   /* every write to person and follower */
	int person_existed;       /* the last e-mail key found a person */
	struct tn_buf email;      /* the normalised e-mail of the current row */
	struct tn_buf handle;     /* the normalised handle of the current row */
	struct tn_buf reason;     /* why the current row is rejected */
	struct tn_buf scratch;
	struct tn_buf joined;     /* first_name and last_name joined */
	struct tn_buf key;        /* the current row's sort key */
	struct tn_buf record;     /* the current row's cells, encoded */
	struct group group;       /* the group being written row by row */
	struct batch batch[2];   /* one written while the other fills */
	unsigned cpus;            /* processors it may use: with two, each pass
				   * runs on two threads (relay.h) */
	unsigned long long staged, written;
	unsigned long long staged_handles;   /* staged rows with a handle */
};

/* ---- field rules ----------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims blanks around s[0..*len); returns the new start. */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	*len = n;
	return s;
}

static int two_digits(const char *s, int max)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return 0;
	return (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil / civil_from_days). */
static long long days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Writes YYYY-MM-DD (0 <= y <= 9999) without printf's size guesses. */
static void put_date(char out[11], int y, int m, int d)
{
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static void civil_from_days(long long z, char out[11])
{
	long long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	put_date(out, (int)y, (int)m, (int)d);
}

/* The UTC date of the local date out (YYYY-MM-DD, valid) at minute
 * minutes past midnight, offset minutes east of UTC: out moves a day at
 * most. */
static void shift_to_utc(char out[11], int minutes, int offset)
{
	int m = minutes - offset;

	if (m >= 0 && m < 24 * 60)
		return;
	civil_from_days(days_from_civil(atoi(out), atoi(out + 5), atoi(out + 8)) +
			(m < 0 ? -1 : 1), out);
}

/* Floor division by a positive d, for instants before 1970. */
static long long floor_div(long long n, long long d)
{
	return n >= 0 ? n / d : -((-n + d - 1) / d);
}

/* The offset (seconds east of UTC) of zone at a local time, minute
 * minutes into day (days since 1970): -1 if libical cannot tell. A time
 * the clocks skip takes the offset in force before the change, as RFC
 * 5545 (3.3.5) reads such a time. */
static int local_offset(const char *zone, long long day, int minute, int *off)
{
	char local[17], utc[21];
	int64_t wall = day * 86400 + minute * 60, u;

	civil_from_days(day, local);
	local[10] = ' ';
	local[11] = (char)('0' + minute / 600);
	local[12] = (char)('0' + minute / 60 % 10);
	local[13] = ':';
	local[14] = (char)('0' + minute % 60 / 10);
	local[15] = (char)('0' + minute % 10);
	local[16] = '\0';
	if (tn_tz_to_utc(zone, local, utc, NULL, NULL) == TN_OK &&
	    tn_tz_utc_parse(utc, &u) == TN_OK) {
		*off = (int)(wall - u);
		return 0;
	}
	tn_tz_utc_format(wall - 12 * 3600, utc);
	return tn_tz_offset(zone, utc, off, NULL) == TN_OK ? 0 : -1;
}

/* Writes into out (holding the local date) the UTC date of the local
 * time minute minutes into that date in zone. days, if not NULL, keeps
 * each day's offset, so a file of local times asks libical twice per
 * day it mentions rather than once per row: a day whose first and last
 * minute have one offset has no change of clocks in it. */
static tn_code zone_date(const char *zone, struct zone_days *days, char out[11],
			 int minute)
{
	long long day = days_from_civil(atoi(out), atoi(out + 5), atoi(out + 8));
	int off = 0, last = 0;

	if (days) {
		size_t i = (size_t)((unsigned long long)day % ZONE_DAYS);

		if (days->day[i] != day + 1) {
			days->day[i] = day + 1;
			days->changes[i] = local_offset(zone, day, 0, &off) != 0 ||
					   local_offset(zone, day, 24 * 60 - 1, &last) != 0 ||
					   off != last;
			days->offset[i] = off;
		}
		if (!days->changes[i]) {
			off = days->offset[i];
			goto found;
		}
	}
	if (local_offset(zone, day, minute, &off) != 0)
		return TN_BADINPUT;
found:
	civil_from_days(floor_div(day * 86400 + minute * 60 - off, 86400), out);
	return TN_OK;
}

/* tn_import_date, with a cache of the zone's offsets (or NULL). */
static tn_code parse_date(const char *in, const char *zone,
			  struct zone_days *days, char out[11])
{
	size_t len = strlen(in), i;
	const char *p;
	int minutes;

	/* Unix time: seconds (10 digits) or milliseconds (13 digits) */
	if (len == 10 || len == 13) {
		long long t = 0;

		for (i = 0; i < len && isdigit((unsigned char)in[i]); i++)
			t = t * 10 + (in[i] - '0');
		if (i == len) {
			if (len == 13)
				t /= 1000;
			civil_from_days(t / 86400, out);
			return TN_OK;
		}
	}
	if (len < 10)
		return TN_BADINPUT;
	memcpy(out, in, 10);
	out[10] = '\0';
	if (!tn_date_valid(out))
		return TN_BADINPUT;
	if (len == 10)
		return TN_OK;
	/* a time: T (or t, or a space) hh:mm[:ss[.frac]], then Z or +hh:mm /
	 * -hh:mm (RFC 3339), or nothing: a local time, in zone (UTC if NULL) */
	p = in + 10;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return TN_BADINPUT;
	p++;
	if (strlen(p) < 5 || !two_digits(p, 23) || p[2] != ':' || !two_digits(p + 3, 59))
		return TN_BADINPUT;
	minutes = ((p[0] - '0') * 10 + (p[1] - '0')) * 60 + (p[3] - '0') * 10 + (p[4] - '0');
	p += 5;
	if (*p == ':') {
		if (!two_digits(p + 1, 60))
			return TN_BADINPUT;
		p += 3;
		if (*p == '.') {
			if (!isdigit((unsigned char)p[1]))
				return TN_BADINPUT;
			for (p++; isdigit((unsigned char)*p); p++)
				;
		}
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return TN_OK;
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && two_digits(p + 1, 23) &&
	    p[3] == ':' && two_digits(p + 4, 59)) {
		int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 60 + (p[4] - '0') * 10 +
			  (p[5] - '0');
		shift_to_utc(out, minutes, *p == '-' ? -off : off);
		return TN_OK;
	}
	if (*p != '\0')
		return TN_BADINPUT;
	/* the seconds cannot move the date: offsets are whole minutes */
	if (zone)
		return zone_date(zone, days, out, minutes);
	return TN_OK;
}

tn_code tn_import_date(const char *in, const char *zone, char out[11])
{
	return parse_date(in, zone, NULL, out);
}

/* A header word lower-cased with blanks, '-' and '_' left out, so
 * "E-Mail", "e_mail" and "Followed At" read "email" and "followedat";
 * "" if it does not fit in word. */
static void header_word(const char *h, size_t len, char *word, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c == ' ' || c == '\t' || c == '-' || c == '_' || c == '\r' || c == '\n')
			continue;
		if (n + 1 >= size) {
			n = 0;
			break;
		}
		word[n++] = (char)tolower(c);
	}
	word[n] = '\0';
}

enum tn_import_field tn_import_header(const char *name, size_t len,
				      const char *channel_kind, int *fallback)
{
	static const struct { const char *word; int field, fallback; } words[] = {
		{ "email", TN_FIELD_EMAIL, 0 }, { "emailaddress", TN_FIELD_EMAIL, 0 },
		{ "mail", TN_FIELD_EMAIL, 0 },
		{ "handle", TN_FIELD_HANDLE, 0 }, { "username", TN_FIELD_HANDLE, 0 },
		{ "accountaddress", TN_FIELD_HANDLE, 0 },          /* Mastodon */
		{ "name", TN_FIELD_NAME, 0 }, { "fullname", TN_FIELD_NAME, 0 },
		{ "displayname", TN_FIELD_NAME, 0 },
		{ "firstname", TN_FIELD_FIRST_NAME, 0 },
		{ "lastname", TN_FIELD_LAST_NAME, 0 },
		{ "region", TN_FIELD_REGION, 0 }, { "city", TN_FIELD_REGION, 0 },
		{ "followedat", TN_FIELD_FOLLOWED_AT, 0 },
		{ "subscribedat", TN_FIELD_FOLLOWED_AT, 0 },       /* Substack */
		{ "createdat", TN_FIELD_FOLLOWED_AT, 0 },
		{ "joinedat", TN_FIELD_FOLLOWED_AT, 0 },           /* Telegram */
		/* Mailchimp: the double opt-in's confirmation, else the opt-in */
		{ "confirmtime", TN_FIELD_FOLLOWED_AT, 0 },
		{ "optintime", TN_FIELD_FOLLOWED_AT, 1 },
	};
	char word[32];
	size_t i;

	*fallback = 0;
	header_word(name, len, word, sizeof(word));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(word, words[i].word) == 0) {
			*fallback = words[i].fallback;
			return (enum tn_import_field)words[i].field;
		}
	/* Telegram's numeric account id; another platform's id (a
	 * newsletter's subscriber number) says nothing about a person. */
	if (strcmp(word, "userid") == 0 && channel_kind &&
	    strcmp(channel_kind, "telegram") == 0)
		return TN_FIELD_USER_ID;
	return TN_FIELD_NONE;
}

enum tn_import_field tn_import_field_named(const char *name)
{
	static const char *const fields[] = {
		[TN_FIELD_EMAIL] = "email", [TN_FIELD_HANDLE] = "handle",
		[TN_FIELD_NAME] = "name", [TN_FIELD_FIRST_NAME] = "firstname",
		[TN_FIELD_LAST_NAME] = "lastname", [TN_FIELD_REGION] = "region",
		[TN_FIELD_FOLLOWED_AT] = "followedat", [TN_FIELD_USER_ID] = "userid",
		[TN_FIELD_IGNORE] = "ignore",
	};
	char word[32];
	size_t i;

	header_word(name, strlen(name), word, sizeof(word));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(word, fields[i]) == 0)
			return (enum tn_import_field)i;
	return TN_FIELD_NONE;
}

void tn_import_stats_free(struct tn_import_stats *stats)
{
	size_t i;

	for (i = 0; i < stats->nignored; i++)
		free(stats->ignored[i].name);
	free(stats->ignored);
	stats->ignored = NULL;
	stats->nignored = 0;
}

/* Appends at most QUOTE_MAX bytes of s, cut at a character boundary. */
static void quote_value(struct tn_buf *b, const char *s, size_t len)
{
	size_t n = len;

	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	tn_buf_addn(b, s, n);
	if (n < len)
		tn_buf_add(b, "...");
}

/* Stored names and places are NFC, so a decomposed "München" (u +
 * U+0308) from one file and a composed one from another are one text;
 * *cell is pointed at the normalised copy in b. */
static tn_code to_nfc(struct tn_buf *b, const char **cell, size_t *len)
{
	size_t i;

	/* ASCII is its own NFC: no copy */
	for (i = 0; i < *len && (unsigned char)(*cell)[i] < 0x80; i++)
		;
	if (i == *len)
		return TN_OK;
	tn_buf_reset(b);
	if (tn_utf8_nfc(*cell, *len, b) != TN_OK)
		return TN_NOMEM;
	*cell = b->data;
	*len = b->len;
	return TN_OK;
}

/* A region (a city) is one of a few hundred values however long the
 * file: the NFC of each one beyond ASCII is worked out once and kept in a
 * small table, by the text's hash, for the rows that repeat it. Names
 * repeat far less and are normalised every time. */
#define MEMO_SLOTS 256
#define MEMO_TEXT  64       /* longer texts are not kept */
struct nfc_memo {
	struct {
		unsigned char len, nfc_len;    /* len 0: empty slot */
		char text[MEMO_TEXT], nfc[MEMO_TEXT];
	} slot[MEMO_SLOTS];
};

static tn_code to_nfc_place(struct nfc_memo *places, struct tn_buf *b, const char **cell,
			    size_t *len)
{
	const char *text = *cell;
	size_t n = *len, i;
	uint32_t h = 2166136261u;   /* FNV-1a */
	tn_code rc;

	for (i = 0; i < n && (unsigned char)text[i] < 0x80; i++)
		;
	if (i == n || n >= MEMO_TEXT)   /* ASCII is its own NFC */
		return to_nfc(b, cell, len);
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)text[i]) * 16777619u;
	h %= MEMO_SLOTS;
	if (places->slot[h].len == n && memcmp(places->slot[h].text, text, n) == 0) {
		*cell = places->slot[h].nfc;
		*len = places->slot[h].nfc_len;
		return TN_OK;
	}
	if ((rc = to_nfc(b, cell, len)) != TN_OK || *len >= MEMO_TEXT)
		return rc;
	memcpy(places->slot[h].text, text, n);
	places->slot[h].len = (unsigned char)n;
	memcpy(places->slot[h].nfc, *cell, *len);
	places->slot[h].nfc_len = (unsigned char)*len;
	return TN_OK;
}

/* ---- the staged record ----------------------------------------------- */

/* A staged row is a sorter record. Its key is 'e' and the address's
 * identity key, or 'h' and the handle lower-cased (ASCII, as NOCASE),
 * so rows with an address come first, and rows of one person are
 * together in the order of the file. Its data are five cells, each a
 * LEB128 length and the bytes: the address as written (empty when it is
 * its key), the handle, the name, the region, and followed_at as a
 * number (0 for none, else days since 0000-03-01 plus 1), which keeps
 * a million rows some megabytes smaller. */
#define KIND_EMAIL  'e'
#define KIND_HANDLE 'h'
#define DAY_ZERO    719469   /* days_from_civil(0, 3, 1) is -719468 */

/* Writes a LEB128 number at p; returns the end. */
static unsigned char *put_len(unsigned char *p, unsigned long long x)
{
	while (x >= 0x80) {
		*p++ = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	*p++ = (unsigned char)x;
	return p;
}

static unsigned char *put_cell(unsigned char *p, const char *s, size_t len)
{
	p = put_len(p, len);
	if (len)
		memcpy(p, s, len);
	return p + len;
}

static unsigned long long get_len(const unsigned char **p)
{
	unsigned long long x = 0;
	unsigned shift = 0;

	while (**p & 0x80) {
		x |= (unsigned long long)(*(*p)++ & 0x7F) << shift;
		shift += 7;
	}
	x |= (unsigned long long)(*(*p)++) << shift;
	return x;
}

/* Reads a cell (length and bytes) at *p, moving *p past it. */
static size_t get_cell(const unsigned char **p, const char **s)
{
	size_t len = (size_t)get_len(p);

	*s = (const char *)*p;
	*p += len;
	return len;
}

/* The followed_at cell of a valid date YYYY-MM-DD (or NULL): its day
 * number, coded as a cell's length is. */
static unsigned char *put_date_cell(unsigned char *p, const char *date)
{
	unsigned long long x = 0;

	if (date)
		x = (unsigned long long)(days_from_civil(
			(date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
			(date[3] - '0'), (date[5] - '0') * 10 + (date[6] - '0'),
			(date[8] - '0') * 10 + (date[9] - '0')) + DAY_ZERO);
	return put_len(p, x);
}


/* ---- pass 1: read and stage ----------------------------------------- */

static tn_code reject(struct importer *im, long long line, struct tn_err *err)
{
	if (im->opts && im->opts->strict)
		return tn_err_set(err, TN_BADINPUT, "%s:%lld: %s", im->source, line,
				  im->reason.data);
	im->stats->rejected++;
	if (im->opts && im->opts->on_reject)
		im->opts->on_reject(im->opts->ctx, line, im->reason.data);
	return TN_OK;
}

/* A date that is no date: the row is imported without it, with a
 * warning; in strict mode it stops the import as a bad row does. */
static tn_code bad_date(struct importer *im, long long line, const char *cell,
			size_t len, struct tn_err *err)
{
	tn_buf_reset(&im->reason);
	tn_buf_add(&im->reason, "column 'followed_at': bad date '");
	quote_value(&im->reason, cell, len);
	tn_buf_add(&im->reason, "'");
	if (im->opts && im->opts->strict) {
		tn_err_set(err, TN_BADINPUT, "%s:%lld: %s", im->source, line,
			   im->reason.data);
		tn_err_hint(err, "dates are YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (in UTC, or "
			    "the zone {tz} gives), RFC 3339 with an offset, or Unix "
			    "time in seconds or milliseconds");
		return TN_BADINPUT;
	}
	tn_buf_add(&im->reason, ", imported without it (dates are "
		   TN_IMPORT_DATE_FORMS ")");
	im->stats->warned++;
	if (im->opts && im->opts->on_warning)
		im->opts->on_warning(im->opts->ctx, line, im->reason.data);
	return TN_OK;
}

/* A file whose first text beyond ASCII is not UTF-8 is in another
 * encoding (Latin-1 and Windows-1251 text never reads as UTF-8): it is
 * refused whole rather than row by row. Once UTF-8 was seen (or a UTF-8
 * byte order mark), a bad row is one broken row. */
static tn_code not_utf8(struct importer *im, long long line, const char *f,
			size_t len, struct tn_err *err)
{
	const char *p = f, *end = f + len;
	unsigned char bad = 0;

	while (p < end) {
		const char *at = p;

		if ((unsigned char)*p < 0x80) {
			p++;
		} else if (tn_utf8_next(&p, end) < 0) {
			bad = (unsigned char)*at;
			break;
		}
	}
	tn_err_set(err, TN_BADINPUT, "%s:%lld: not UTF-8 (byte 0x%02X)", im->source,
		   line, bad);
	tn_err_hint(err, "if it is Latin-1 or Windows-1251, give {encoding} latin1 "
		    "or {encoding} windows-1251");
	return TN_BADINPUT;
}

/* 1 if header cells a and b are one name: ASCII case, blanks, '-' and
 * '_' aside (as header_word compares them). */
static int same_header(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	for (;;) {
		while (a < ae && strchr(" \t-_\r\n", *a) && *a)
			a++;
		while (b < be && strchr(" \t-_\r\n", *b) && *b)
			b++;
		if (a == ae || b == be)
			return a == ae && b == be;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

/* Checks the mappings ("Column Name=field") before anything is read. */
static tn_code check_map(const struct tn_import_opts *opts, struct tn_err *err)
{
	size_t i;

	for (i = 0; opts && i < opts->nmap; i++) {
		const char *m = opts->map[i], *eq = strrchr(m, '=');

		if (!eq || eq == m) {
			tn_err_field(err, TN_USAGE, "map", "'%s': not COLUMN=FIELD", m);
			tn_err_hint(err, "name a column of the header and what it holds: "
				    "'Signed up=followed_at'");
			return TN_USAGE;
		}
		if (tn_import_field_named(eq + 1) == TN_FIELD_NONE) {
			tn_err_field(err, TN_USAGE, "map", "'%s': unknown field '%s'", m,
				     eq + 1);
			tn_err_hint(err, "fields: " TN_IMPORT_FIELDS);
			return TN_USAGE;
		}
	}
	return TN_OK;
}

/* The separator the delimiter option names (TN_CSV_DETECT for none). */
static tn_code check_delimiter(const struct tn_import_opts *opts, int *delim,
			       struct tn_err *err)
{
	const char *d = opts ? opts->delimiter : NULL;

	*delim = TN_CSV_DETECT;
	if (!d)
		return TN_OK;
	if (strcmp(d, "tab") == 0 || strcmp(d, "\t") == 0)
		*delim = '\t';
	else if (strcmp(d, ",") == 0 || strcmp(d, ";") == 0 || strcmp(d, "|") == 0)
		*delim = d[0];
	else {
		tn_err_field(err, TN_USAGE, "delimiter", "'%s': not a separator", d);
		tn_err_hint(err, "give ',', ';', '|' or 'tab'");
		return TN_USAGE;
	}
	return TN_OK;
}

/* What header cell f holds: the first mapping that names it, else its
 * recognised name. *rank orders the columns of one field: -1 mapped, 0
 * named, 1 a fallback name; *mapped is the mapping's index or -1. */
static int classify(struct importer *im, const char *f, size_t len, int *rank,
		    int *mapped)
{
	const struct tn_import_opts *o = im->opts;
	size_t i;
	int fallback;
	enum tn_import_field field;

	*mapped = -1;
	for (i = 0; o && i < o->nmap; i++) {
		const char *eq = strrchr(o->map[i], '=');

		if (same_header(o->map[i], (size_t)(eq - o->map[i]), f, len)) {
			*mapped = (int)i;
			*rank = -1;
			return tn_import_field_named(eq + 1);
		}
	}
	field = tn_import_header(f, len, im->kind, &fallback);
	*rank = fallback;
	return field;
}

/* Lists column i (named f) among the ignored ones, its name cut as
 * quote_value cuts. */
static tn_code note_ignored(struct importer *im, size_t i, const char *f,
			    size_t len)
{
	struct tn_import_stats *st = im->stats;
	struct tn_import_column *grown;
	size_t n = len;
	char *name;

	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)f[n] & 0xC0) == 0x80)
			n--;
	}
	if (!(name = malloc(n + 4)))
		return TN_NOMEM;
	memcpy(name, f, n);
	strcpy(name + n, n < len ? "..." : "");
	grown = realloc(st->ignored, (st->nignored + 1) * sizeof(*grown));
	if (!grown) {
		free(name);
		return TN_NOMEM;
	}
	st->ignored = grown;
	grown[st->nignored].name = name;
	grown[st->nignored].index = (int)i + 1;
	st->nignored++;
	return TN_OK;
}

static tn_code read_header(struct importer *im, struct tn_csv *r,
			   struct tn_err *err)
{
	int got, c, rank, best[NCOLS], mapped, *hit = NULL;
	size_t i, len, nmap = im->opts ? im->opts->nmap : 0;
	const char *f;
	tn_code rc;

	for (c = 0; c < NCOLS; c++) {
		im->col[c] = im->alt[c] = -1;
		best[c] = 2;
	}
	rc = tn_csv_next(r, &got, err);
	if (rc != TN_OK) {
		char why[256];   /* err->msg is rewritten below: copy it first */

		snprintf(why, sizeof(why), "%s", err->msg);
		if (rc == TN_BADINPUT)
			return tn_err_set(err, rc, "%s:%lld: header: %s", im->source,
					  tn_csv_line(r), why);
		return tn_err_set(err, rc, "%s: %s", im->source, why);
	}
	if (!got)
		return tn_err_set(err, TN_BADINPUT, "%s: empty file (no header row)",
				  im->source);
	for (i = 0; i < tn_csv_count(r); i++) {
		int high = 0;

		f = tn_csv_field(r, i, &len);
		if (!tn_utf8_valid_high(f, len, &high))
			return not_utf8(im, tn_csv_line(r), f, len, err);
		im->utf8_seen |= high;
	}
	if (nmap && !(hit = calloc(nmap, sizeof(*hit))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	/* each field's column: the best rank, the first of equals */
	for (i = 0; i < tn_csv_count(r); i++) {
		f = tn_csv_field(r, i, &len);
		c = classify(im, f, len, &rank, &mapped);
		if (mapped >= 0)
			hit[mapped] = 1;
		if (c >= 0 && c < NCOLS && rank < best[c]) {
			im->col[c] = (int)i;
			best[c] = rank;
		}
	}
	/* the rest: a fallback column, or ignored (and said so) */
	for (i = 0; i < tn_csv_count(r) && rc == TN_OK; i++) {
		f = tn_csv_field(r, i, &len);
		c = classify(im, f, len, &rank, &mapped);
		if (c == TN_FIELD_IGNORE || (c >= 0 && im->col[c] == (int)i))
			continue;
		if (c >= 0 && rank == 1 && best[c] < 1 && im->alt[c] < 0)
			im->alt[c] = (int)i;
		else if (note_ignored(im, i, f, len) != TN_OK)
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
	}
	for (i = 0; i < nmap && rc == TN_OK; i++)
		if (!hit[i]) {
			const char *m = im->opts->map[i];

			tn_err_field(err, TN_BADINPUT, "map", "%s:%lld: no column '%.*s' in "
				     "the header", im->source, tn_csv_line(r),
				     (int)(strrchr(m, '=') - m), m);
			rc = TN_BADINPUT;
		}
	free(hit);
	if (rc != TN_OK)
		return rc;
	if (im->col[COL_EMAIL] < 0 && im->col[COL_HANDLE] < 0 && im->col[COL_USER_ID] < 0) {
		tn_err_set(err, TN_BADINPUT,
			   "%s:%lld: header has neither an 'email' nor a 'handle' column",
			   im->source, tn_csv_line(r));
		tn_err_hint(err, "recognised columns: email (e-mail, email address), "
			    "handle (username, account address), name (or first_name and "
			    "last_name), region (city), followed_at; name others with "
			    "{map} 'Column=field'");
		return TN_BADINPUT;
	}
	return TN_OK;
}

/* A sorter's failure in the import's words: writing or reading a run
 * file (TN_IO) is the temporary directory's fault. */
static tn_code sort_failed(struct importer *im, tn_code rc, struct tn_err *err)
{
	if (rc != TN_IO)
		return rc;
	tn_err_prefix(err, rc, "%s: cannot sort the rows", im->source);
	tn_err_hint(err, "the rows that do not fit in memory are sorted in files in $TMPDIR"
		    " (else /tmp): point TMPDIR at a directory with room");
	return rc;
}

/* Adds a checked row to the sorter: its key and its cells (the address
 * is kept only where it is not its own key). */
static tn_code stage(struct importer *im, const char *const *cell,
		     const size_t *len, struct tn_err *err)
{
	struct tn_buf *k = &im->key, *d = &im->record;
	int by_email = len[COL_EMAIL] > 0;
	const char *id = by_email ? im->email.data : cell[COL_HANDLE];
	size_t idlen = by_email ? im->email.len : len[COL_HANDLE], i;
	unsigned char *p;

	/* the key: the kind, then the identity key (tn_email_key), or
	 * NOCASE's folding of a handle; both fold ASCII letters only */
	tn_buf_reset(k);
	tn_buf_reset(d);
	if (tn_buf_grow(k, idlen + 1) != TN_OK ||
	    tn_buf_grow(d, 5 * 10 + idlen + len[COL_HANDLE] + len[COL_NAME] + len[COL_REGION])
	    != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	k->data[0] = by_email ? KIND_EMAIL : KIND_HANDLE;
	for (i = 0; i < idlen; i++) {
		unsigned char c = (unsigned char)id[i];

		k->data[i + 1] = (char)(c + ((unsigned char)(c - 'A') < 26) * ('a' - 'A'));
	}
	k->len = idlen + 1;
	k->data[k->len] = '\0';
	p = (unsigned char *)d->data;
	p = by_email && memcmp(k->data + 1, id, idlen) != 0 ? put_cell(p, id, idlen)
							    : put_cell(p, NULL, 0);
	p = put_cell(p, cell[COL_HANDLE], len[COL_HANDLE]);
	p = put_cell(p, cell[COL_NAME], len[COL_NAME]);
	p = put_cell(p, cell[COL_REGION], len[COL_REGION]);
	p = put_date_cell(p, len[COL_FOLLOWED] ? cell[COL_FOLLOWED] : NULL);
	d->len = (size_t)((char *)p - d->data);
	d->data[d->len] = '\0';
	im->staged++;
	im->staged_handles += len[COL_HANDLE] > 0;
	return sort_failed(im, tn_sorter_add(im->rows, k->data, k->len, d->data, d->len, err),
			   err);
}

/* ---- pass 1: records read ahead ------------------------------------ */

/* Records read from the file ahead of their checks, a block at a time:
 * one block fills (block_fill, on the relay's thread when there is a
 * second processor) while the one before is checked. Each field's bytes
 * lie in text, NUL-terminated (they may hold NUL bytes: len tells). A
 * malformed record (csv.c skipped it) has its reason as its one field. */
#define BLOCK_RECORDS 4096
#define BLOCK_TEXT    (1u << 20)
enum flaw { FLAW_NONE, FLAW_UTF8, FLAW_NUL };
struct record {
	long long line;           /* where it starts in the file */
	size_t field, count;      /* its cells: field[field .. field + count) */
	int malformed;
	/* what the reader found already: a cell that is not blank, text
	 * beyond ASCII, and the first cell that is not UTF-8 or holds a NUL
	 * byte (flawed, FLAW_NONE if none) */
	int any, high;
	enum flaw flaw;
	size_t flawed;
};
struct block {
	struct tn_buf text;
	struct record *rec;
	size_t nrec, rcap;
	struct { size_t off, len; } *field;   /* each one's place in text */
	size_t nfield, fcap;
	unsigned long long offset;   /* bytes of the file read when it filled */
};

/* What block_fill reads: the CSV after its header, and through it the
 * importer's input (no other part of the importer). */
struct reader {
	struct importer *im;
	struct tn_csv *csv;
};

static const char *rec_field(const struct block *b, const struct record *rec,
			     size_t i, size_t *len)
{
	*len = b->field[rec->field + i].len;
	return b->text.data + b->field[rec->field + i].off;
}

/* Room in b for one more record of nfield fields and bytes of text. */
static tn_code block_room(struct block *b, size_t nfield, size_t bytes)
{
	if (b->nrec == b->rcap) {
		size_t cap = b->rcap ? 2 * b->rcap : BLOCK_RECORDS;
		struct record *grown = realloc(b->rec, cap * sizeof(*grown));

		if (!grown)
			return TN_NOMEM;
		b->rec = grown;
		b->rcap = cap;
	}
	if (b->nfield + nfield > b->fcap) {
		size_t cap = b->fcap ? 2 * b->fcap : 4 * BLOCK_RECORDS;
		void *grown;

		while (cap < b->nfield + nfield)
			cap *= 2;
		if (!(grown = realloc(b->field, cap * sizeof(*b->field))))
			return TN_NOMEM;
		b->field = grown;
		b->fcap = cap;
	}
	return tn_buf_grow(&b->text, bytes);
}

/* Copies a field into b, which has room for it. */
static void block_field(struct block *b, const char *f, size_t len)
{
	b->field[b->nfield].off = b->text.len;
	b->field[b->nfield++].len = len;
	memcpy(b->text.data + b->text.len, f, len);
	b->text.len += len;
	b->text.data[b->text.len++] = '\0';
}

/* Adds the CSV reader's record to b, or, when it was malformed, a
 * record holding why; the checks of its cells made. */
static tn_code block_record(struct block *b, const struct tn_csv *r, int malformed,
			    const char *why)
{
	size_t count = malformed ? 1 : tn_csv_count(r), bytes = 0, i, len;
	struct record *rec;

	if (malformed)
		bytes = strlen(why) + 1;
	for (i = 0; !malformed && i < count; i++) {
		tn_csv_field(r, i, &len);
		bytes += len + 1;
	}
	if (block_room(b, count, bytes) != TN_OK)
		return TN_NOMEM;
	rec = &b->rec[b->nrec++];
	rec->line = tn_csv_line(r);
	rec->field = b->nfield;
	rec->count = count;
	rec->malformed = malformed;
	rec->any = rec->high = 0;
	rec->flaw = FLAW_NONE;
	if (malformed) {
		block_field(b, why, bytes - 1);
		return TN_OK;
	}
	for (i = 0; i < count; i++) {
		const char *f = tn_csv_field(r, i, &len);
		size_t tl = len;

		block_field(b, f, len);
		if (rec->flaw != FLAW_NONE)
			continue;
		trim(f, &tl);
		rec->any |= tl > 0;
		if (!tn_utf8_valid_high(f, len, &rec->high))
			rec->flaw = FLAW_UTF8;
		else if (memchr(f, '\0', len))
			rec->flaw = FLAW_NUL;
		if (rec->flaw != FLAW_NONE)
			rec->flawed = i;
	}
	return TN_OK;
}

/* The bytes of the file read so far: the file's own, before conversion,
 * so that progress reaches the file's size. */
static unsigned long long read_offset(struct importer *im, struct tn_csv *r)
{
	return tn_recode_converts(im->input) ? tn_recode_offset(im->input)
					     : tn_csv_offset(r);
}

/* Fills a block with the next records of the file (tn_relay_fill). */
static tn_code block_fill(void *ctx, void *buf, int *last, struct tn_err *err)
{
	struct reader *rd = ctx;
	struct block *b = buf;
	tn_code rc = TN_OK;
	int got;

	b->nrec = b->nfield = 0;
	tn_buf_reset(&b->text);
	while (b->nrec < BLOCK_RECORDS && b->text.len < BLOCK_TEXT) {
		rc = tn_csv_next(rd->csv, &got, err);
		if (rc == TN_BADINPUT) {
			rc = block_record(b, rd->csv, 1, err->msg);
		} else if (rc != TN_OK) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err->msg);
			return tn_err_set(err, rc, "%s: %s", rd->im->source, why);
		} else if (!got) {
			*last = 1;
			break;
		} else {
			rc = block_record(b, rd->csv, 0, NULL);
		}
		if (rc != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	b->offset = read_offset(rd->im, rd->csv);
	return TN_OK;
}

static void block_free(struct block *b)
{
	tn_buf_free(&b->text);
	free(b->rec);
	free(b->field);
}

/* Checks one record; stages it or rejects it. */
static tn_code stage_record(struct importer *im, const struct block *b,
			    const struct record *rec, struct tn_err *err)
{
	const char *cell[NCOLS] = { NULL };
	size_t len[NCOLS] = { 0 }, n, i;
	long long line = rec->line;
	char date[11];
	int c;
	struct tn_err why;

	tn_buf_reset(&im->reason);
	if (rec->flaw == FLAW_UTF8) {
		const char *f = rec_field(b, rec, rec->flawed, &n);

		if (!im->utf8_seen)
			return not_utf8(im, line, f, n, err);
		tn_buf_add(&im->reason, "invalid UTF-8");
		return reject(im, line, err);
	}
	if (rec->flaw == FLAW_NUL) {
		tn_buf_add(&im->reason, "NUL byte in a cell");
		return reject(im, line, err);
	}
	im->utf8_seen |= rec->high;
	if (!rec->any)
		return TN_OK;           /* a row of empty cells is a blank line */
	for (c = 0; c < NCOLS; c++) {
		if (im->col[c] < 0 || (size_t)im->col[c] >= rec->count)
			continue;
		cell[c] = rec_field(b, rec, (size_t)im->col[c], &len[c]);
		cell[c] = trim(cell[c], &len[c]);
		if (!len[c] && im->alt[c] >= 0 && (size_t)im->alt[c] < rec->count) {
			cell[c] = rec_field(b, rec, (size_t)im->alt[c], &len[c]);
			cell[c] = trim(cell[c], &len[c]);
		}
	}
	if (!len[COL_NAME] && (len[COL_FIRST] || len[COL_LAST])) {
		/* either column may be missing (NULL): add only what is there */
		tn_buf_reset(&im->joined);
		if ((len[COL_FIRST] &&
		     tn_buf_addn(&im->joined, cell[COL_FIRST], len[COL_FIRST]) != TN_OK) ||
		    (len[COL_FIRST] && len[COL_LAST] &&
		     tn_buf_addch(&im->joined, ' ') != TN_OK) ||
		    (len[COL_LAST] &&
		     tn_buf_addn(&im->joined, cell[COL_LAST], len[COL_LAST]) != TN_OK))
			return tn_err_set(err, TN_NOMEM, "out of memory");
		cell[COL_NAME] = im->joined.data;
		len[COL_NAME] = im->joined.len;
	}
	if (!len[COL_HANDLE] && len[COL_USER_ID]) {
		/* a Telegram account without a username: its number, written
		 * "id:N" so that it is never some user's name */
		for (i = 0; i < len[COL_USER_ID] && isdigit((unsigned char)cell[COL_USER_ID][i]); i++)
			;
		if (i < len[COL_USER_ID]) {
			tn_buf_add(&im->reason, "column 'user_id': not a number ('");
			quote_value(&im->reason, cell[COL_USER_ID], len[COL_USER_ID]);
			tn_buf_add(&im->reason, "')");
			return reject(im, line, err);
		}
		tn_buf_reset(&im->handle);
		tn_buf_add(&im->handle, "id:");
		if (tn_buf_addn(&im->handle, cell[COL_USER_ID], len[COL_USER_ID]) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		cell[COL_HANDLE] = im->handle.data;
		len[COL_HANDLE] = im->handle.len;
	} else if (len[COL_HANDLE]) {
		tn_code hrc = tn_handle_normalize(cell[COL_HANDLE], len[COL_HANDLE],
						  &im->handle, &why);
		if (hrc == TN_NOMEM)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		if (hrc != TN_OK) {
			tn_buf_add(&im->reason, "column 'handle': bad handle '");
			quote_value(&im->reason, cell[COL_HANDLE], len[COL_HANDLE]);
			tn_buf_addf(&im->reason, "' (%s)", why.msg);
			return reject(im, line, err);
		}
		cell[COL_HANDLE] = im->handle.data;
		len[COL_HANDLE] = im->handle.len;
	}
	if (len[COL_EMAIL]) {
		tn_code erc;
		const char *addr = cell[COL_EMAIL];

		/* a cell ends with a NUL unless blanks were trimmed off its end
		 * (it holds none: a record with a NUL byte is rejected) */
		if (addr[len[COL_EMAIL]] != '\0') {
			tn_buf_reset(&im->scratch);
			if (tn_buf_addn(&im->scratch, addr, len[COL_EMAIL]) != TN_OK)
				return tn_err_set(err, TN_NOMEM, "out of memory");
			addr = im->scratch.data;
		}
		erc = tn_email_normalize(addr, &im->email, &why);
		if (erc == TN_NOMEM)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		if (erc != TN_OK) {
			int32_t cp = tn_text_invisible(cell[COL_EMAIL], len[COL_EMAIL]);

			tn_buf_add(&im->reason, "column 'email': not an address ('");
			quote_value(&im->reason, cell[COL_EMAIL], len[COL_EMAIL]);
			tn_buf_add(&im->reason, "'");
			/* the quoted value looks right: say what cannot be seen */
			if (cp)
				tn_buf_addf(&im->reason, " has a %s, U+%04X",
					    cp == 0xA0 ? "no-break space"
						       : "zero-width character",
					    (unsigned)cp);
			tn_buf_add(&im->reason, ")");
			return reject(im, line, err);
		}
	} else if (!len[COL_HANDLE]) {
		tn_buf_add(&im->reason, "row has neither email nor handle");
		return reject(im, line, err);
	}
	if (len[COL_FOLLOWED]) {
		char tmp[48];
		if (len[COL_FOLLOWED] < sizeof(tmp)) {
			memcpy(tmp, cell[COL_FOLLOWED], len[COL_FOLLOWED]);
			tmp[len[COL_FOLLOWED]] = '\0';
		}
		if (len[COL_FOLLOWED] < sizeof(tmp) &&
		    parse_date(tmp, im->zone, im->zone_days, date) == TN_OK) {
			cell[COL_FOLLOWED] = date;
			len[COL_FOLLOWED] = 10;
		} else {
			tn_code wrc = bad_date(im, line, cell[COL_FOLLOWED],
					       len[COL_FOLLOWED], err);
			if (wrc != TN_OK)
				return wrc;
			len[COL_FOLLOWED] = 0;
		}
	}
	return stage(im, cell, len, err);
}

/* Pass 1: the file read, checked and sorted; its records are read ahead
 * on a second thread while the ones before are checked, when there is a
 * second processor. */
static tn_code read_all(struct importer *im, int fd, struct tn_err *err)
{
	struct block blocks[2] = { { .text = TN_BUF_INIT }, { .text = TN_BUF_INIT } };
	void *bufs[2] = { &blocks[0], &blocks[1] }, *got;
	struct reader reader = { .im = im };
	struct tn_relay *relay = NULL;
	struct tn_csv *r;
	tn_code rc;
	size_t i;

	rc = tn_recode_open(fd, im->opts ? im->opts->encoding : NULL, &im->input, err);
	if (rc != TN_OK)
		return tn_err_prefix(err, rc, "%s", im->source);
	/* converted text is UTF-8 by construction */
	im->utf8_seen = tn_recode_converts(im->input) ||
			tn_recode_kind(im->input) == TN_RECODE_UTF8_BOM;
	if ((rc = tn_csv_open_reader(tn_recode_read, im->input, &r, err)) != TN_OK) {
		tn_recode_free(im->input);
		im->input = NULL;
		return rc;
	}
	tn_csv_set_delimiter(r, im->delimiter);
	reader.csv = r;
	rc = read_header(im, r, err);
	if (rc == TN_OK)
		rc = tn_relay_start(block_fill, &reader, bufs, im->cpus > 1, &relay, err);
	while (rc == TN_OK && (rc = tn_relay_next(relay, &got, err)) == TN_OK && got) {
		const struct block *b = got;

		for (i = 0; rc == TN_OK && i < b->nrec; i++) {
			const struct record *rec = &b->rec[i];

			if (rec->malformed) {
				tn_buf_reset(&im->reason);
				tn_buf_add(&im->reason, b->text.data + b->field[rec->field].off);
				rc = reject(im, rec->line, err);
			} else {
				rc = stage_record(im, b, rec, err);
			}
		}
		if (rc == TN_OK && im->opts && im->opts->on_progress)
			im->opts->on_progress(im->opts->ctx, TN_IMPORT_READING, b->offset, 0);
	}
	tn_relay_stop(relay);
	block_free(&blocks[0]);
	block_free(&blocks[1]);
	/* sorted now, before the write lock is taken */
	if (rc == TN_OK)
		rc = sort_failed(im, tn_sorter_sort(im->rows, err), err);
	tn_csv_free(r);
	tn_recode_free(im->input);
	im->input = NULL;
	return rc;
}

/* ---- pass 2: write in key order ------------------------------------- */

/* The merged value v, or NULL when no row gave one (NULL binds NULL, and
 * the writer keeps the stored value). */
static const char *val(const struct group *g, int v)
{
	return g->val[v];
}

/* Sets the person's name when the rows gave one that differs from stored
 * (NULL: not known, so always). */
static tn_code update_name(struct importer *im, int64_t id, const char *stored,
			   struct tn_err *err)
{
	const struct group *g = &im->group;

	if (!g->val[V_NAME] || (stored && strcmp(stored, g->val[V_NAME]) == 0))
		return TN_OK;
	return tn_person_writer_set_name(im->writer, id, val(g, V_NAME), err);
}

/* 1 if the merged value v would change the stored one (NULL-aware); an
 * empty cell (no value) never changes anything. */
static int differs(const struct group *g, int v, const char *stored)
{
	if (!g->val[v])
		return 0;
	return !stored || strcmp(stored, g->val[v]) != 0;
}

/* Whether the follower row exists and would change with the merged cells
 * (or a past unfollow). */
static void follower_state(const struct group *g,
			   const struct tn_person_follow *f, int *exists,
			   int *changed)
{
	*exists = f->exists;
	*changed = f->exists && (differs(g, V_HANDLE, f->handle) ||
				 differs(g, V_REGION, f->region) ||
				 differs(g, V_FOLLOWED, f->followed_at) ||
				 f->unfollowed);
}

/* Looks the e-mail key's person up, with their follower row of this
 * channel; *found is 0 if there is no such person. */
static tn_code person_get(struct importer *im, int64_t *id, int *found,
			  int *exists, int *changed, struct tn_err *err)
{
	struct tn_person_follow follow;
	const char *name;
	tn_code rc;

	rc = tn_person_writer_find_email(im->writer, im->group.email, id, &name,
					 &follow, err);
	*found = rc == TN_OK;
	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc != TN_OK)
		return rc;
	/* the found strings last until the writer's next call: read them all
	 * before update_name writes */
	follower_state(&im->group, &follow, exists, changed);
	return update_name(im, *id, name, err);
}

static tn_code follower_get(struct importer *im, int64_t id, int *exists,
			    int *changed, struct tn_err *err);

/* For a known e-mail with a handle: the e-mail-less person who follows a
 * channel of this kind under that handle is the same human, known so far
 * by the handle alone; they become part of person id (tn_person_merge),
 * so the channel counts them once. *exists and *changed describe id's
 * follower row of this channel after that. */
static tn_code absorb_by_handle(struct importer *im, int64_t id, int *exists,
				int *changed, struct tn_err *err)
{
	int64_t other;
	tn_code rc;

	rc = tn_person_writer_find_handle_no_email(im->writer, val(&im->group, V_HANDLE),
						   &other, err);
	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc == TN_OK)
		rc = tn_person_writer_merge(im->writer, id, other, err);
	if (rc == TN_OK)
		rc = follower_get(im, id, exists, changed, err);
	return rc;
}

/* For a new e-mail with a handle: the e-mail-less person who follows a
 * channel of this kind under that handle takes the e-mail. *found is 0 if
 * there is none. */
static tn_code adopt_by_handle(struct importer *im, int64_t *id, int *found,
			       int *exists, int *changed, struct tn_err *err)
{
	const struct group *g = &im->group;
	tn_code rc;

	rc = tn_person_writer_find_handle_no_email(im->writer, val(g, V_HANDLE),
						   id, err);
	*found = rc == TN_OK;
	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc == TN_OK)
		rc = tn_person_writer_set_email(im->writer, *id, g->email, err);
	if (rc == TN_OK)
		rc = update_name(im, *id, NULL, err);
	if (rc == TN_OK)
		rc = follower_get(im, *id, exists, changed, err);
	return rc;
}

/* The person of an e-mail group: found or created; *created says which,
 * and for a person found, *exists and *changed describe their follower
 * row of this channel (see follower_state).
 * Keys arrive sorted, and a file is mostly new people (a first import)
 * or mostly known ones (a re-import), so the last key's outcome picks
 * the cheaper first try: INSERT ... DO NOTHING, or the lookup. */
static tn_code person_by_email(struct importer *im, int64_t *id, int *created,
			       int *exists, int *changed, struct tn_err *err)
{
	const struct group *g = &im->group;
	tn_code rc;
	int found;

	*created = 0;
	if (im->person_existed || g->val[V_HANDLE]) {
		if ((rc = person_get(im, id, &found, exists, changed, err)) != TN_OK)
			return rc;
		if (found)
			return g->val[V_HANDLE] ? absorb_by_handle(im, *id, exists, changed, err)
						: TN_OK;
		if (g->val[V_HANDLE] &&
		    ((rc = adopt_by_handle(im, id, &found, exists, changed, err)) != TN_OK ||
		     found))
			return rc;
	}
	rc = tn_person_writer_insert(im->writer, g->email, val(g, V_NAME), id,
				     created, err);
	if (rc != TN_OK)
		return rc;
	im->person_existed = !*created;
	if (*created)
		return TN_OK;
	if ((rc = person_get(im, id, &found, exists, changed, err)) != TN_OK)
		return rc;
	return found ? TN_OK : tn_err_set(err, TN_DB, "find person: vanished");
}

/* The person of a handle group: the same handle on a channel of the same
 * kind, else a new person without an e-mail. */
static tn_code person_by_handle(struct importer *im, int64_t *id, int *created,
				struct tn_err *err)
{
	const struct group *g = &im->group;
	const char *name;
	tn_code rc;

	*created = 0;
	rc = tn_person_writer_find_handle(im->writer, val(g, V_HANDLE), id, &name,
					  err);
	if (rc == TN_OK)
		return update_name(im, *id, name, err);
	if (rc != TN_NOTFOUND)
		return rc;
	return tn_person_writer_insert(im->writer, NULL, val(g, V_NAME), id,
				       created, err);
}

/* The follower row of (id, this channel): 1 if it exists, with *changed
 * set when the merged cells (or a past unfollow) would change it. */
static tn_code follower_get(struct importer *im, int64_t id, int *exists,
			    int *changed, struct tn_err *err)
{
	struct tn_person_follow follow;
	tn_code rc;

	*exists = *changed = 0;
	rc = tn_person_writer_find_follow(im->writer, id, &follow, err);
	if (rc == TN_OK)
		follower_state(&im->group, &follow, exists, changed);
	return rc;
}

/* Counts rows as written (progress). */
static void progress_written(struct importer *im, unsigned long long rows)
{
	unsigned long long before = im->written;

	im->written += rows;
	if (im->opts && im->opts->on_progress &&
	    im->written / PROGRESS_EVERY != before / PROGRESS_EVERY)
		im->opts->on_progress(im->opts->ctx, TN_IMPORT_WRITING, im->written,
				      im->staged);
}

/* Counts a key's rows: a follower row made (inserted) or found. */
static void counted(struct importer *im, long long rows, int existed)
{
	if (existed) {
		im->stats->updated += rows;
	} else {
		im->stats->inserted++;
		im->stats->updated += rows - 1;
	}
}

/* Erasure lasts: a forgotten person's rows are not written (*skip), only
 * counted. */
static tn_code suppressed(struct importer *im, const struct group *g,
			  int by_email, int *skip, struct tn_err *err)
{
	tn_code rc = tn_person_writer_suppressed(im->writer, by_email ? g->email : NULL,
						 val(g, V_HANDLE), skip, err);

	if (rc == TN_OK && *skip)
		im->stats->suppressed += g->rows;
	return rc;
}

/* Writes the key of im->group row by row: its person, then its follower
 * row. A new person cannot have a follower row yet; a known one is
 * looked up first, and an unchanged row is left alone. This is the way
 * of handles (rows without an address, and addresses with a handle to
 * link); other addresses are written in bulk (write_bulk). */
static tn_code flush_group(struct importer *im, int by_email,
			   struct tn_err *err)
{
	struct group *g = &im->group;
	int64_t id = 0;
	int created, exists = 0, changed = 0, skip;
	tn_code rc;

	if ((rc = suppressed(im, g, by_email, &skip, err)) != TN_OK || skip)
		return rc;
	if (by_email) {
		rc = person_by_email(im, &id, &created, &exists, &changed, err);
	} else {
		rc = person_by_handle(im, &id, &created, err);
		if (rc == TN_OK && !created)
			rc = follower_get(im, id, &exists, &changed, err);
	}
	if (rc != TN_OK)
		return rc;
	if (exists && changed)
		rc = tn_person_writer_follow_update(im->writer, id, val(g, V_HANDLE),
						    val(g, V_REGION),
						    val(g, V_FOLLOWED), err);
	else if (!exists)
		rc = tn_person_writer_follow_insert(im->writer, id, val(g, V_HANDLE),
						    val(g, V_REGION),
						    val(g, V_FOLLOWED), err);
	if (rc == TN_OK)   /* in the list (complete) */
		rc = tn_person_writer_seen(im->writer, id, err);
	if (rc == TN_OK)
		counted(im, g->rows, exists);
	return rc;
}

/* Writes a batch of addresses without a handle in bulk, once each key's
 * person and follower row were looked up for the whole batch
 * (tn_person_writer_resolve): new people and new follower rows are
 * inserted with one statement each, and only what changes is updated, a
 * row at a time (a re-import of the same file writes nothing). */
static tn_code write_bulk(struct importer *im, struct batch *b,
			  struct tn_person_row *rows, size_t n, long long *nrows,
			  struct tn_err *err)
{
	struct tn_person_row **list = b->list;
	size_t i, k;
	tn_code rc;

	if (!n)
		return TN_OK;
	/* the people to add, in key order: their ids follow it */
	for (i = k = 0; i < n; i++)
		if (!rows[i].id)
			list[k++] = &rows[i];
	if ((rc = tn_person_writer_insert_rows(im->writer, list, k, err)) != TN_OK)
		return rc;
	for (i = k = 0; rc == TN_OK && i < n; i++) {
		struct tn_person_row *r = &rows[i];

		if (!r->follows)
			list[k++] = r;
		else if (r->follow_differs)
			rc = tn_person_writer_follow_update(im->writer, r->id, r->handle,
							    r->region, r->followed_at, err);
		if (rc == TN_OK && r->name_differs)
			rc = tn_person_writer_set_name(im->writer, r->id, r->name, err);
		if (rc == TN_OK)
			counted(im, nrows[i], r->follows);
	}
	if (rc == TN_OK)
		rc = tn_person_writer_follow_rows(im->writer, list, k, err);
	for (i = 0; rc == TN_OK && i < n; i++)
		list[i] = &rows[i];
	if (rc == TN_OK)   /* in the list (complete) */
		rc = tn_person_writer_seen_rows(im->writer, list, n, err);
	return rc;
}

/* Writes the groups of the batch, in key order: handles row by row;
 * addresses with a handle row by row too (the handle may belong to a
 * person without an address who must be linked), the others in bulk.
 * Those are all looked up first: the writes of the rows between do not
 * change what they find, since a row without a handle touches only its
 * own address's person, and linking only ever takes people without an
 * address. The bulk writes go in runs between the rows written one by
 * one, so that new people get their ids in key order, as if every key
 * were written alone. */
static tn_code write_batch(struct importer *im, struct batch *b, struct tn_err *err)
{
	struct tn_person_row *rows = b->row;
	long long *nrows = NULL;
	unsigned char *bulk = NULL;
	size_t i, n = 0, done = 0, rowcount = 0;
	tn_code rc = TN_OK;
	int skip;

	for (i = 0; i < b->n; i++)
		rowcount += (size_t)b->group[i].rows;
	if (b->by_email && (!(nrows = malloc(b->n * sizeof(*nrows))) ||
			    !(bulk = calloc(b->n, 1)))) {
		free(nrows);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	/* the bulk rows, in key order */
	for (i = 0; rc == TN_OK && b->by_email && i < b->n; i++) {
		const struct group *g = &b->group[i];
		struct tn_person_row *r;

		if (g->val[V_HANDLE])
			continue;
		if ((rc = suppressed(im, g, 1, &skip, err)) != TN_OK || skip)
			continue;
		r = &rows[n];
		memset(r, 0, sizeof(*r));
		r->email = g->email;
		r->key = strcmp(g->key, g->email) ? g->key : NULL;
		r->name = g->val[V_NAME];
		r->region = g->val[V_REGION];
		r->followed_at = g->val[V_FOLLOWED];
		nrows[n++] = g->rows;
		bulk[i] = 1;
	}
	if (rc == TN_OK && n)
		rc = tn_person_writer_resolve(im->writer, rows, n, err);
	/* the rest in key order, each after the bulk rows before it */
	for (i = 0, n = 0; rc == TN_OK && i < b->n; i++) {
		if (bulk && bulk[i]) {
			n++;
			continue;
		}
		if (b->by_email && !b->group[i].val[V_HANDLE])
			continue;   /* suppressed */
		if (n > done) {
			rc = write_bulk(im, b, rows + done, n - done, nrows + done, err);
			done = n;
		}
		im->group = b->group[i];
		if (rc == TN_OK)
			rc = flush_group(im, b->by_email, err);
	}
	if (rc == TN_OK && n > done)
		rc = write_bulk(im, b, rows + done, n - done, nrows + done, err);
	free(nrows);
	free(bulk);
	if (rc == TN_OK)
		progress_written(im, rowcount);
	b->n = 0;
	tn_buf_reset(&b->text);
	return rc;
}

/* Keys in a batch, and bytes of their text, before it is written. */
#define BATCH_KEYS  8192
#define BATCH_TEXT  (8u << 20)

/* Appends s[0..len) and a NUL to the batch text, which has room for
 * them; returns its offset. */
static size_t batch_text(struct batch *b, const char *s, size_t len)
{
	size_t off = b->text.len;

	memcpy(b->text.data + off, s, len);
	b->text.data[off + len] = '\0';
	b->text.len += len + 1;
	return off;
}

/* Turns the filling batch's offsets into the groups' strings. */
static void batch_close(struct batch *b)
{
	size_t i;
	int v;

	for (i = 0; i < b->n; i++) {
		const struct slot *sl = &b->slot[i];
		struct group *g = &b->group[i];

		g->key = b->text.data + sl->key;
		g->email = sl->email == SLOT_NONE ? g->key : b->text.data + sl->email;
		for (v = 0; v < NVALS; v++)
			g->val[v] = sl->val[v] == SLOT_NONE ? NULL : b->text.data + sl->val[v];
		g->rows = sl->rows;
	}
}

static void batch_free(struct batch *b)
{
	tn_buf_free(&b->text);
	free(b->slot);
	free(b->group);
	free(b->row);
	free(b->list);
}

static tn_code batch_grow(struct batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : 256;
	struct slot *slot;
	struct group *group;
	struct tn_person_row *row, **list;

	if (!(slot = realloc(b->slot, cap * sizeof(*slot))))
		return TN_NOMEM;
	b->slot = slot;
	if (!(group = realloc(b->group, cap * sizeof(*group))))
		return TN_NOMEM;
	b->group = group;
	if (!(row = realloc(b->row, cap * sizeof(*row))))
		return TN_NOMEM;
	b->row = row;
	if (!(list = realloc(b->list, cap * sizeof(*list))))
		return TN_NOMEM;
	b->list = list;
	b->cap = cap;
	return TN_OK;
}

/* The sorted rows read back into batches, on the relay's thread while
 * the batch before is written (batch_fill): it uses the sorter and
 * nothing else of the importer but its source's name. */
struct feed {
	struct importer *im;
	struct tn_sorter_rec next;   /* the record that ended the last batch */
	int have_next;
	struct tn_buf nfc;           /* a name or region in NFC */
	struct nfc_memo *places;     /* regions seen, in NFC (to_nfc_place) */
};

/* Takes a staged row into the batch: a new key opens a group, a row of
 * the last key is merged into it (a later non-empty cell wins; the first
 * row's address is kept). Names and regions are put in NFC here, on the
 * batch filler's thread, which has time to spare while SQLite writes. */
static tn_code batch_add(struct feed *f, struct batch *b, const struct tn_sorter_rec *rec,
			 int same)
{
	const unsigned char *p = (const unsigned char *)rec->data;
	struct slot *sl;
	const char *cell;
	char date[11];
	size_t len;
	long long day;
	int v;

	/* room for the key and the address with their NULs (the values and
	 * the date make their own: NFC may make a value longer) */
	if (tn_buf_grow(&b->text, rec->klen + rec->dlen + 2) != TN_OK)
		return TN_NOMEM;
	if (!same) {
		if (b->n == b->cap && batch_grow(b) != TN_OK)
			return TN_NOMEM;
		sl = &b->slot[b->n++];
		sl->email = SLOT_NONE;
		for (v = 0; v < NVALS; v++)
			sl->val[v] = SLOT_NONE;
		sl->rows = 0;
		sl->klen = rec->klen - 1;
		sl->key = batch_text(b, rec->key + 1, sl->klen);
		if ((len = get_cell(&p, &cell)))
			sl->email = batch_text(b, cell, len);
	} else {
		sl = &b->slot[b->n - 1];
		get_cell(&p, &cell);
	}
	sl->rows++;
	for (v = V_HANDLE; v < V_FOLLOWED; v++) {
		if (!(len = get_cell(&p, &cell)))
			continue;
		if ((v == V_NAME && to_nfc(&f->nfc, &cell, &len) != TN_OK) ||
		    (v == V_REGION && to_nfc_place(f->places, &f->nfc, &cell, &len) != TN_OK) ||
		    tn_buf_grow(&b->text, len + 1) != TN_OK)   /* NFC may be longer */
			return TN_NOMEM;
		sl->val[v] = batch_text(b, cell, len);
	}
	if ((day = (long long)get_len(&p))) {
		if (tn_buf_grow(&b->text, sizeof(date)) != TN_OK)
			return TN_NOMEM;
		civil_from_days(day - DAY_ZERO, date);
		sl->val[V_FOLLOWED] = batch_text(b, date, 10);
	}
	return TN_OK;
}

/* Fills a batch with the next keys' rows, in key order, merged by key:
 * it ends before a new key once full, and where the addresses end and
 * the handles begin (a batch holds one kind). *last at the end of the
 * rows. */
static tn_code batch_fill(void *ctx, void *buf, int *last, struct tn_err *err)
{
	struct feed *f = ctx;
	struct batch *b = buf;
	struct tn_sorter_rec rec;
	const struct slot *end;
	tn_code rc;
	int got, same;

	b->n = 0;
	tn_buf_reset(&b->text);
	for (;;) {
		if (f->have_next) {
			rec = f->next;
			f->have_next = 0;
		} else if ((rc = tn_sorter_next(f->im->rows, &rec, &got, err)) != TN_OK) {
			return sort_failed(f->im, rc, err);
		} else if (!got) {
			*last = 1;
			break;
		}
		end = b->n ? &b->slot[b->n - 1] : NULL;
		same = end && rec.key[0] == (b->by_email ? KIND_EMAIL : KIND_HANDLE) &&
		       end->klen == rec.klen - 1 &&
		       memcmp(b->text.data + end->key, rec.key + 1, end->klen) == 0;
		if (end && !same && (b->n >= BATCH_KEYS || b->text.len >= BATCH_TEXT ||
				     rec.key[0] != (b->by_email ? KIND_EMAIL : KIND_HANDLE))) {
			f->next = rec;   /* valid until the sorter's next call */
			f->have_next = 1;
			break;
		}
		b->by_email = rec.key[0] == KIND_EMAIL;
		if (batch_add(f, b, &rec, same) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	batch_close(b);
	return TN_OK;
}

/* Pass 2: the staged rows, in key order, in batches, read back on a
 * second thread while the batch before is written, when there is a
 * second processor. */
static tn_code write_sorted(struct importer *im, struct tn_err *err)
{
	struct feed feed = { .im = im, .nfc = TN_BUF_INIT };
	void *bufs[2] = { &im->batch[0], &im->batch[1] };
	struct tn_relay *relay = NULL;
	void *b;
	tn_code rc = TN_OK;

	if (!(feed.places = calloc(1, sizeof(*feed.places))))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	if (rc == TN_OK)
		rc = tn_relay_start(batch_fill, &feed, bufs, im->cpus > 1, &relay, err);
	while (rc == TN_OK && (rc = tn_relay_next(relay, &b, err)) == TN_OK && b)
		if (((struct batch *)b)->n)
			rc = write_batch(im, b, err);
	tn_relay_stop(relay);
	tn_buf_free(&feed.nfc);
	free(feed.places);
	return rc;
}

/* ---- the import ------------------------------------------------------ */

static int pragma_int(sqlite3 *conn, const char *sql)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static tn_code pragma_set(struct importer *im, const char *name, int value,
			  struct tn_err *err)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "PRAGMA %s=%d", name, value);
	return tn_db_exec(im->db, sql, err);
}

/* The bytes of rows held in memory before they go to sorted runs on
 * disk: the option, else $TURNOUT_IMPORT_MEMORY (tests), else
 * IMPORT_MEMORY. */
static size_t memory_budget(const struct tn_import_opts *opts)
{
	const char *env = getenv("TURNOUT_IMPORT_MEMORY");
	char *end;
	unsigned long long v;

	if (opts && opts->memory)
		return opts->memory;
	if (env && *env) {
		v = strtoull(env, &end, 10);
		if (!*end && v > 0)
			return (size_t)v;
	}
	return IMPORT_MEMORY;
}

/* Pass 2: the sorted rows written. */
static tn_code write_all(struct importer *im, struct tn_err *err)
{
	tn_code rc;

	rc = tn_person_writer_open(im->db, im->channel_id, im->kind, &im->writer, err);
	if (rc == TN_OK && im->opts && im->opts->complete)
		rc = tn_person_writer_track(im->writer, err);
	if (rc == TN_OK)
		rc = write_sorted(im, err);
	if (rc == TN_OK)
		rc = tn_person_writer_unfollow_rest(im->writer, &im->stats->unfollowed, err);
	tn_person_writer_close(im->writer);
	im->writer = NULL;
	return rc;
}

/* The input is read and checked before the transaction begins, however
 * long that takes; the transaction takes the write lock at once.
 *
 * When the import opens the transaction and every row is an address
 * without a handle, SQLite's foreign-key checks are off for it: each
 * follower row costs two lookups (its person, its channel) that repeat
 * what the writer knows. Such an import writes only person rows and
 * follower rows of its channel, whose people the writer found or made in
 * this transaction, under the write lock, and deletes nothing; the
 * writer checks that the channel exists and refuses a merge while the
 * checks are off (tn_person_writer_open). A row with a handle may merge
 * two people, so such an import keeps them on. The pragma can change
 * only outside a transaction: it is restored after the commit. */
static tn_code import_body(struct importer *im, int fd, int outermost,
			   struct tn_err *err)
{
	sqlite3 *conn = tn_db_sqlite(im->db);
	int unchecked = 0;
	tn_code rc;

	if ((rc = read_all(im, fd, err)) != TN_OK)
		return rc;
	if (outermost && !im->staged_handles && pragma_int(conn, "PRAGMA foreign_keys")) {
		if ((rc = pragma_set(im, "foreign_keys", 0, err)) != TN_OK)
			return rc;
		unchecked = 1;
	}
	if ((rc = tn_db_begin_temp(im->db, err)) == TN_OK) {
		struct tn_db_writeback *wb = outermost ? tn_db_writeback_start(im->db) : NULL;

		rc = tn_db_lock(im->db, err);
		if (rc == TN_OK)
			rc = write_all(im, err);
		rc = tn_db_end(im->db, rc, err);
		tn_db_writeback_stop(wb);
	}
	if (unchecked) {
		tn_code restored = pragma_set(im, "foreign_keys", 1, rc == TN_OK ? err : NULL);

		if (rc == TN_OK)
			rc = restored;
	}
	return rc;
}

tn_code tn_import_followers(struct tn_db *db, int64_t channel_id,
			    const char *channel_kind, int fd, const char *source,
			    const struct tn_import_opts *opts,
			    struct tn_import_stats *stats, struct tn_err *err)
{
	struct importer im;
	struct tn_import_opts complete_opts;
	sqlite3 *conn = tn_db_sqlite(db);
	int old_cache, old_temp, outermost;
	tn_code rc;

	memset(stats, 0, sizeof(*stats));
	memset(&im, 0, sizeof(im));
	im.db = db;
	im.channel_id = channel_id;
	im.kind = channel_kind;
	im.source = source;
	im.opts = opts;
	im.cpus = tn_relay_cpus();
	if (opts && opts->complete && !opts->strict) {
		/* a complete list with a row that cannot be read would
		 * unfollow whoever that row was: it is refused whole */
		complete_opts = *opts;
		complete_opts.strict = 1;
		im.opts = &complete_opts;
	}
	im.stats = stats;
	tn_buf_init(&im.email);
	tn_buf_init(&im.handle);
	tn_buf_init(&im.reason);
	tn_buf_init(&im.scratch);
	tn_buf_init(&im.joined);
	tn_buf_init(&im.key);
	tn_buf_init(&im.record);
	tn_buf_init(&im.batch[0].text);
	tn_buf_init(&im.batch[1].text);

	/* The options first: a bad one changes nothing. */
	if ((rc = check_map(opts, err)) != TN_OK ||
	    (rc = check_delimiter(opts, &im.delimiter, err)) != TN_OK ||
	    (opts && opts->encoding && (rc = tn_recode_check(opts->encoding, err)) != TN_OK))
		goto out;
	if (opts && opts->tz) {
		rc = tn_tz_check(opts->tz, im.zone_name, err);
		if (rc != TN_OK) {
			tn_err_about(err, rc, "tz");
			goto out;
		}
		if (strcmp(im.zone_name, "UTC") != 0 && strcmp(im.zone_name, "Etc/UTC") != 0) {
			im.zone = im.zone_name;
			if (!(im.zone_days = calloc(1, sizeof(*im.zone_days)))) {
				rc = tn_err_set(err, TN_NOMEM, "out of memory");
				goto out;
			}
		}
	}

	if (tn_sorter_new(memory_budget(opts), &im.rows) != TN_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto out;
	}
	tn_sorter_set_threads(im.rows, im.cpus);

	/* temp_store can only change outside a transaction. */
	outermost = sqlite3_get_autocommit(conn);
	old_cache = pragma_int(conn, "PRAGMA cache_size");
	old_temp = pragma_int(conn, "PRAGMA temp_store");
	rc = outermost ? pragma_set(&im, "temp_store", 1, err) : TN_OK;
	if (rc == TN_OK)
		rc = pragma_set(&im, "cache_size", -IMPORT_CACHE_KIB, err);
	if (rc == TN_OK)
		rc = import_body(&im, fd, outermost, err);
	if (rc != TN_OK) {
		stats->inserted = stats->updated = stats->warned = 0;
	}
	if (rc == TN_BADINPUT && opts && opts->complete && err && !err->hint[0])
		tn_err_hint(err, "a channel's whole list must have no bad row: fix the row,"
			    " or import without {complete}");
	pragma_set(&im, "cache_size", old_cache, NULL);
	if (outermost)
		pragma_set(&im, "temp_store", old_temp, NULL);
out:
	free(im.zone_days);
	tn_buf_free(&im.email);
	tn_buf_free(&im.handle);
	tn_buf_free(&im.reason);
	tn_buf_free(&im.scratch);
	tn_buf_free(&im.joined);
	tn_buf_free(&im.key);
	tn_buf_free(&im.record);
	batch_free(&im.batch[0]);
	batch_free(&im.batch[1]);
	tn_sorter_free(im.rows);
	return rc;
}
