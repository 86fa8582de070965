/*
 * send.c - delivering the outbox (send.h): claim a batch, deliver each
 * message over the one SMTP session (or write it as an .eml file),
 * record the batch's outcomes, and again until nothing is due.
 *
 * A batch is what may go out twice: it is claimed in one transaction and
 * its outcomes are recorded in another, so a sender killed in between
 * leaves those messages "sending", and the next sender delivers them
 * again with the same bytes. Batches are small (BATCH) to keep that set
 * small while costing two commits per BATCH messages, not per message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/file.h"
#include "turnout/message.h"
#include "turnout/outbox.h"
#include "turnout/send.h"
#include "turnout/smtp.h"

#define BATCH 16

struct sender {
	const struct tn_send_opts *opts;
	struct tn_smtp *smtp;
	struct tn_message_maker *maker;
	struct timespec started;
	long long done;
	int session_failed;          /* the server turned the session down */
	char session_error[512];
};

static tn_code check_dir(const char *dir, struct tn_err *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return tn_err_field(err, TN_FAIL, "eml-dir", "'%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return tn_err_field(err, TN_FAIL, "eml-dir", "'%s': not a directory", dir);
	if (access(dir, W_OK | X_OK) != 0)
		return tn_err_field(err, TN_FAIL, "eml-dir", "'%s': cannot write there: %s",
				    dir, strerror(errno));
	return TN_OK;
}

/* Waits until message number s->done may go, at opts->rate a second. */
static void pace(struct sender *s)
{
	struct timespec now, wait;
	double due, elapsed;

	if (s->opts->rate <= 0 || s->done == 0)
		return;
	due = (double)s->done / s->opts->rate;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - s->started.tv_sec) +
		  (double)(now.tv_nsec - s->started.tv_nsec) / 1e9;
	if (elapsed >= due)
		return;
	wait.tv_sec = (time_t)(due - elapsed);
	wait.tv_nsec = (long)((due - elapsed - (double)wait.tv_sec) * 1e9);
	while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
		;
}

/* Writes msg as DIR/<outbox id>-<kind>.eml, atomically. */
static void write_eml(struct sender *s, struct tn_outbox_msg *msg)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf path = TN_BUF_INIT;
	tn_code rc;

	rc = tn_buf_addf(&path, "%s/%06" PRId64 "-%s.eml", s->opts->eml_dir, msg->id,
			 tn_msg_kind_name(msg->kind));
	if (rc == TN_OK)
		rc = tn_file_write_atomic(path.data, msg->body, msg->len, &err);
	if (rc == TN_OK) {
		msg->outcome = TN_SEND_OK;
	} else {   /* the directory was checked: this is a full disk or the like */
		msg->outcome = TN_SEND_LATER;
		snprintf(msg->error, sizeof(msg->error), "%s",
			 err.msg[0] ? err.msg : "out of memory");
	}
	tn_buf_free(&path);
}

static void deliver(struct sender *s, struct tn_outbox_msg *msg)
{
	struct tn_smtp_result r;
	tn_code rc;

	if (s->opts->eml_dir) {
		write_eml(s, msg);
		return;
	}
	rc = tn_smtp_send(s->smtp, tn_message_sender(s->maker), msg->rcpt, msg->body,
			  msg->len, &r);
	if (rc == TN_OK) {
		msg->outcome = TN_SEND_OK;
		return;
	}
	snprintf(msg->error, sizeof(msg->error), "%s",
		 r.text[0] ? r.text : rc == TN_BADINPUT ? "not an address" : "out of memory");
	if (r.session) {   /* not this message's fault: leave it queued */
		s->session_failed = 1;
		snprintf(s->session_error, sizeof(s->session_error), "%s", msg->error);
		msg->outcome = TN_SEND_PENDING;
	} else {
		msg->outcome = r.temporary || rc == TN_NOMEM ? TN_SEND_LATER : TN_SEND_FAILED;
	}
}

static void count(const struct tn_outbox_msg *msgs, size_t n, struct tn_send_result *res)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (msgs[i].outcome == TN_SEND_OK)
			res->sent++;
		else if (msgs[i].outcome == TN_SEND_FAILED ||
			 (msgs[i].outcome == TN_SEND_LATER &&
			  msgs[i].attempts >= TN_OUTBOX_MAX_ATTEMPTS))
			res->failed++;
		else if (msgs[i].outcome == TN_SEND_LATER)
			res->deferred++;
	}
}

static tn_code run(struct tn_db *db, struct sender *s, struct tn_send_result *res,
		   struct tn_err *err)
{
	struct tn_outbox_msg *msgs;
	long long total, want, unmade;
	char claimer[300], host[256];
	size_t n, i;
	tn_code rc;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(claimer, sizeof(claimer), "%s:%ld", host, (long)getpid());
	if ((rc = tn_outbox_due(db, &total, err)) != TN_OK)
		return rc;
	if (s->opts->max > 0 && total > s->opts->max)
		total = s->opts->max;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	while (!s->session_failed && (s->opts->max <= 0 || s->done < s->opts->max)) {
		want = BATCH;
		if (s->opts->max > 0 && s->opts->max - s->done < want)
			want = s->opts->max - s->done;
		rc = tn_outbox_claim(db, claimer, want, tn_message_make, s->maker,
				     &msgs, &n, &unmade, err);
		res->failed += unmade;
		s->done += unmade;
		if (rc != TN_OK || (n == 0 && unmade == 0))
			return rc;
		for (i = 0; i < n && !s->session_failed; i++) {
			pace(s);
			deliver(s, &msgs[i]);
			s->done++;
			if (s->opts->progress)
				s->opts->progress(s->opts->progress_ctx, s->done,
						  total > s->done ? total : s->done);
		}
		count(msgs, n, res);
		rc = tn_outbox_record(db, msgs, n, err);
		tn_outbox_msgs_free(msgs, n);
		if (rc != TN_OK)
			return rc;
	}
	if (s->session_failed)
		return tn_err_set(err, TN_FAIL, "mail server: %s", s->session_error);
	return TN_OK;
}

tn_code tn_send(struct tn_db *db, const struct tn_send_opts *opts,
		struct tn_send_result *res, struct tn_err *err)
{
	struct sender s;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.opts = opts;
	if (!opts->smtp_url == !opts->eml_dir) {
		tn_err_field(err, TN_USAGE, "smtp", "where to? give an SMTP server or a "
			     "directory for .eml files, not %s", opts->smtp_url ? "both" : "neither");
		return TN_USAGE;
	}
	/* everything that can be wrong before a message is claimed */
	if (opts->eml_dir)
		rc = check_dir(opts->eml_dir, err);
	else
		rc = tn_smtp_open(opts->smtp_url, &s.smtp, err);
	if (rc == TN_OK)
		rc = tn_message_maker_open(db, opts->templates, &s.maker, err);
	if (rc == TN_OK)
		rc = run(db, &s, res, err);
	tn_message_maker_close(s.maker);
	if (s.smtp)
		tn_smtp_close(s.smtp);
	return rc;
}
