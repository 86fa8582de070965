/*
 * relay.c - a producer thread filling two buffers in turn (relay.h).
 *
 * Each buffer is EMPTY (the producer may fill it), FULL (filled, with
 * the fill's outcome beside it, for the caller to take) or, between two
 * calls of tn_relay_next, the caller's. The producer fills bufs[0],
 * bufs[1], bufs[0]... and waits while the next one is not EMPTY; the
 * caller takes them in the same order and gives one back by asking for
 * the next. One mutex and one condition variable: the two sides wait for
 * each other at most once per buffer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "turnout/relay.h"

enum { EMPTY, FULL, TAKEN };

struct tn_relay {
	tn_relay_fill fill;
	void *ctx;
	void *buf[2];
	int state[2];
	tn_code rc[2];           /* of the fill that made a buffer FULL */
	int last[2];
	struct tn_err err[2];
	int threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t change;
	int stop;                /* the caller wants no more */
	int take;                /* the buffer the caller takes next */
	int ended;               /* the last buffer, or an error, was taken */
};

static void *relay_main(void *arg)
{
	struct tn_relay *r = arg;
	int i = 0, last = 0;
	tn_code rc;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->state[i] != EMPTY && !r->stop)
			pthread_cond_wait(&r->change, &r->lock);
		if (r->stop) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		pthread_mutex_unlock(&r->lock);
		last = 0;
		rc = r->fill(r->ctx, r->buf[i], &last, &r->err[i]);
		pthread_mutex_lock(&r->lock);
		r->rc[i] = rc;
		r->last[i] = last;
		r->state[i] = FULL;
		pthread_cond_broadcast(&r->change);
		pthread_mutex_unlock(&r->lock);
		if (rc != TN_OK || last)
			break;
		i ^= 1;
	}
	return NULL;
}

unsigned tn_relay_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && (n = CPU_COUNT(&set)) > 1)
		return (unsigned)n;
	return 1;
}

tn_code tn_relay_start(tn_relay_fill fill, void *ctx, void *bufs[2], int threads,
		       struct tn_relay **out, struct tn_err *err)
{
	struct tn_relay *r;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	r->fill = fill;
	r->ctx = ctx;
	r->buf[0] = bufs[0];
	r->buf[1] = bufs[1];
	if (threads > 0) {
		pthread_mutex_init(&r->lock, NULL);
		pthread_cond_init(&r->change, NULL);
		r->threaded = pthread_create(&r->thread, NULL, relay_main, r) == 0;
		if (!r->threaded) {   /* the caller fills them itself */
			pthread_cond_destroy(&r->change);
			pthread_mutex_destroy(&r->lock);
		}
	}
	*out = r;
	return TN_OK;
}

tn_code tn_relay_next(struct tn_relay *r, void **buf, struct tn_err *err)
{
	int i = r->take;
	tn_code rc;

	*buf = NULL;
	if (r->ended)
		return TN_OK;
	if (!r->threaded) {
		int last = 0;

		if ((rc = r->fill(r->ctx, r->buf[i], &last, err)) != TN_OK) {
			r->ended = 1;
			return rc;
		}
		r->ended = last;
		r->take ^= 1;
		*buf = r->buf[i];
		return TN_OK;
	}
	pthread_mutex_lock(&r->lock);
	if (r->state[i ^ 1] == TAKEN) {   /* the one taken before comes back */
		r->state[i ^ 1] = EMPTY;
		pthread_cond_broadcast(&r->change);
	}
	while (r->state[i] != FULL)
		pthread_cond_wait(&r->change, &r->lock);
	r->state[i] = TAKEN;
	rc = r->rc[i];
	r->ended = rc != TN_OK || r->last[i];
	pthread_mutex_unlock(&r->lock);
	if (rc != TN_OK) {
		if (err)
			*err = r->err[i];
		return rc;
	}
	r->take ^= 1;
	*buf = r->buf[i];
	return TN_OK;
}

void tn_relay_stop(struct tn_relay *r)
{
	if (!r)
		return;
	if (r->threaded) {
		pthread_mutex_lock(&r->lock);
		r->stop = 1;
		pthread_cond_broadcast(&r->change);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
		pthread_cond_destroy(&r->change);
		pthread_mutex_destroy(&r->lock);
	}
	free(r);
}
