/*
 * door_prep.c - the check-in benchmark's database: N people registered
 * for EVENT (tn_register, each with a real ticket issued by the accepted
 * hook, in one transaction, since N separate `turnout register` runs
 * would take minutes), G gates (tn_gate_add), then the tickets' codes
 * (tn_ticket_each, made from the signing key as `ticket list` does)
 * written to DIR/codes, one per line, and the gates' tokens to
 * DIR/tokens. The database must exist (`turnout init`) with the event.
 * Built by `make $(BUILD)/bench/door_prep`, not by make check.
 *
 * usage: door_prep DB EVENT N G DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include "turnout/db.h"
#include "turnout/door.h"
#include "turnout/registration.h"
#include "turnout/store.h"
#include "turnout/ticket.h"

static int put_code(void *ctx, const struct tn_ticket *t)
{
	return fprintf(ctx, "%s\n", t->code) < 0;
}

int main(int argc, char **argv)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_rsvp_result res;
	struct tn_gate g;
	struct tn_db *db = NULL;
	char name[64], email[64], path[4096], token[TN_GATE_TOKEN_LEN + 1];
	FILE *codes = NULL, *tokens = NULL;
	long n, gates, i;
	tn_code rc;

	if (argc != 6 || (n = atol(argv[3])) <= 0 || (gates = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: door_prep DB EVENT N G DIR\n");
		return 2;
	}
	tn_db_global_init();
	if ((rc = tn_db_open(argv[1], 0, &db, &err)) != TN_OK)
		goto fail;
	if ((rc = tn_db_begin(db, &err)) != TN_OK)
		goto fail;
	for (i = 1; rc == TN_OK && i <= n; i++) {
		snprintf(name, sizeof(name), "Guest %ld", i);
		snprintf(email, sizeof(email), "guest%ld@example.org", i);
		rc = tn_register(db, argv[2], name, email, NULL, TN_SOURCE_DIRECT, &res, &err);
	}
	for (i = 1; rc == TN_OK && i <= gates; i++) {
		snprintf(name, sizeof(name), "gate-%ld", i);
		if ((rc = tn_gate_add(db, argv[2], name, &g, token, &err)) != TN_OK)
			break;
		if (!tokens) {
			snprintf(path, sizeof(path), "%s/tokens", argv[5]);
			if (!(tokens = fopen(path, "w")))
				rc = tn_err_set(&err, TN_IO, "'%s': cannot write", path);
		}
		if (tokens)
			fprintf(tokens, "%s\n", token);
	}
	if ((rc = tn_db_end(db, rc, &err)) != TN_OK)
		goto fail;
	snprintf(path, sizeof(path), "%s/codes", argv[5]);
	if (!(codes = fopen(path, "w")))
		goto fail;
	if ((rc = tn_ticket_each(db, argv[2], put_code, codes, &err)) != TN_OK)
		goto fail;
	if (fclose(codes) != 0 || (tokens && fclose(tokens) != 0))
		goto fail;
	tn_db_close(db);
	return 0;
fail:
	fprintf(stderr, "door_prep: %s\n", err.msg);
	tn_db_close(db);
	return 1;
}
