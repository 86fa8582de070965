/*
 * inbox.c - calendar replies applied as answers (inbox.h): one message
 * read and applied, and the run over an IMAP mailbox's unseen messages.
 * Reading a reply is fmt/reply.c's, applying it registration.c's, the
 * mailbox wire/imap.c's; this file decides what becomes of each message
 * and owns no table.
 *
 * A message is marked seen only after its answer is committed, so a run
 * cut short leaves at worst an applied reply unseen, and applying it again
 * changes nothing. A reply refused for good (its event cancelled or
 * started, its registration declined by the organizer) is marked seen
 * too: no later run could apply it, and left unseen it would fail every
 * run after. Other mail, and replies that may apply later or elsewhere,
 * stay unseen.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/imap.h"
#include "turnout/inbox.h"

tn_code tn_inbox_apply(struct tn_db *db, const char *data, size_t len,
		       struct tn_inbox_answer *a, struct tn_err *err)
{
	tn_code rc;

	memset(a, 0, sizeof(*a));
	a->stale_after = -1;
	a->outcome = TN_INBOX_NOT_REPLY;
	if ((rc = tn_reply_parse(data, len, &a->reply, err)) != TN_OK) {
		if (rc == TN_NOMEM)
			a->outcome = TN_INBOX_FAILED;
		return rc;
	}
	a->have_reply = 1;
	rc = tn_rsvp_reply(db, &a->reply, &a->res, &a->stale_after, err);
	if (rc == TN_NOTFOUND)
		a->outcome = TN_INBOX_UNMATCHED;
	else if (rc == TN_CONFLICT)
		a->outcome = TN_INBOX_REFUSED;
	else if (rc != TN_OK)
		a->outcome = TN_INBOX_FAILED;
	else
		a->outcome = a->stale_after >= 0 ? TN_INBOX_OUTDATED : TN_INBOX_APPLIED;
	return rc;
}

void tn_inbox_answer_clear(struct tn_inbox_answer *a)
{
	if (a->have_reply)
		tn_reply_clear(&a->reply);
	memset(a, 0, sizeof(*a));
	a->stale_after = -1;
}

/* One unseen message: fetched, applied, and marked seen when its answer
 * is in. Returns the code of what failed; a->outcome says what became of
 * the message, *wire whether the failure was the server's or the
 * connection's. */
static tn_code one_message(struct tn_db *db, struct tn_imap *imap, uint32_t uid,
			   struct tn_buf *msg, struct tn_inbox_answer *a,
			   int *wire, struct tn_err *err)
{
	tn_code rc;

	*wire = 0;
	memset(a, 0, sizeof(*a));
	a->stale_after = -1;
	a->outcome = TN_INBOX_FAILED;
	tn_buf_reset(msg);
	if ((rc = tn_imap_fetch(imap, uid, msg, err)) == TN_BADINPUT) {
		a->outcome = TN_INBOX_NOT_REPLY;   /* too large to be one */
		return rc;
	}
	if (rc != TN_OK) {
		*wire = rc == TN_FAIL;
		return rc;
	}
	rc = tn_inbox_apply(db, msg->data, msg->len, a, err);
	if (a->outcome == TN_INBOX_FAILED || a->outcome == TN_INBOX_REFUSED)
		tn_err_prefix(err, rc, "message UID %" PRIu32, uid);
	if (rc == TN_OK || a->outcome == TN_INBOX_REFUSED) {
		struct tn_err mark = TN_ERR_INIT;
		tn_code mrc = tn_imap_mark_seen(imap, uid, &mark);

		if (mrc != TN_OK) {   /* its answer stands; the mark is what failed */
			a->outcome = TN_INBOX_FAILED;
			*wire = mrc == TN_FAIL;
			*err = mark;
			rc = mrc;
		}
	}
	return rc;
}

tn_code tn_inbox_fetch_imap(struct tn_db *db, const char *url,
			    const char *password, tn_inbox_on_message on_message,
			    void *ctx, struct tn_inbox_summary *sum,
			    struct tn_err *err)
{
	struct tn_buf msg = TN_BUF_INIT;
	struct tn_inbox_answer a;
	struct tn_err one = TN_ERR_INIT;
	struct tn_imap *imap = NULL;
	uint32_t *uids = NULL;
	size_t n = 0, i;
	int broken = 0;   /* connection failures in a row */
	int wire;
	tn_code rc;

	memset(sum, 0, sizeof(*sum));
	if ((rc = tn_imap_open(url, password, &imap, err)) != TN_OK)
		return rc;
	if ((rc = tn_imap_search_unseen(imap, &uids, &n, err)) != TN_OK) {
		tn_err_prefix(err, rc, "mailbox '%s'", url);
		goto done;
	}
	sum->unseen = (int64_t)n;
	for (i = 0; i < n; i++) {
		memset(&one, 0, sizeof(one));
		rc = one_message(db, imap, uids[i], &msg, &a, &wire, &one);
		switch (a.outcome) {
		case TN_INBOX_APPLIED: sum->applied++; break;
		case TN_INBOX_OUTDATED: sum->outdated++; break;
		case TN_INBOX_NOT_REPLY: sum->ignored++; break;
		case TN_INBOX_UNMATCHED: sum->unmatched++; break;
		case TN_INBOX_REFUSED: sum->refused++; break;
		case TN_INBOX_FAILED: sum->failed++; break;
		}
		if (on_message)
			on_message(ctx, uids[i], &a, rc, &one);
		tn_inbox_answer_clear(&a);
		if (rc == TN_NOMEM) {
			*err = one;
			goto done;
		}
		/* one failure to reach the server may be one message's (the
		 * next request reconnects); two in a row are the server's */
		broken = wire ? broken + 1 : 0;
		if (broken == 2) {
			*err = one;
			rc = tn_err_prefix(err, TN_FAIL, "mailbox '%s'", url);
			goto done;
		}
	}
	rc = TN_OK;
done:
	free(uids);
	tn_buf_free(&msg);
	tn_imap_close(imap);
	return rc;
}
