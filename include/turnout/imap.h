/*
 * imap.h - reading an organizer's mailbox over IMAP (libcurl): the UIDs
 * of the unseen messages, one message's bytes without marking it seen,
 * and marking one seen. What a message means is the caller's (inbox.c);
 * this module never touches the database.
 *
 * The URL: imaps://user@host[:port]/MAILBOX (port 993 by default), or
 * imap://user@host[:port]/MAILBOX (port 143) only when the host is a
 * loopback address (127.0.0.0/8, ::1, localhost, *.localhost): a local
 * server or a test's. The mailbox is percent-encoded as in RFC 5092
 * ("INBOX", "Calendar%20replies"); none means INBOX. The user is
 * percent-decoded; libcurl's login options ("user;AUTH=PLAIN@host")
 * choose the SASL mechanism. The password is the caller's, never part of
 * the URL: a URL holding one is refused, so it cannot end up in a shell
 * history or a process list. Certificates are verified against the
 * system's CA store, with no switch to turn that off; imap:// to a
 * loopback host uses no TLS.
 *
 * Timeouts, as for SMTP (smtp.h): 30 s to connect, 120 s for each server
 * reply, and a transfer that moves less than one byte a second for 60 s
 * is given up.
 *
 * One session is one libcurl handle, so the login is done once for every
 * request. After any failure the next request opens a new connection: a
 * message whose body looks like the end of a server reply cannot leave
 * the session reading the rest of it as the next answer.
 *
 * Nothing here prints. The password is never written into an error.
 */
#ifndef TURNOUT_IMAP_H
#define TURNOUT_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/buf.h"
#include "turnout/err.h"

/* The largest message tn_imap_fetch reads (bytes). */
#define TN_IMAP_MESSAGE_MAX (16u * 1024 * 1024)

struct tn_imap;   /* one mailbox session */

/* Checks url (libcurl's URL parser) and makes a session for it with
 * password (may be "", not NULL; copied) in *out; the caller frees it
 * with tn_imap_close. Does not connect. TN_USAGE about field "url" when
 * the URL is not one imap.h describes, with a message naming the problem
 * ("imap url 'imap://anna@mail.example.org/INBOX': plain imap:// only to
 * a loopback address; write imaps://"); TN_NOMEM; TN_FAIL when libcurl
 * cannot start. */
tn_code tn_imap_open(const char *url, const char *password,
		     struct tn_imap **out, struct tn_err *err);

/* The UIDs of the mailbox's messages without the \Seen flag (UID SEARCH
 * UNSEEN), in the server's order, in a new array *uids of *n entries
 * (caller frees; NULL when none). Connects and logs in as needed.
 * TN_FAIL with the reason when the server cannot be reached, refuses the
 * login ("login denied: wrong user or password") or the mailbox, or
 * answers what is not a SEARCH; TN_NOMEM. */
tn_code tn_imap_search_unseen(struct tn_imap *s, uint32_t **uids, size_t *n,
			      struct tn_err *err);

/* The whole message with UID uid (UID FETCH uid BODY.PEEK[]), its bytes
 * exactly as the server holds them, appended to out; the message is not
 * marked seen. TN_NOTFOUND when the mailbox has no such message (any
 * more); TN_BADINPUT when it is larger than TN_IMAP_MESSAGE_MAX (nothing
 * appended); TN_FAIL as for tn_imap_search_unseen, or when the server's
 * answer ends before the message does; TN_NOMEM. The session goes on
 * after a failure about one message. */
tn_code tn_imap_fetch(struct tn_imap *s, uint32_t uid, struct tn_buf *out,
		      struct tn_err *err);

/* Sets the \Seen flag of the message with UID uid (UID STORE uid +FLAGS
 * (\Seen)); a UID the mailbox no longer has is left alone (TN_OK).
 * TN_FAIL as for tn_imap_search_unseen; TN_NOMEM. */
tn_code tn_imap_mark_seen(struct tn_imap *s, uint32_t uid, struct tn_err *err);

/* Logs out, closes the connection and frees the session (the password
 * zeroed); s may be NULL. */
void tn_imap_close(struct tn_imap *s);

#endif
