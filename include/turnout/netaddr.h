/*
 * netaddr.h - what the network clients (SMTP, HTTP, IMAP) ask of a host
 * name before they send anything over plain text.
 */
#ifndef TURNOUT_NETADDR_H
#define TURNOUT_NETADDR_H

/* 1 if host (as libcurl's URL API gives it: "[::1]" in brackets) is this
 * machine by its address (127.0.0.0/8, ::1) or by a name that libcurl
 * itself resolves to loopback (localhost, *.localhost). */
int tn_host_is_loopback(const char *host);

#endif
