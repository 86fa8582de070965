/*
 * report_prep.c - the report benchmark's registrations, tickets and
 * check-ins, made through the library as the commands make them, in one
 * transaction per event (tens of thousands of separate `turnout` runs
 * would take far longer than the report they feed). The database must
 * exist with its channels, followers and the events EVENT_PREFIX01 ..
 * EVENT_PREFIXnn (bench/report.sh makes them with `turnout`). For each
 * event, with a fixed pseudo-random sequence:
 *  - 3 gates (tn_gate_add) and the tracking link of one channel
 *    (tn_link_code);
 *  - invitations to the first followers of one channel (tn_invite_people
 *    with that channel and a limit, as `invite --channel C --limit N`),
 *    and a yes from 60% of them with source invitation and the
 *    invitation's channel (the registration tn_rsvp_by_token makes from
 *    the link in their e-mail, without making the e-mail);
 *  - registrations through the link (tn_register_link) and direct ones
 *    (tn_register), of followers and of some new addresses, up to REGS
 *    per event; each yes gets its ticket from the accepted hook;
 *  - the tickets' codes (tn_ticket_each) read at the gates in turn
 *    (tn_scan_read, tn_checkin_record in one batch) until CHECKINS
 *    people are admitted, then walk-ins (tn_walkin): followers matched
 *    by e-mail, new addresses and people without one.
 * Then the event numbered CANCEL (0: none) is cancelled (tn_event_cancel).
 * Built by `make $(BUILD)/bench/report_prep`, not by make check.
 *
 * usage: report_prep DB EMAILS EVENT_PREFIX EVENTS REGS CHECKINS CANCEL
 *        (EMAILS: the followers' addresses, one a line)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/channel.h"
#include "turnout/db.h"
#include "turnout/door.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/link.h"
#include "turnout/registration.h"
#include "turnout/store.h"
#include "turnout/ticket.h"

static const char *const channels[] = { "news", "tg", "masto", "blog", "vk" };
#define NCHANNELS (sizeof(channels) / sizeof(channels[0]))
static const char *const gates[] = { "north", "south", "east" };
#define NGATES (sizeof(gates) / sizeof(gates[0]))

static uint64_t seed = 20261129;

/* A pseudo-random number below n (a 64-bit LCG: same data every run). */
static size_t pick(size_t n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (size_t)((seed >> 33) % n);
}

struct lines {
	char **v;
	size_t n, cap;
};

static int lines_add(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		char **grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -1;
		l->v = grown;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

static void lines_clear(struct lines *l)
{
	while (l->n)
		free(l->v[--l->n]);
}

static int read_lines(const char *path, struct lines *l)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int bad;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line && lines_add(l, line) != 0)
			break;
	}
	bad = ferror(f);
	return fclose(f) == 0 && !bad ? 0 : -1;
}

/* Invitees: their address and their invitation's channel, "\t"-joined. */
static int keep_invitee(void *ctx, const struct tn_invitee *who)
{
	char line[512];

	snprintf(line, sizeof(line), "%s\t%s", who->email, who->channel ? who->channel : "");
	return lines_add(ctx, line) != 0;
}

static int keep_code(void *ctx, const struct tn_ticket *t)
{
	return t->state == TN_TICKET_VALID && lines_add(ctx, t->code) != 0;
}

struct counts {
	long long invited, registered, admitted, walkins;
};

static tn_code prep_event(struct tn_db *db, const char *slug, int e,
			  const struct lines *emails, long regs, long checkins,
			  struct counts *c, struct tn_err *err)
{
	const char *invite_channel = channels[e % NCHANNELS];
	struct tn_invite_opts io = { .channels = &invite_channel, .nchannels = 1 };
	struct tn_invite_result ir = { 0 };
	struct tn_rsvp_result res;
	struct tn_door doors[NGATES];
	struct tn_checkin_job *jobs = NULL;
	struct tn_checkin out;
	struct lines invitees = { 0 }, codes = { 0 };
	char token[TN_GATE_TOKEN_LEN + 1], code[TN_LINK_CODE_LEN + 1];
	char email[128], name[64];
	struct tn_gate g;
	long i, made = 0, admitted = 0;
	int created;
	tn_code rc;
	size_t k;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	for (k = 0; rc == TN_OK && k < NGATES; k++)
		rc = tn_gate_add(db, slug, gates[k], &g, token, err);
	if (rc == TN_OK)
		rc = tn_link_code(db, slug, channels[(e + 1) % NCHANNELS], code, &created, err);
	/* 40% of the registrations are invited, 60% of those say yes */
	io.limit = regs * 2 / 3;
	if (rc == TN_OK)
		rc = tn_invite_people(db, slug, &io, keep_invitee, &invitees, &ir, err);
	c->invited += ir.queued;
	for (k = 0; rc == TN_OK && k < invitees.n && made < regs; k++) {
		char *tab = strchr(invitees.v[k], '\t');

		if (pick(10) >= 6)
			continue;
		*tab = '\0';
		snprintf(name, sizeof(name), "Invitee %zu", k);
		rc = tn_register(db, slug, name, invitees.v[k], *++tab ? tab : NULL,
				 TN_SOURCE_INVITATION, &res, err);
		made++;
	}
	/* the rest: half through the link, half direct; one in ten new */
	for (i = 0; rc == TN_OK && made < regs; i++, made++) {
		const char *who = emails->v[pick(emails->n)];

		if (pick(10) == 0) {
			snprintf(email, sizeof(email), "new-%d-%ld@walkup.example.org", e, i);
			who = email;
		}
		snprintf(name, sizeof(name), "Guest %ld", i);
		rc = i % 2 ? tn_register_link(db, code, name, who, &res, err)
			   : tn_register(db, slug, name, who, NULL, TN_SOURCE_DIRECT, &res, err);
	}
	c->registered += made;
	/* the door: codes scanned at the gates in turn, in a shuffled order */
	for (k = 0; rc == TN_OK && k < NGATES; k++)
		rc = tn_door_open(db, slug, gates[k], &doors[k], err);
	if (rc == TN_OK)
		rc = tn_ticket_each(db, slug, keep_code, &codes, err);
	if (rc == TN_OK && codes.n && !(jobs = calloc(codes.n, sizeof(*jobs))))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	for (k = 0; rc == TN_OK && k < codes.n && (long)k < checkins * 19 / 20; k++) {
		size_t j = k + pick(codes.n - k);
		char *t = codes.v[j];

		codes.v[j] = codes.v[k];
		codes.v[k] = t;
		jobs[k].door = &doors[k % NGATES];
		tn_scan_read(jobs[k].door, t, strlen(t), &jobs[k].scan);
	}
	if (rc == TN_OK)
		rc = tn_checkin_record(db, jobs, k, err);
	for (i = 0; rc == TN_OK && i < (long)k; i++) {
		admitted += jobs[i].result.verdict == TN_VERDICT_ADMIT;
		tn_checkin_clear(&jobs[i].result);
	}
	/* walk-ins: a follower by e-mail, a new address, no address */
	for (i = 0; rc == TN_OK && admitted < checkins; i++) {
		const char *who = emails->v[pick(emails->n)];

		if (i % 3 == 1) {
			snprintf(email, sizeof(email), "door-%d-%ld@walkup.example.org", e, i);
			who = email;
		}
		snprintf(name, sizeof(name), "Walk-in %ld", i);
		rc = tn_walkin(db, &doors[i % NGATES], name, i % 3 == 2 ? NULL : who,
			       NULL, &out, err);
		if (rc == TN_OK && out.verdict == TN_VERDICT_ADMIT)
			admitted++, c->walkins++;
		tn_checkin_clear(&out);
	}
	c->admitted += admitted;
	rc = tn_db_end(db, rc, err);
	free(jobs);
	lines_clear(&invitees);
	lines_clear(&codes);
	free(invitees.v);
	free(codes.v);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_err err = TN_ERR_INIT;
	struct lines emails = { 0 };
	struct counts c = { 0 };
	struct tn_event ev;
	struct tn_db *db = NULL;
	char slug[64];
	long events, regs, checkins, cancel, e;
	long long queued;
	int changed;
	tn_code rc;

	if (argc != 8 || (events = atol(argv[4])) <= 0 || (regs = atol(argv[5])) <= 0 ||
	    (checkins = atol(argv[6])) < 0 || (cancel = atol(argv[7])) < 0) {
		fprintf(stderr, "usage: report_prep DB EMAILS EVENT_PREFIX EVENTS REGS "
			"CHECKINS CANCEL\n");
		return 2;
	}
	if (read_lines(argv[2], &emails) != 0 || emails.n == 0) {
		fprintf(stderr, "report_prep: '%s': cannot read addresses\n", argv[2]);
		return 1;
	}
	tn_db_global_init();
	if ((rc = tn_db_open(argv[1], 0, &db, &err)) != TN_OK)
		goto fail;
	for (e = 1; e <= events; e++) {
		snprintf(slug, sizeof(slug), "%s%02ld", argv[3], e);
		if ((rc = prep_event(db, slug, (int)e, &emails, regs, checkins, &c,
				     &err)) != TN_OK)
			goto fail;
	}
	if (cancel) {
		memset(&ev, 0, sizeof(ev));
		snprintf(slug, sizeof(slug), "%s%02ld", argv[3], cancel);
		rc = tn_event_cancel(db, slug, &ev, &changed, &queued, &err);
		tn_event_clear(&ev);
		if (rc != TN_OK)
			goto fail;
	}
	tn_db_close(db);
	fprintf(stderr, "report_prep: %ld events: %lld invited, %lld registrations, "
		"%lld admitted (%lld walk-ins)\n", events, c.invited, c.registered,
		c.admitted, c.walkins);
	lines_clear(&emails);
	free(emails.v);
	return 0;
fail:
	fprintf(stderr, "report_prep: %s\n", err.msg);
	tn_db_close(db);
	return 1;
}
