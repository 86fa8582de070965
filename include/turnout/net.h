/*
 * net.h - what the libcurl clients (smtp.c, imap.c, http.c) share:
 * libcurl's one start per process, reading a URL's parts, the reasons a
 * URL is refused, the loopback test that lets a client speak plain text,
 * and the form of a URL that may be shown.
 */
#ifndef TURNOUT_NET_H
#define TURNOUT_NET_H

#include <curl/curl.h>

#include "turnout/err.h"

/* Starts libcurl (curl_global_init) the first time any thread asks;
 * TN_OK, or TN_NOMEM / TN_FAIL "cannot start libcurl: why". */
tn_code tn_net_start(struct tn_err *err);

/* A part of u, percent-decoded when decode; *out NULL when the URL has
 * none (a missing user, port, query … is no error). curl_free *out. */
CURLUcode tn_net_url_part(CURLU *u, CURLUPart what, int decode, char **out);

/* Why libcurl's URL parser refused a URL, in our words: example is
 * what to write instead ("smtp://host or smtps://host"), host_hint what
 * usually makes a host unreadable ("a '@' in the user name is written
 * %40"), login what to call the user part ("user name or password"). */
const char *tn_net_url_problem(CURLUcode uc, const char *example,
			       const char *host_hint, const char *login);

/* The patience of a mail session (smtp.h and imap.h state it): 30 s to
 * connect (TCP and TLS), 120 s for each server reply, and a transfer
 * below one byte a second for 60 s is given up; TCP keep-alive, no
 * signals. Sets them on c; libcurl's code. */
CURLcode tn_net_mail_patience(CURL *c);

/* 1 if host (as libcurl's URL API gives it: "[::1]" in brackets) is this
 * machine by its address (127.0.0.0/8, ::1) or by a name that libcurl
 * itself resolves to loopback (localhost, *.localhost). */
int tn_host_is_loopback(const char *host);

/* The URL for messages and logs, with any password replaced by "***":
 * a URL libcurl reads has only its password replaced; in text it cannot
 * read, everything between "://" and the last '@' is. Returns a new
 * string (caller frees), NULL when out of memory. */
char *tn_net_url_display(const char *url);

#endif
