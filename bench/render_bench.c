/*
 * render_bench.c - how many complete invitations turnout renders per
 * second: for each invitee the iTIP calendar (tn_ical_itip, with its
 * VTIMEZONE) and the whole MIME message around it (tn_mail_build), with
 * the same fixed strings as bench/baseline_render.py, the same job in
 * Python. Built by `make $(BUILD)/bench/render_bench`, not by make check.
 *
 * usage: render_bench [N]      (default 5000)
 * prints: turnout: N messages in S s: M messages/s (U us each; calendar U1 us)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "turnout/ical.h"
#include "turnout/mail.h"
#include "turnout/tz.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char text_body[] =
	"Hello Anna,\n\n"
	"Readers Club invites you to Readers' meetup.\n\n"
	"When: Thursday 10 June 2027, 19:00-21:00 (Europe/Berlin)\n"
	"Where: Café Einstein, Unter den Linden 42, Berlin\n\n"
	"An evening of books, talks and tea.\nBring a friend!\n\n"
	"Will you come? https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6\n\n"
	"Unsubscribe: https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA\n";
static const char html_body[] =
	"<!doctype html>\n<html><body>\n<p>Hello Anna,</p>\n"
	"<p>Readers Club invites you to <b>Readers' meetup</b>.</p>\n"
	"<p>When: Thursday 10 June 2027, 19:00&ndash;21:00 (Europe/Berlin)<br>\n"
	"Where: Café Einstein, Unter den Linden 42, Berlin</p>\n"
	"<p>An evening of books, talks and tea.<br>Bring a friend!</p>\n"
	"<p><a href=\"https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6\">Will you come?</a></p>\n"
	"<p><a href=\"https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA\">Unsubscribe</a></p>\n"
	"</body></html>\n";

int main(int argc, char **argv)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_ical_org org = { "Readers Club", "team@meet.example.org",
				   "https://meet.example.org" };
	struct tn_ical_event ev;
	struct tn_ical_attendee att = {
		NULL, "Anna Weber", "https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6"
	};
	struct tn_mail m;
	struct tn_buf msg = TN_BUF_INIT;
	long n = argc > 1 ? atol(argv[1]) : 5000, i;
	double t0, t1, in_ical = 0, total;
	size_t bytes = 0;
	char addr[64], id[96], *ical;

	if (n <= 0)
		n = 5000;
	memset(&ev, 0, sizeof(ev));
	ev.uid = "0123456789abcdef0123456789abcdef@meet.example.org";
	ev.slug = "readers-meetup";
	ev.title = "Readers' meetup";
	ev.tz = "Europe/Berlin";
	ev.start_local = "2027-06-10 19:00";
	ev.end_local = "2027-06-10 21:00";
	ev.start_utc = "2027-06-10T17:00:00Z";
	ev.end_utc = "2027-06-10T19:00:00Z";
	ev.venue = "Café Einstein";
	ev.address = "Unter den Linden 42, Berlin";
	ev.description = "An evening of books, talks and tea.\nBring a friend!";
	ev.created_at = "2026-11-01T10:00:00Z";
	ev.updated_at = "2026-11-01T10:00:00Z";
	memset(&m, 0, sizeof(m));
	m.from_name = org.org;
	m.from_addr = org.from;
	m.to_name = att.name;
	m.subject = "Invitation: Readers' meetup, Thursday 10 June 2027";
	m.text = text_body;
	m.html = html_body;
	m.ical_method = "REQUEST";
	m.unsubscribe_url = "https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA";
	m.date = 1795000000;
	t0 = now();
	for (i = 0; i < n; i++) {
		double c0 = now();

		snprintf(addr, sizeof(addr), "anna.weber%ld@example.org", i);
		snprintf(id, sizeof(id), "inv-1-%ld.0@meet.example.org", i);
		att.email = addr;
		if (tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &ical, &err) != TN_OK) {
			fprintf(stderr, "render_bench: %s\n", err.msg);
			return 1;
		}
		in_ical += now() - c0;
		m.to_addr = addr;
		m.message_id = id;
		m.ical = ical;
		if (tn_mail_build(&m, &msg, &err) != TN_OK) {
			fprintf(stderr, "render_bench: %s\n", err.msg);
			return 1;
		}
		bytes += msg.len;
		free(ical);
	}
	t1 = now();
	total = t1 - t0;
	printf("turnout: %ld messages in %.2f s: %.0f messages/s (%.0f us each; calendar %.0f us; %zu bytes each)\n",
	       n, total, (double)n / total, total / (double)n * 1e6,
	       in_ical / (double)n * 1e6, bytes / (size_t)n);
	tn_buf_free(&msg);
	tn_tz_cleanup();
	return 0;
}
