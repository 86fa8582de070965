/*
 * t_relay.c - the producer thread of relay.h: buffers come back filled
 * in order, each filled once per turn, with and without a thread; a
 * fill's error arrives in its place, after the buffers before it; a
 * relay stopped early (the producer waiting for a buffer, or never
 * asked) ends cleanly.
 */
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/relay.h"

/* A source of numbers 1..limit; a buffer takes up to 100 of them. */
struct source {
	long next, limit;
	long fail_at;        /* fail the fill that would start here; 0: never */
	int fills;
	int slow;            /* sleep a little in each fill */
};

struct numbers {
	long v[100];
	int n;
};

static tn_code fill_numbers(void *ctx, void *buf, int *last, struct tn_err *err)
{
	struct source *s = ctx;
	struct numbers *b = buf;

	s->fills++;
	if (s->slow)
		usleep(2000);
	if (s->fail_at && s->next >= s->fail_at)
		return tn_err_set(err, TN_IO, "cannot read at %ld", s->next);
	for (b->n = 0; b->n < 100 && s->next <= s->limit; b->n++)
		b->v[b->n] = s->next++;
	*last = s->next > s->limit;
	return TN_OK;
}

/* Takes every buffer; checks the numbers are 1.. in order. Returns the
 * relay's last code; *count is how many numbers came. */
static tn_code drain(struct tn_relay *r, long *count, int *in_order, struct tn_err *err)
{
	void *got;
	tn_code rc;

	*count = 0;
	*in_order = 1;
	while ((rc = tn_relay_next(r, &got, err)) == TN_OK && got) {
		const struct numbers *b = got;
		int i;

		for (i = 0; i < b->n; i++)
			if (b->v[i] != ++*count)
				*in_order = 0;
	}
	return rc;
}

static void run(int threads, long limit, int slow)
{
	struct source s = { .next = 1, .limit = limit, .slow = slow };
	struct numbers a, b;
	void *bufs[2] = { &a, &b };
	struct tn_relay *r;
	struct tn_err err = TN_ERR_INIT;
	long count;
	int in_order;

	ok(tn_relay_start(fill_numbers, &s, bufs, threads, &r, &err) == TN_OK, "start");
	is_int(drain(r, &count, &in_order, &err), TN_OK,
	       "threads %d, %ld numbers: every buffer taken", threads, limit);
	is_int(count, limit, "threads %d: every number came", threads);
	ok(in_order, "threads %d: in the order filled", threads);
	tn_relay_stop(r);
	is_int(s.fills, limit ? (int)((limit + 99) / 100) : 1, "threads %d: each buffer filled once", threads);
}

static void failing(int threads)
{
	struct source s = { .next = 1, .limit = 1000, .fail_at = 301 };
	struct numbers a, b;
	void *bufs[2] = { &a, &b };
	struct tn_relay *r;
	struct tn_err err = TN_ERR_INIT;
	long count;
	int in_order;
	void *got;

	tn_relay_start(fill_numbers, &s, bufs, threads, &r, &err);
	is_int(drain(r, &count, &in_order, &err), TN_IO, "threads %d: the fill's error", threads);
	is_int(count, 300, "threads %d: after the buffers filled before it", threads);
	is_str(err.msg, "cannot read at 301", "threads %d: with its message", threads);
	is_int(tn_relay_next(r, &got, &err), TN_OK, "threads %d: then the end", threads);
	ok(got == NULL, "threads %d: and no buffer", threads);
	tn_relay_stop(r);
}

int main(void)
{
	struct source s = { .next = 1, .limit = 1000000 };
	struct numbers a, b;
	void *bufs[2] = { &a, &b };
	struct tn_relay *r;
	struct tn_err err = TN_ERR_INIT;
	void *got;

	run(0, 1000, 0);
	run(1, 1000, 0);
	run(1, 250, 1);          /* the caller waits for the producer */
	run(1, 0, 0);            /* nothing at all: one empty last buffer */
	run(1, 100000, 0);
	failing(0);
	failing(1);

	/* stopped after one buffer: the producer fills the other, then
	 * waits, and never touches the one taken */
	tn_relay_start(fill_numbers, &s, bufs, 1, &r, &err);
	ok(tn_relay_next(r, &got, &err) == TN_OK && got == &a, "the first buffer first");
	usleep(10000);
	ok(a.n == 100 && a.v[0] == 1 && a.v[99] == 100, "the buffer taken stays as it came");
	tn_relay_stop(r);
	ok(s.fills >= 1 && s.fills <= 2, "stopped with at most the other buffer filled");
	ok(a.n == 100 && a.v[0] == 1 && a.v[99] == 100, "and the taken one untouched");

	/* stopped before any buffer was asked for */
	s.next = 1;
	s.fills = 0;
	tn_relay_start(fill_numbers, &s, bufs, 1, &r, &err);
	tn_relay_stop(r);
	ok(s.fills <= 2, "stopped at once: at most both buffers filled");
	tn_relay_stop(NULL);
	return tap_done();
}
