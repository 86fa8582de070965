/*
 * web/api.c - the door's JSON API under /api/v1/events/E/: checkins (a
 * scan, answered after its group's commit: commit.c), walkins, stats,
 * pubkey and revoked. Every endpoint needs the Bearer token of a gate of
 * event E (tn_door_by_token) and answers 401 otherwise, having read
 * nothing more and recorded nothing. Each is a thin layer over door.h;
 * JSON is read and written with cJSON. The server (server.c) has already
 * refused a wrong Content-Type (415) and a body over WEB_JSON_MAX (413).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "turnout/door.h"
#include "turnout/event.h"
#include "turnout/ticketcode.h"
#include "web/web.h"

void web_respond_json_error(struct web_response *rs, int status, const char *msg,
			    const char *field)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;

	rs->status = status;
	rs->type = "application/json";
	rs->no_store = 1;
	tn_buf_reset(&rs->body);
	if (o && cJSON_AddStringToObject(o, "error", msg) &&
	    (!field || !field[0] || cJSON_AddStringToObject(o, "field", field)) &&
	    (text = cJSON_PrintUnformatted(o)))
		tn_buf_add(&rs->body, text);   /* else an empty body */
	cJSON_free(text);
	cJSON_Delete(o);
}

/* Answers o (which it frees) as the 200 JSON body. */
static void respond_json(struct web_response *rs, cJSON *o)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	if (!text || tn_buf_add(&rs->body, text) != TN_OK) {
		web_respond_json_error(rs, 500, "out of memory", NULL);
	} else {
		rs->status = 200;
		rs->type = "application/json";
		rs->no_store = 1;
	}
	cJSON_free(text);
	cJSON_Delete(o);
}

/* Answers a library failure: the caller's mistakes with the library's
 * words and the field they are about, anything else 500 (logged). */
static void respond_failure(struct web_response *rs, const struct tn_err *err,
			    tn_code rc)
{
	int status = rc == TN_CONFLICT ? 409 : rc == TN_NOTFOUND ? 404 :
		     rc == TN_USAGE || rc == TN_BADINPUT ? 400 : 500;

	if (status == 500) {
		web_log_error(err, rc);
		web_respond_json_error(rs, 500, "internal error", NULL);
		return;
	}
	web_respond_json_error(rs, status, err->msg[0] ? err->msg : tn_strerror(rc),
			       err->field);
}

/*
 * The door of the gate whose Bearer token the request carries, which
 * must be a gate of the event in the path, into *d; 0 if so, else the
 * response (401, or 503 without a database) is filled and it returns -1.
 */
static int authorize(const struct web_request *rq, struct web_response *rs,
		     struct tn_door *d)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	if (!rq->db) {
		web_respond_json_error(rs, 503, "the database cannot be opened", NULL);
		return -1;
	}
	rc = rq->bearer ? tn_door_by_token(rq->db, rq->bearer, rq->param, d, &err)
			: TN_NOTFOUND;
	if (rc == TN_OK)
		return 0;
	if (rc != TN_NOTFOUND) {
		web_log_error(&err, rc);
		web_respond_json_error(rs, 500, "internal error", NULL);
		return -1;
	}
	/* unknown, revoked, another event's: all alike */
	web_respond_json_error(rs, 401, "a gate token of this event is required: "
			       "open the gate's login link", NULL);
	rs->bearer_challenge = 1;
	return -1;
}

/* The JSON object of the request body, or NULL with the response (400)
 * filled. Caller frees it with cJSON_Delete. */
static cJSON *read_body(const struct web_request *rq, struct web_response *rs)
{
	cJSON *o = cJSON_ParseWithLength(rq->body, rq->body_len);

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		web_respond_json_error(rs, 400, "the body is not a JSON object", NULL);
		return NULL;
	}
	return o;
}

/* The string member name of o into *out (NULL when absent and not
 * required); 0, or -1 with the response (400) filled. */
static int get_string(cJSON *o, const char *name, int required, const char **out,
		      struct web_response *rs)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (!v && !required)
		return 0;
	web_respond_json_error(rs, 400, v ? "not a string" : "missing", name);
	return -1;
}

/* ---- POST checkins: read here, recorded by the committer ----------------- */

struct api_checkin {
	struct web_later later;              /* first: the server holds this */
	struct web_commit_job commit;
	struct tn_door door;
	struct web_committer *committer;
};

#define CHECKIN_OF(field, p) \
	((struct api_checkin *)((char *)(p) - offsetof(struct api_checkin, field)))

static void checkin_start(struct web_later *l)
{
	struct api_checkin *a = CHECKIN_OF(later, l);

	web_committer_submit(a->committer, &a->commit);
}

static void checkin_done(struct web_commit_job *j)
{
	web_later_done(&CHECKIN_OF(commit, j)->later);
}

static void checkin_answer(struct web_later *l, struct web_response *rs)
{
	struct api_checkin *a = CHECKIN_OF(later, l);

	if (a->commit.rc != TN_OK)   /* nothing of its group was recorded */
		web_respond_json_error(rs, 503, "the scan could not be recorded: "
				       "scan again", NULL);
	else
		respond_json(rs, tn_checkin_json(&a->commit.job.result));
}

static void checkin_release(struct web_later *l)
{
	struct api_checkin *a = CHECKIN_OF(later, l);

	tn_checkin_clear(&a->commit.job.result);
	free(a);
}

void web_api_checkin(const struct web_request *rq, struct web_response *rs)
{
	struct api_checkin *a = calloc(1, sizeof(*a));
	const char *code;
	cJSON *o = NULL;

	if (!a) {
		web_respond_json_error(rs, 500, "out of memory", NULL);
		return;
	}
	if (authorize(rq, rs, &a->door) != 0 || !(o = read_body(rq, rs)) ||
	    get_string(o, "code", 1, &code, rs) != 0) {
		cJSON_Delete(o);
		free(a);
		return;
	}
	/* the signature is verified here, in this worker thread; only the
	 * recording is the committer's */
	tn_scan_read(&a->door, code, strlen(code), &a->commit.job.scan);
	cJSON_Delete(o);
	a->commit.job.door = &a->door;
	a->commit.done = checkin_done;
	a->committer = rq->committer;
	a->later.start = checkin_start;
	a->later.answer = checkin_answer;
	a->later.release = checkin_release;
	rs->later = &a->later;
}

/* ---- POST walkins --------------------------------------------------------- */

void web_api_walkin(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_checkin c;
	struct tn_door d;
	const char *name, *email, *channel;
	cJSON *o;
	tn_code rc;

	if (authorize(rq, rs, &d) != 0 || !(o = read_body(rq, rs)))
		return;
	if (get_string(o, "name", 1, &name, rs) == 0 &&
	    get_string(o, "email", 0, &email, rs) == 0 &&
	    get_string(o, "channel", 0, &channel, rs) == 0) {
		memset(&c, 0, sizeof(c));
		rc = tn_walkin(rq->db, &d, name, email && email[0] ? email : NULL,
			       channel && channel[0] ? channel : NULL, &c, &err);
		if (rc == TN_OK)
			respond_json(rs, tn_checkin_json(&c));
		else
			respond_failure(rs, &err, rc);
		tn_checkin_clear(&c);
	}
	cJSON_Delete(o);
}

/* ---- GET stats, pubkey, revoked ------------------------------------------- */

static int add_gate(void *ctx, const struct tn_gate *g)
{
	cJSON *o = cJSON_CreateObject();

	if (o && cJSON_AddStringToObject(o, "name", g->name) &&
	    cJSON_AddNumberToObject(o, "scans", (double)g->scans) &&
	    cJSON_AddNumberToObject(o, "admitted", (double)g->admitted) &&
	    cJSON_AddBoolToObject(o, "revoked", g->revoked_at[0] != '\0') &&
	    cJSON_AddItemToArray(ctx, o))
		return 0;
	cJSON_Delete(o);
	return 1;   /* stops: out of memory */
}

void web_api_stats(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_door_stats st;
	struct tn_event ev;
	struct tn_door d;
	cJSON *o = NULL, *gates = NULL;
	tn_code rc;
	int ok;

	if (authorize(rq, rs, &d) != 0)
		return;
	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_door_stats(rq->db, d.event_id, &st, &err)) == TN_OK)
		rc = tn_event_find(rq->db, d.event, &ev, &err);
	if (rc == TN_OK && (!(o = cJSON_CreateObject()) ||
			    !(gates = cJSON_CreateArray())))
		rc = tn_err_set(&err, TN_NOMEM, "out of memory");
	if (rc == TN_OK)
		rc = tn_gate_each(rq->db, d.event, add_gate, gates, &err);
	if (rc != TN_OK) {
		cJSON_Delete(gates);
		cJSON_Delete(o);
		tn_event_clear(&ev);
		respond_failure(rs, &err, rc);
		return;
	}
	ok = cJSON_AddStringToObject(o, "event", d.event) &&
	     cJSON_AddStringToObject(o, "title", ev.title) &&
	     cJSON_AddNumberToObject(o, "admitted", (double)st.admitted) &&
	     cJSON_AddNumberToObject(o, "expected", (double)st.expected) &&
	     cJSON_AddNumberToObject(o, "walkins", (double)st.walkins) &&
	     cJSON_AddNumberToObject(o, "scans", (double)st.scans);
	if (!ok || !cJSON_AddItemToObject(o, "gates", gates)) {
		cJSON_Delete(gates);
		cJSON_Delete(o);
		o = NULL;
	}
	tn_event_clear(&ev);
	respond_json(rs, o);
}

void web_api_pubkey(const struct web_request *rq, struct web_response *rs)
{
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	struct tn_door d;
	cJSON *o;

	if (authorize(rq, rs, &d) != 0)
		return;
	sodium_bin2base64(b64, sizeof(b64), d.pk, sizeof(d.pk),
			  sodium_base64_VARIANT_ORIGINAL);
	o = cJSON_CreateObject();
	if (o && !(cJSON_AddStringToObject(o, "event", d.event) &&
		   cJSON_AddNumberToObject(o, "event_id", (double)d.event_id) &&
		   cJSON_AddStringToObject(o, "algorithm", "ed25519") &&
		   cJSON_AddStringToObject(o, "public_key", b64) &&
		   cJSON_AddNumberToObject(o, "code_format", TN_TICKETCODE_VERSION))) {
		cJSON_Delete(o);
		o = NULL;
	}
	respond_json(rs, o);
}

static int add_revoked(void *ctx, int64_t ticket_id)
{
	cJSON *n = cJSON_CreateNumber((double)ticket_id);

	return !n || !cJSON_AddItemToArray(ctx, n);
}

void web_api_revoked(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_door d;
	cJSON *o, *list;
	tn_code rc;

	if (authorize(rq, rs, &d) != 0)
		return;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "event", d.event) ||
	    !(list = cJSON_AddArrayToObject(o, "revoked"))) {
		cJSON_Delete(o);
		respond_json(rs, NULL);
		return;
	}
	if ((rc = tn_door_revoked_each(rq->db, d.event_id, add_revoked, list, &err)) != TN_OK) {
		cJSON_Delete(o);
		respond_failure(rs, &err, rc);
		return;
	}
	respond_json(rs, o);
}
