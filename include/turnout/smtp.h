/*
 * smtp.h - delivering finished messages over SMTP (libcurl).
 *
 * A session is one SMTP URL and one libcurl handle, so many messages go
 * over one connection with one EHLO and one AUTH. The bytes are sent as
 * given; this module never builds or changes a message (MIME is fmt/mail.c's)
 * and never touches the database (the outbox owns the state of each message).
 *
 * The URL: smtp://[user[:password]@]host[:port][/ehlo-domain] or smtps://….
 *   - smtp:// submits on port 587 (RFC 6409 message submission) unless a
 *     port is given (write :25 for a local MTA); it uses STARTTLS whenever
 *     the server offers it. With a user and a host that is not a loopback
 *     address (127.0.0.0/8, ::1, localhost, *.localhost) TLS is required, so
 *     a password never crosses the network in clear: a server without
 *     STARTTLS then fails the session before AUTH.
 *   - smtps:// is implicit TLS, port 465 by default (RFC 8314).
 *   - Certificates are verified against the system's CA store (libcurl's
 *     defaults); there is no switch to turn that off.
 *   - User and password are percent-decoded ("p%40ss" is "p@ss"); libcurl's
 *     login options ("user;AUTH=LOGIN:pw@host") choose the SASL mechanism.
 *   - The path is the domain this client names in EHLO, an ASCII host name
 *     or an address literal ("[192.0.2.1]"). Without one, the domain of the
 *     first message's sender is used, else "localhost".
 *   - No query or fragment.
 * Timeouts: 30 s to connect, 120 s for each server reply, and a transfer
 * that moves less than one byte a second for 60 s is given up; so a dead
 * server cannot hang a send.
 *
 * Nothing here prints. The password is never written into an error, a
 * result or a display form. One session is used by one thread at a time;
 * sessions in different threads are independent (libcurl's global init is
 * done once, thread-safely).
 */
#ifndef TURNOUT_SMTP_H
#define TURNOUT_SMTP_H

#include <stddef.h>

#include "turnout/err.h"

struct tn_smtp;   /* one SMTP session, reused for many messages */

/* What happened to one message. */
struct tn_smtp_result {
	int code;       /* the server's reply code (250, 451, 550…); 0 when
	                 * there was none: no connection, the connection
	                 * dropped or timed out, TLS failed */
	int temporary;  /* 1: retry later (4xx, no connection, dropped,
	                 * timed out); 0: permanent (5xx, a certificate that
	                 * does not verify, TLS required but not offered) or
	                 * success */
	int session;    /* 1: the failure came before this message's
	                 * transaction began (connecting, TLS, the greeting,
	                 * EHLO, AUTH), so it is no fault of the message and
	                 * every other message would meet it too: a caller
	                 * sending a batch stops and leaves the rest queued
	                 * rather than fail them all; 0 otherwise */
	char text[512]; /* the server's own words for a failure ("550 5.7.1
	                 * rejected by test server"; the lines of a multi-line
	                 * reply joined by spaces), or libcurl's when the
	                 * server said nothing ("Failed to connect to …");
	                 * control characters made spaces; never a password;
	                 * "" on success */
};

/* Checks url (libcurl's URL parser) and makes a session for it in *out;
 * the caller frees it with tn_smtp_close. Does not connect: the first
 * tn_smtp_send does, so a bad URL fails before any message is claimed.
 * TN_USAGE when the URL is not one smtp.h describes, with a message that
 * names the problem and shows the URL with its password hidden
 * ("smtp url 'smtp://anna:***@/x': no host"); TN_NOMEM, or TN_FAIL when
 * libcurl cannot start. */
tn_code tn_smtp_open(const char *url, struct tn_smtp **out, struct tn_err *err);

/* Sends msg[0..len) from mail_from to rcpt on the session's connection,
 * opening (or, after a failure, reopening) it as needed. The addresses are
 * bare ("anna@example.org", no angle brackets) with A-label domains; the
 * message is complete RFC 5322 text with CRLF line ends, ending in CRLF
 * (libcurl adds one if it does not), sent as is: lines that begin with
 * "." are dot-stuffed on the wire and arrive unchanged. Fills *r (always).
 * Returns TN_OK when the server accepted the message (r->code 250);
 * TN_FAIL when it did not, with r saying why and whether to retry;
 * TN_BADINPUT, nothing sent, for an empty address or one with a control
 * character, a space, '<' or '>' (no SMTP command injection); TN_NOMEM. */
tn_code tn_smtp_send(struct tn_smtp *s, const char *mail_from, const char *rcpt,
		     const char *msg, size_t len, struct tn_smtp_result *r);

/* Ends the session (QUIT on an open connection) and frees it; s may be
 * NULL. */
void tn_smtp_close(struct tn_smtp *s);

#endif
