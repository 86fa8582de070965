/*
 * cmd/registration.c - 'rsvp', 'register' and the 'registration'
 * commands: answering an invitation by its token, registering someone
 * directly, listing an event's registrations, and the organizer's
 * approvals. The rules (seats, waitlist, approval) are registration.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/inbox.h"
#include "turnout/invite.h"
#include "turnout/registration.h"
#include "turnout/text.h"

/* What the command did, for the line it prints. */
enum verb { VERB_ANSWER, VERB_REGISTER, VERB_APPROVE, VERB_DECLINE };

static cJSON *result_json(const struct tn_rsvp_result *r, enum verb verb)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "event", r->event);
	cJSON_AddNumberToObject(o, "person", (double)r->person_id);
	cJSON_AddNumberToObject(o, "registration", (double)r->registration_id);
	cJSON_AddStringToObject(o, "status", tn_registration_status_name(r->status));
	if (r->previous == TN_REG_NONE)
		cJSON_AddNullToObject(o, "previous");
	else
		cJSON_AddStringToObject(o, "previous",
					tn_registration_status_name(r->previous));
	cJSON_AddBoolToObject(o, "changed", r->changed);
	if (verb == VERB_REGISTER) {
		cJSON_AddBoolToObject(o, "person_created", r->person_created);
		if (r->merged_person_id)
			cJSON_AddNumberToObject(o, "merged_person",
						(double)r->merged_person_id);
		else
			cJSON_AddNullToObject(o, "merged_person");
	}
	if (r->capacity > 0)
		cJSON_AddNumberToObject(o, "capacity", (double)r->capacity);
	else
		cJSON_AddNullToObject(o, "capacity");
	cJSON_AddNumberToObject(o, "taken", (double)r->taken);
	if (r->status == TN_REG_WAITLISTED)
		cJSON_AddNumberToObject(o, "waitlist_position", (double)r->waitlist_pos);
	else
		cJSON_AddNullToObject(o, "waitlist_position");
	cJSON_AddNumberToObject(o, "promoted", (double)r->promoted);
	if (r->promoted_person_id)
		cJSON_AddNumberToObject(o, "promoted_person", (double)r->promoted_person_id);
	else
		cJSON_AddNullToObject(o, "promoted_person");
	return o;
}

/* Prints what the answer, registration or decision came to: one line
 * on stdout (two when someone moved up from the waitlist); with json
 * one object. Returns an exit status. */
static int print_result(const struct tn_rsvp_result *r, enum verb verb, int json)
{
	static const char *const yes_words[] = {
		[VERB_ANSWER] = "answered yes", [VERB_REGISTER] = "registered",
		[VERB_APPROVE] = "approved", [VERB_DECLINE] = "has a seat",
	};

	if (json)
		return cli_print_json(result_json(r, verb));
	switch (r->status) {
	case TN_REG_YES:
		printf("%s for '%s'", yes_words[verb], r->event);
		if (r->capacity > 0)
			printf(" (%" PRId64 " of %" PRId64 " seats taken)", r->taken,
			       r->capacity);
		break;
	case TN_REG_WAITLISTED:
		printf("waitlisted for '%s' (%" PRId64 " of %" PRId64 " seats taken;"
		       " number %" PRId64 " in line)", r->event, r->taken, r->capacity,
		       r->waitlist_pos);
		break;
	case TN_REG_PENDING:
		printf("waiting for the organizer's approval for '%s'", r->event);
		break;
	case TN_REG_DECLINED:
		printf("declined for '%s'", r->event);
		break;
	default:
		printf("answered %s for '%s'", tn_registration_status_name(r->status),
		       r->event);
		break;
	}
	printf("\n");
	if (r->merged_person_id)
		printf("person %" PRId64 ", known by that handle, is now person %" PRId64
		       "\n", r->merged_person_id, r->person_id);
	if (r->promoted)
		printf("person %" PRId64 " moved up from the waitlist%s\n",
		       r->promoted_person_id, r->promoted > 1 ? " (and others)" : "");
	fflush(stdout);   /* before the note, in a shared log */
	if (!r->changed)
		fprintf(stderr, "note: nothing changed; that was the state already\n");
	return EXIT_OK;
}

/* 1 if a is shaped like a personal token: TN_INVITE_TOKEN_LEN characters
 * of URL-safe base64. */
static int token_shaped(const char *a)
{
	return strlen(a) == TN_INVITE_TOKEN_LEN &&
		strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789-_") == TN_INVITE_TOKEN_LEN;
}

/*
 * A token is URL-safe base64, so one in 32 begins with '-', which the
 * option parser would take for an option. Returns a new argument vector
 * (the strings are argv's; caller frees the array) with the options
 * first, then "--", then the positional arguments in their order, a
 * token-shaped one among them; NULL when out of memory.
 */
static int takes_value(const char *opt)
{
	return strcmp(opt, "--db") == 0 || strcmp(opt, "--reply") == 0 ||
	       strcmp(opt, "--fetch-imap") == 0 || strcmp(opt, "--password-file") == 0;
}

static char **token_args(int argc, char **argv, int *out_argc)
{
	char **out = calloc((size_t)argc + 2, sizeof(*out));
	int i, n = 0, only_pos = 0;

	if (!out)
		return NULL;
	for (i = 0; i < argc; i++) {   /* the options, and their values */
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && argv[i][1] && !token_shaped(argv[i])) {
			out[n++] = argv[i];
			if (takes_value(argv[i]) && i + 1 < argc)
				out[n++] = argv[++i];
		}
	}
	out[n++] = "--";
	for (i = 0; i < argc; i++) {   /* then the rest, in order */
		if (!only_pos && strcmp(argv[i], "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || argv[i][0] != '-' || !argv[i][1] || token_shaped(argv[i]))
			out[n++] = argv[i];
		else if (takes_value(argv[i]) && i + 1 < argc)
			i++;
	}
	*out_argc = n;
	return out;
}

/* Reads a whole file (path "-": stdin) of at most max bytes into *out;
 * what names what is read in a message ("a calendar reply"). */
static int read_input(const char *path, size_t max, const char *what,
		      struct tn_buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int status = 0;

	if (!f) {
		fprintf(stderr, "turnout: '%s': cannot read: %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			fprintf(stderr, "turnout: '%s': larger than %zu bytes: not %s\n",
				path, max, what);
			status = EXIT_FAILED;
			break;
		}
		if (tn_buf_addn(out, chunk, n) != TN_OK) {
			fprintf(stderr, "turnout: out of memory\n");
			status = EXIT_FAILED;
			break;
		}
	}
	if (!status && ferror(f)) {
		fprintf(stderr, "turnout: '%s': cannot read: %s\n", path, strerror(errno));
		status = EXIT_FAILED;
	}
	if (f != stdin)
		fclose(f);
	return status;
}

/* rsvp --reply FILE: the answer a calendar mailed back. */
static int answer_reply(struct cli *c, const char *path, int json)
{
	struct tn_buf data = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_inbox_answer a;
	int status;
	tn_code rc;

	if ((status = read_input(path, 4 * 1024 * 1024, "a calendar reply", &data)) != 0) {
		tn_buf_free(&data);
		return status;
	}
	rc = tn_inbox_apply(c->db, data.data, data.len, &a, &err);
	tn_buf_free(&data);
	if (rc != TN_OK) {
		if (a.outcome == TN_INBOX_NOT_REPLY)
			tn_err_prefix(&err, rc, "'%s'", path);
		tn_inbox_answer_clear(&a);
		return cli_fail(&err, rc);
	}
	if (a.outcome == TN_INBOX_OUTDATED) {
		fprintf(stderr, "note: '%s': ignored: it answers SEQUENCE %lld of '%s', and "
			"a reply to SEQUENCE %lld was applied already\n", path,
			a.reply.sequence, a.res.event, (long long)a.stale_after);
		status = EXIT_OK;
		if (json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "event", a.res.event);
			cJSON_AddBoolToObject(o, "changed", 0);
			cJSON_AddBoolToObject(o, "stale", 1);
			status = cli_print_json(o);
		}
		tn_inbox_answer_clear(&a);
		return status;
	}
	status = print_result(&a.res, VERB_ANSWER, json);
	tn_inbox_answer_clear(&a);
	return status;
}

/* The password for --fetch-imap: the first line of --password-file
 * (- for stdin), else $TURNOUT_IMAP_PASSWORD; never a command-line
 * argument, where other users see it. Returns 0 with *out (caller frees
 * and zeroes) or an exit status after saying why. */
static int imap_password(const char *file, char **out)
{
	struct tn_buf data = TN_BUF_INIT;
	const char *env = getenv("TURNOUT_IMAP_PASSWORD");
	size_t n;
	int status;

	*out = NULL;
	if (!file) {
		if (!env || !*env)
			return cli_usage_error("rsvp: --fetch-imap needs the mailbox's "
					       "password: give --password-file FILE (- for "
					       "stdin) or set $TURNOUT_IMAP_PASSWORD");
		if (!(*out = strdup(env))) {
			fprintf(stderr, "turnout: out of memory\n");
			return EXIT_FAILED;
		}
		return 0;
	}
	if ((status = read_input(file, 4096, "a password", &data)) != 0) {
		explicit_bzero(data.data, data.len);
		tn_buf_free(&data);
		return status;
	}
	n = strcspn(data.data, "\r\n");
	if (n == 0) {
		explicit_bzero(data.data, data.len);
		tn_buf_free(&data);
		fprintf(stderr, "turnout: --password-file: '%s': the first line is empty\n",
			file);
		return EXIT_USAGE;
	}
	explicit_bzero(data.data + n, data.len - n);
	data.data[n] = '\0';
	data.len = n;
	if (!(*out = tn_buf_detach(&data, NULL))) {
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	return 0;
}

/* What --fetch-imap prints as it goes: on a terminal one line per applied
 * answer; every failure on stderr; with --json one item per message. */
struct fetch_output {
	int json, terminal;
	cJSON *messages;
};

static const char *const outcome_names[] = {
	[TN_INBOX_APPLIED] = "applied", [TN_INBOX_OUTDATED] = "outdated",
	[TN_INBOX_NOT_REPLY] = "ignored", [TN_INBOX_UNMATCHED] = "unmatched",
	[TN_INBOX_REFUSED] = "refused", [TN_INBOX_FAILED] = "failed",
};

static void fetched_message(void *ctx, uint32_t uid, const struct tn_inbox_answer *a,
			    tn_code rc, const struct tn_err *err)
{
	struct fetch_output *o = ctx;
	int answered = a->outcome == TN_INBOX_APPLIED || a->outcome == TN_INBOX_OUTDATED;

	if (a->outcome == TN_INBOX_FAILED || a->outcome == TN_INBOX_REFUSED)
		cli_fail(err, rc);
	if (o->json) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddNumberToObject(m, "uid", (double)uid);
		cJSON_AddStringToObject(m, "outcome", outcome_names[a->outcome]);
		if (a->have_reply)
			cJSON_AddStringToObject(m, "attendee", a->reply.attendee);
		if (answered) {
			cJSON_AddStringToObject(m, "event", a->res.event);
			cJSON_AddNumberToObject(m, "person", (double)a->res.person_id);
		}
		if (a->outcome == TN_INBOX_APPLIED) {
			cJSON_AddStringToObject(m, "status",
						tn_registration_status_name(a->res.status));
			cJSON_AddBoolToObject(m, "changed", a->res.changed);
		}
		if (rc != TN_OK)
			cJSON_AddStringToObject(m, "reason", err->msg);
		cJSON_AddItemToArray(o->messages, m);
	} else if (o->terminal && a->outcome == TN_INBOX_APPLIED) {
		cli_put_term(a->reply.attendee);
		printf(": %s for '", tn_registration_status_name(a->res.status));
		cli_put_term(a->res.event);
		printf("'%s\n", a->res.changed ? "" : " (as before)");
	}
}

/* rsvp --fetch-imap URL: every calendar reply among the mailbox's unseen
 * messages. */
static int fetch_imap(struct cli *c, const char *url, const char *password_file,
		      int json)
{
	struct fetch_output o = { .json = json, .terminal = isatty(STDOUT_FILENO) };
	struct tn_err err = TN_ERR_INIT;
	struct tn_inbox_summary sum;
	char *password;
	int status;
	tn_code rc;

	if ((status = imap_password(password_file, &password)) != 0)
		return status;
	if (json && !(o.messages = cJSON_CreateArray())) {
		free(password);
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	rc = tn_inbox_fetch_imap(c->db, url, password, fetched_message, &o, &sum, &err);
	explicit_bzero(password, strlen(password));
	free(password);
	status = EXIT_OK;
	if (rc == TN_OK || sum.unseen) {   /* the mailbox was read: what came of it */
		if (json) {
			cJSON *j = cJSON_CreateObject();

			cJSON_AddNumberToObject(j, "unseen", (double)sum.unseen);
			cJSON_AddNumberToObject(j, "applied", (double)sum.applied);
			cJSON_AddNumberToObject(j, "outdated", (double)sum.outdated);
			cJSON_AddNumberToObject(j, "ignored", (double)sum.ignored);
			cJSON_AddNumberToObject(j, "unmatched", (double)sum.unmatched);
			cJSON_AddNumberToObject(j, "refused", (double)sum.refused);
			cJSON_AddNumberToObject(j, "failed", (double)sum.failed);
			cJSON_AddItemToObject(j, "messages", o.messages);
			o.messages = NULL;
			status = cli_print_json(j);
		} else {
			printf("applied %lld, ignored %lld, unmatched %lld",
			       (long long)sum.applied, (long long)sum.ignored,
			       (long long)sum.unmatched);
			if (sum.outdated)
				printf(", outdated %lld", (long long)sum.outdated);
			if (sum.refused)
				printf(", refused %lld", (long long)sum.refused);
			if (sum.failed)
				printf(", failed %lld", (long long)sum.failed);
			printf("\n");
		}
	}
	cJSON_Delete(o.messages);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return status ? status : sum.failed || sum.refused ? EXIT_FAILED : EXIT_OK;
}

CLI_HANDLER(cmd_rsvp)
{
	const char *reply = NULL, *imap = NULL, *password_file = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("reply", 0, &reply, "FILE",
			    "answer from a calendar's reply: an .ics or a whole e-mail "
			    "(- for stdin)"),
		OPT_STRING_("fetch-imap", 0, &imap, "URL",
			    "apply the calendar replies among the unseen messages of "
			    "this mailbox: imaps://user@host/INBOX"),
		OPT_STRING_("password-file", 0, &password_file, "FILE",
			    "the mailbox's password: the first line of FILE (- for "
			    "stdin); else $TURNOUT_IMAP_PASSWORD"),
		OPT_BOOL_("json", 0, &json, "print the outcome as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_rsvp_result res;
	enum tn_reg_status answer;
	char *pos[2] = { NULL, NULL }, **args;
	int nargs, status, npos;
	tn_code rc;

	if (!(args = token_args(argc, argv, &nargs))) {
		fprintf(stderr, "turnout: out of memory\n");
		return EXIT_FAILED;
	}
	status = cli_parse(c, nargs, args, opts,
			   "turnout rsvp TOKEN yes|no|maybe [--json]\n"
			   "       turnout rsvp --reply FILE [--json]\n"
			   "       turnout rsvp --fetch-imap URL [--password-file FILE] [--json]",
			   "Answers an invitation with its personal token, the last part of\n"
			   "the RSVP link in the invitee's e-mail (base-url/rsvp/TOKEN), as\n"
			   "the invitee would on the RSVP page. A yes takes a seat, or a\n"
			   "place in the waitlist when the event is full, or waits for the\n"
			   "organizer's approval when the event needs it; a yes that becomes\n"
			   "no or maybe gives the seat to the first person waiting. The\n"
			   "answer can change until the event starts.\n\n"
			   "With --reply, the answer is the one a calendar mailed back when\n"
			   "the invitee pressed Accept, Maybe or Decline: an iTIP REPLY as an\n"
			   ".ics file or the whole e-mail (as saved from the organizer's\n"
			   "mailbox). It is matched by the event's UID and the attendee's\n"
			   "address; a reply older (by SEQUENCE) than one already applied is\n"
			   "ignored, and says so.\n\n"
			   "With --fetch-imap, the replies are read from the organizer's\n"
			   "mailbox (the user is the URL's; the password comes from\n"
			   "--password-file or $TURNOUT_IMAP_PASSWORD, never the URL): every\n"
			   "unseen message is read without marking it, each reply is applied\n"
			   "as --reply applies it and its message marked seen; other mail and\n"
			   "replies that match no invitation stay unseen. A reply that can\n"
			   "never apply (its event cancelled or started, the registration\n"
			   "declined) is refused and marked seen too. It prints 'applied N,\n"
			   "ignored N, unmatched N' (and refused, failed), and on a terminal\n"
			   "each answer applied. A message refused or failed is said on\n"
			   "stderr, the others go on, and the exit status is 1; a failed one\n"
			   "stays unseen for the next run.\n\n"
			   "examples:\n"
			   "  turnout rsvp 3q2-Xv9kLm0aB7cD1eF4gH5i yes\n"
			   "  turnout rsvp -Xv9kLm0aB7cD1eF4gH5iq2w no --json\n"
			   "  turnout rsvp --reply 'Accepted: Readers meetup.eml'\n"
			   "  turnout rsvp --fetch-imap imaps://team%40example.org@mail.example.org/INBOX \\\n"
			   "      --password-file ~/.imap-password", 0, 2, pos);
	free(args);
	if (status)
		return status < 0 ? EXIT_OK : status;
	npos = !!pos[0] + !!pos[1];
	if (reply && imap)
		return cli_usage_error("rsvp: --reply and --fetch-imap: give one of them");
	if (password_file && !imap)
		return cli_usage_error("rsvp: --password-file is for --fetch-imap");
	if ((reply || imap) && npos)
		return cli_usage_error("rsvp: --%s takes no TOKEN or answer",
				       reply ? "reply FILE" : "fetch-imap URL");
	if (reply)
		return answer_reply(c, reply, json);
	if (imap)
		return fetch_imap(c, imap, password_file, json);
	if (npos != 2)
		return cli_usage_error("rsvp: give a TOKEN and an answer (yes, no or maybe), "
				       "--reply FILE or --fetch-imap URL");
	rc = tn_registration_status_parse(pos[1], 0, "answer", &answer, &err);
	if (rc == TN_OK)
		rc = tn_rsvp_by_token(c->db, pos[0], answer, &res, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return print_result(&res, VERB_ANSWER, json);
}

CLI_HANDLER(cmd_register)
{
	const char *name = NULL, *email = NULL, *channel = NULL, *handle = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("name", 0, &name, "NAME", "the person's name (required)"),
		OPT_STRING_("email", 0, &email, "ADDRESS",
			    "their e-mail address (required)"),
		OPT_STRING_("channel", 0, &channel, "NAME",
			    "the channel the registration counts for"),
		OPT_STRING_("handle", 0, &handle, "HANDLE",
			    "their handle on that channel: links a follower known by it"),
		OPT_BOOL_("json", 0, &json, "print the outcome as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_rsvp_result res;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout register EVENT --name NAME --email ADDRESS [--channel NAME]\n"
			   "       [--handle HANDLE] [--json]",
			   "Registers someone for EVENT directly, as a yes: a seat, or a place\n"
			   "in the waitlist when the event is full, or a request that waits\n"
			   "for approval when the event needs it. A new address becomes a new\n"
			   "person; registering the same address again updates the one\n"
			   "registration. With --channel the registration counts for that\n"
			   "channel in the reports. A forgotten person's address is refused.\n"
			   "--handle (with a --channel of kind telegram, mastodon, vk or\n"
			   "twitter) makes the follower known only by that handle on a channel\n"
			   "of that kind, without an address, part of this person; a follower\n"
			   "with another address is never taken over.\n\n"
			   "examples:\n"
			   "  turnout register readers-meetup --name 'Anna Berg' \\\n"
			   "      --email anna@example.org\n"
			   "  turnout register readers-meetup --name Carl --email carl@example.org \\\n"
			   "      --channel tg\n"
			   "  turnout register readers-meetup --name Olga --email olga@example.org \\\n"
			   "      --channel tg --handle @olga_iv", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_register_with_handle(c->db, pos[0], name, email, handle, channel,
				     TN_SOURCE_DIRECT, &res, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return print_result(&res, VERB_REGISTER, json);
}

static const struct cli_column list_columns[] = {
	{ "PERSON", 1 }, { "STATUS", 0 }, { "WAIT", 1 }, { "SOURCE", 0 },
	{ "CHANNEL", 0 }, { "UPDATED", 0 }, { "EMAIL", 0 }, { "NAME", 0 },
};
#define NCOLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static cJSON *row_json(const struct tn_registration_row *r, const char *email)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "person", (double)r->person_id);
	cli_json_text(o, "name", r->name);
	cli_json_text(o, "email", email);
	cJSON_AddStringToObject(o, "status", tn_registration_status_name(r->status));
	if (r->waitlist_pos)
		cJSON_AddNumberToObject(o, "waitlist_position", (double)r->waitlist_pos);
	else
		cJSON_AddNullToObject(o, "waitlist_position");
	cJSON_AddStringToObject(o, "source", tn_registration_source_name(r->source));
	cli_json_text(o, "channel", r->channel);
	cli_json_text(o, "created_at", r->created_at);
	cli_json_text(o, "updated_at", r->updated_at);
	return o;
}

static int list_one(void *ctx, const struct tn_registration_row *r)
{
	struct cli_listing *list = ctx;
	struct tn_buf shown = TN_BUF_INIT;
	const char *email = r->email, *cells[NCOLUMNS];
	char person[24], wait[24];
	int status;

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	/* the address as a person reads it: U-labels for the A-labels */
	if (email && tn_email_display(email, &shown) == TN_OK)
		email = shown.data;
	if (list->format == CLI_FORMAT_JSON) {
		status = cli_listing_json(list, row_json(r, email));
	} else {
		snprintf(person, sizeof(person), "%" PRId64, r->person_id);
		snprintf(wait, sizeof(wait), "%" PRId64, r->waitlist_pos);
		cells[0] = person;
		cells[1] = tn_registration_status_name(r->status);
		cells[2] = r->waitlist_pos ? wait : NULL;
		cells[3] = tn_registration_source_name(r->source);
		cells[4] = r->channel;
		cells[5] = r->updated_at;
		cells[6] = email;
		cells[7] = r->name;
		status = cli_listing_row(list, cells);
	}
	tn_buf_free(&shown);
	return status != 0;
}

CLI_HANDLER(cmd_registration_list)
{
	struct cli_listing list = { 0 };
	const char *status_arg = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("status", 0, &status_arg, "STATUS",
			    "only yes, no, maybe, waitlisted, pending or declined"),
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	enum tn_reg_status st = TN_REG_NONE;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout registration list EVENT [--status STATUS] [--format FORMAT]\n"
			   "       [--limit N] [--offset N] [--count]",
			   "Lists the registrations of EVENT in the order they were made, the\n"
			   "waitlist last in its order (WAIT: 1 is next in line): the person's\n"
			   "id (what 'registration approve' takes), the status, how they came\n"
			   "(invitation, link, direct, walk-in) and through which channel.\n\n"
			   "examples:\n"
			   "  turnout registration list readers-meetup\n"
			   "  turnout registration list readers-meetup --status pending\n"
			   "  turnout registration list readers-meetup --status yes --count\n"
			   "  turnout registration list readers-meetup --json", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (status_arg && (rc = tn_registration_status_parse(status_arg, 1, "status",
							     &st, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((status = cli_listing_start(&list, list_columns, NCOLUMNS)) != 0)
		return status;
	rc = tn_registration_each(c->db, pos[0], st, list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no registrations%s\n", status_arg ? " match" : " yet");
	return cli_listing_end(&list);
}

/* approve and decline: the same flags, another library call. */
static int decide(struct cli *c, int argc, char **argv, enum verb verb)
{
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print the outcome as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_rsvp_result res;
	char *pos[2];
	int status;
	tn_code rc;

	if (verb == VERB_APPROVE)
		status = cli_parse(c, argc, argv, opts,
				   "turnout registration approve EVENT PERSON [--json]",
				   "Approves a registration that waits for approval (or one that\n"
				   "was declined): the person gets a seat, or a place in the\n"
				   "waitlist when the event is full. PERSON is an id (as\n"
				   "'registration list' shows), an e-mail address or a handle.\n\n"
				   "examples:\n"
				   "  turnout registration approve readers-meetup 17\n"
				   "  turnout registration approve readers-meetup anna@example.org",
				   2, 2, pos);
	else
		status = cli_parse(c, argc, argv, opts,
				   "turnout registration decline EVENT PERSON [--json]",
				   "Declines a registration: one waiting for approval, in the\n"
				   "waitlist, or with a seat, which then goes to the first person\n"
				   "waiting. The invitee cannot change a declined registration;\n"
				   "'registration approve' can. PERSON is an id (as 'registration\n"
				   "list' shows), an e-mail address or a handle.\n\n"
				   "examples:\n"
				   "  turnout registration decline readers-meetup 17\n"
				   "  turnout registration decline readers-meetup anna@example.org",
				   2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = verb == VERB_APPROVE
		? tn_registration_approve(c->db, pos[0], pos[1], &res, &err)
		: tn_registration_decline(c->db, pos[0], pos[1], &res, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return print_result(&res, verb, json);
}

CLI_HANDLER(cmd_registration_approve)
{
	return decide(c, argc, argv, VERB_APPROVE);
}

CLI_HANDLER(cmd_registration_decline)
{
	return decide(c, argc, argv, VERB_DECLINE);
}
