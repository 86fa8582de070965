/*
 * t_sorter.c - the external merge sort (sorter.h): records come back in
 * key order, equal keys in the order added, the same whether they stayed
 * in memory or went through many runs on disk; records bigger than the
 * buffers; a run file that cannot be made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "turnout/sorter.h"

struct ref {
	char key[40];
	size_t klen;
	char *data;
	size_t dlen;
	size_t seq;
};

static unsigned seed = 20261129u;

static unsigned next_rand(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int ref_cmp(const void *va, const void *vb)
{
	const struct ref *a = va, *b = vb;
	int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);

	if (c)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* n records with keys that share long prefixes (past the 8 key bytes an
 * index entry holds), repeat, are empty, or are a prefix of another. */
static struct ref *make_records(size_t n)
{
	static const char *const stems[] = {
		"", "a", "ab", "anna.meyer.", "anna.meyer.1", "anna.meyer.12",
		"zz\xC3\xA9", "user", "user1", "\x7F\xFF",
	};
	struct ref *r = calloc(n, sizeof(*r));
	size_t i, j;

	for (i = 0; r && i < n; i++) {
		const char *stem = stems[next_rand() % (sizeof(stems) / sizeof(stems[0]))];
		size_t extra = next_rand() % 4;

		r[i].klen = strlen(stem);
		memcpy(r[i].key, stem, r[i].klen);
		for (j = 0; j < extra; j++)
			r[i].key[r[i].klen++] = (char)('0' + next_rand() % 3);
		r[i].dlen = next_rand() % 50;
		r[i].data = malloc(r[i].dlen + 1);
		for (j = 0; r[i].data && j < r[i].dlen; j++)
			r[i].data[j] = (char)(next_rand() & 0xFF);
		r[i].seq = i;
	}
	return r;
}

/* Sorts n records with the given budget; 1 if they come back in order. */
static int sorts(struct ref *r, size_t n, size_t budget, unsigned *runs)
{
	struct tn_sorter *s;
	struct tn_sorter_rec rec;
	struct tn_err err;
	struct ref *want = malloc((n ? n : 1) * sizeof(*want));
	size_t i, bad = 0;
	int got;

	if (!want || tn_sorter_new(budget, &s) != TN_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (tn_sorter_add(s, r[i].key, r[i].klen, r[i].data, r[i].dlen, &err) != TN_OK) {
			printf("# add: %s\n", err.msg);
			bad++;
		}
	memcpy(want, r, n * sizeof(*want));
	qsort(want, n, sizeof(*want), ref_cmp);
	for (i = 0; !bad; i++) {
		if (tn_sorter_next(s, &rec, &got, &err) != TN_OK) {
			printf("# next: %s\n", err.msg);
			bad++;
			break;
		}
		if (!got)
			break;
		if (i >= n || rec.klen != want[i].klen || memcmp(rec.key, want[i].key, rec.klen) ||
		    rec.dlen != want[i].dlen || memcmp(rec.data, want[i].data, rec.dlen)) {
			if (bad++ < 3)
				printf("# record %zu out of place\n", i);
		}
	}
	if (i != n)
		bad++;
	*runs = tn_sorter_runs(s);
	is_int(tn_sorter_count(s), n, "it counts the records");
	tn_sorter_free(s);
	free(want);
	return !bad;
}

static void test_orders(void)
{
	size_t n = 30000, i;
	struct ref *r = make_records(n);
	unsigned runs = 0;

	ok(r && sorts(r, n, 0, &runs), "in memory: key order, equal keys as added");
	is_int(runs, 0, "no run written without a budget");
	ok(sorts(r, n, 64 << 10, &runs), "through runs on disk: the same order");
	ok(runs > 10, "a small budget makes many runs (%u)", runs);
	ok(sorts(r, 1, 1, &runs), "one record");
	ok(sorts(r, 0, 1, &runs), "no record");
	for (i = 0; r && i < n; i++)
		free(r[i].data);
	free(r);
}

/* Records bigger than the sorter's write and read buffers. */
static void test_big_records(void)
{
	struct ref r[5];
	unsigned runs = 0;
	size_t i, sizes[] = { 3u << 20, 10, 300u << 10, 70u << 10, 1 };

	for (i = 0; i < 5; i++) {
		snprintf(r[i].key, sizeof(r[i].key), "k%zu", 5 - i);
		r[i].klen = strlen(r[i].key);
		r[i].dlen = sizes[i];
		r[i].data = malloc(sizes[i]);
		if (r[i].data)
			memset(r[i].data, (int)('a' + i), sizes[i]);
		r[i].seq = i;
	}
	ok(sorts(r, 5, 1, &runs), "records of megabytes, one run each");
	is_int(runs, 4, "every record but the last in memory went to a run");
	for (i = 0; i < 5; i++)
		free(r[i].data);
}

static void test_no_run_file(void)
{
	struct tn_sorter *s;
	struct tn_err err;
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	tn_code rc = TN_OK;
	int i;

	setenv("TMPDIR", "/nonexistent-turnout-dir", 1);
	if (tn_sorter_new(16, &s) != TN_OK)
		return;
	for (i = 0; i < 3 && rc == TN_OK; i++)
		rc = tn_sorter_add(s, "key", 3, "data", 4, &err);
	is_int(rc, TN_IO, "a run file that cannot be made is an I/O error");
	ok(strstr(err.msg, "/nonexistent-turnout-dir") != NULL, "naming the directory: %s",
	   err.msg);
	tn_sorter_free(s);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}

int main(void)
{
	test_orders();
	test_big_records();
	test_no_run_file();
	return tap_done();
}
