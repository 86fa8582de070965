/*
 * ticket_bench.c - how many tickets turnout makes per second: for each
 * one the signed code (tn_ticketcode_make: Ed25519 with libsodium,
 * base32), its QR symbol and PNG at 4 px per module (tn_qr_png: libqrencode
 * and libpng), and the PNG written to its own file in DIR (plain writes,
 * no fsync, as the Python side does). bench/baseline_tickets.py does the
 * same job in Python. Built by `make $(BUILD)/bench/ticket_bench`, not by
 * make check.
 *
 * usage: ticket_bench N DIR
 * prints: turnout: N tickets in S s: M tickets/s (U us each; code U1 us, png U2 us)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "turnout/buf.h"
#include "turnout/qr.h"
#include "turnout/ticketcode.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned char pk[32], sk[64], seed[32];
	char code[TN_TICKETCODE_SIZE], path[4096];
	struct tn_buf png = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	double t0, t1, t2, in_code = 0, in_png = 0, total;
	long n, i;
	FILE *f;

	if (argc != 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: ticket_bench N DIR\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	memset(seed, 0x42, sizeof(seed));   /* the Python side's key too */
	crypto_sign_seed_keypair(pk, sk, seed);
	t0 = now();
	for (i = 1; i <= n; i++) {
		t1 = now();
		if (tn_ticketcode_make(sk, 1, i, code, sizeof(code), &err) != TN_OK)
			goto fail;
		t2 = now();
		in_code += t2 - t1;
		tn_buf_reset(&png);
		if (tn_qr_png(code, 4, &png, &err) != TN_OK)
			goto fail;
		in_png += now() - t2;
		snprintf(path, sizeof(path), "%s/ticket-%ld.png", argv[2], i);
		if (!(f = fopen(path, "wb")) || fwrite(png.data, 1, png.len, f) != png.len ||
		    fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	total = now() - t0;
	printf("turnout: %ld tickets in %.3f s: %.0f tickets/s (%.1f us each; code %.1f us, png %.1f us)\n",
	       n, total, n / total, total / n * 1e6, in_code / n * 1e6, in_png / n * 1e6);
	tn_buf_free(&png);
	sodium_memzero(sk, sizeof(sk));
	return 0;
fail:
	fprintf(stderr, "ticket_bench: %s\n", err.msg);
	return 1;
}
