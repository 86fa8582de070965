/*
 * relay.h - a producer on a second thread: it fills one buffer while the
 * caller works on the one filled before, so that two stages of a long
 * job (reading a file and checking its rows; reading sorted rows back
 * and writing them to SQLite) run on two cores at once.
 *
 * The caller owns the buffers (two of them) and says how to fill one;
 * tn_relay_next hands them back filled, in the order filled, each in
 * turn. The fill function runs on the relay's thread and must touch
 * nothing the caller uses meanwhile but the buffer it is given and what
 * only it uses (its source). Without a thread (threads = 0, or none
 * could start) tn_relay_next fills each buffer itself, with the same
 * results.
 */
#ifndef TURNOUT_RELAY_H
#define TURNOUT_RELAY_H

#include "turnout/err.h"

/* Fills buf from ctx's source. Sets *last when nothing will follow this
 * buffer (which may then hold nothing). An error ends the relay: the
 * caller gets it from tn_relay_next, in order. */
typedef tn_code (*tn_relay_fill)(void *ctx, void *buf, int *last,
				 struct tn_err *err);

struct tn_relay;

/* The processors this process may run on (its CPU affinity, as taskset
 * or a container sets it), at least 1: a relay is worth its thread when
 * there are two. */
unsigned tn_relay_cpus(void);

/* A relay over bufs[0] and bufs[1]; with threads, filling begins at once.
 * TN_NOMEM. */
tn_code tn_relay_start(tn_relay_fill fill, void *ctx, void *bufs[2], int threads,
		       struct tn_relay **out, struct tn_err *err);

/* The next filled buffer, which stays the caller's until the next call
 * (it is then filled again): *buf is NULL after the last one. Returns the
 * fill's error, in order, once the buffers before it are taken. */
tn_code tn_relay_next(struct tn_relay *r, void **buf, struct tn_err *err);

/* Stops the filling (waits for a fill under way) and frees the relay;
 * NULL is fine. The buffers are the caller's to free after. */
void tn_relay_stop(struct tn_relay *r);

#endif
