/*
 * t_sorter.c - the external merge sort (sorter.h): records come back in
 * key order, equal keys in the order added, the same whether they stayed
 * in memory or went through many runs on disk; records bigger than the
 * buffers; a run file that cannot be made; sorts big enough to run on
 * several threads (in memory and for a run written to disk) give the
 * same order as a one-threaded reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/sorter.h"

struct ref {
	char *key;
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

		if (!(r[i].key = malloc(strlen(stem) + extra + 1)))
			continue;
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

/* Frees n records made by make_records or make_rows, and the array. */
static void free_records(struct ref *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].key);
		free(r[i].data);
	}
	free(r);
}

/* Sorts n records with the given budget, allowing a sort up to allow
 * threads; 1 if they come back in order. *runs is the number of runs
 * written, *threads (when not NULL) the most threads a sort ran on. */
static int sorts_on(struct ref *r, size_t n, size_t budget, unsigned allow,
		    unsigned *runs, unsigned *threads)
{
	struct tn_sorter *s;
	struct tn_sorter_rec rec;
	struct tn_err err;
	struct ref *want = malloc((n ? n : 1) * sizeof(*want));
	size_t i, bad = 0;
	int got;

	if (!want || tn_sorter_new(budget, &s) != TN_OK)
		return 0;
	tn_sorter_set_threads(s, allow);
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
	if (threads)
		*threads = tn_sorter_threads(s);
	is_int(tn_sorter_count(s), n, "it counts the records");
	tn_sorter_free(s);
	free(want);
	return !bad;
}

static int sorts(struct ref *r, size_t n, size_t budget, unsigned *runs)
{
	return sorts_on(r, n, budget, 1, runs, NULL);
}

static void test_orders(void)
{
	size_t n = 30000;
	struct ref *r = make_records(n);
	unsigned runs = 0, threads = 0;

	ok(r && sorts_on(r, n, 0, 4, &runs, &threads), "in memory: key order, equal keys as added");
	is_int(runs, 0, "no run written without a budget");
	is_int(threads, 1, "a small sort runs on the calling thread alone");
	ok(sorts(r, n, 64 << 10, &runs), "through runs on disk: the same order");
	ok(runs > 10, "a small budget makes many runs (%u)", runs);
	ok(sorts(r, 1, 1, &runs), "one record");
	ok(sorts(r, 0, 1, &runs), "no record");
	free_records(r, n);
}

/* Records bigger than the sorter's write and read buffers. */
static void test_big_records(void)
{
	struct ref r[5];
	unsigned runs = 0;
	size_t i, sizes[] = { 3u << 20, 10, 300u << 10, 70u << 10, 1 };

	for (i = 0; i < 5; i++) {
		char key[8];

		snprintf(key, sizeof(key), "k%zu", 5 - i);
		r[i].key = strdup(key);
		r[i].klen = strlen(key);
		r[i].dlen = sizes[i];
		r[i].data = malloc(sizes[i]);
		if (r[i].data)
			memset(r[i].data, (int)('a' + i), sizes[i]);
		r[i].seq = i;
	}
	ok(sorts(r, 5, 1, &runs), "records of megabytes, one run each");
	is_int(runs, 4, "every record but the last in memory went to a run");
	for (i = 0; i < 5; i++) {
		free(r[i].key);
		free(r[i].data);
	}
}

/* n records shaped like the import's: a kind byte ('e' or 'h') and an
 * address or handle, with keys that are the kind alone, repeat many
 * times, share prefixes of 40 bytes, or share 120 (past the depth where
 * a bucket is left to qsort); each record's data begins with its number,
 * so equal keys out of their order show. */
static struct ref *make_rows(size_t n, size_t *bytes)
{
	static const char *const same[] = {
		"anna@example.org", "ben@example.org", "x", "anna@example.org.", "zoe@mail.example",
	};
	static const char *const domains[] = { "example.org", "mail.example", "example.de" };
	static const char shared[] = "anna.meyer.from.a.long.shared.prefix.at";
	struct ref *r = calloc(n, sizeof(*r));
	char key[200];
	size_t i, j, len;

	*bytes = 0;
	for (i = 0; r && i < n; i++) {
		unsigned pick = next_rand() % 100;

		key[0] = next_rand() % 10 ? 'e' : 'h';
		len = 1;
		if (pick < 2) {
			/* the kind alone */
		} else if (pick < 12) {
			len += (size_t)sprintf(key + len, "%s", same[next_rand() % 5]);
		} else if (pick < 42) {
			len += (size_t)sprintf(key + len, "%s", shared);
			for (j = next_rand() % 5; j > 0; j--)
				key[len++] = (char)('0' + next_rand() % 4);
		} else if (pick < 45) {
			memset(key + len, 'q', 120);
			len += 120;
			for (j = next_rand() % 3; j > 0; j--)
				key[len++] = (char)('a' + next_rand() % 3);
		} else {
			for (j = 1 + next_rand() % 10; j > 0; j--)
				key[len++] = (char)('a' + next_rand() % 26);
			len += (size_t)sprintf(key + len, ".%u@%s", next_rand() % 1000,
					       domains[next_rand() % 3]);
		}
		r[i].klen = len;
		r[i].dlen = 4 + next_rand() % 7;
		r[i].key = malloc(len);
		r[i].data = malloc(r[i].dlen);
		r[i].seq = i;
		if (!r[i].key || !r[i].data)
			continue;
		memcpy(r[i].key, key, len);
		for (j = 0; j < r[i].dlen; j++)
			r[i].data[j] = (char)(j < 4 ? i >> (8 * j) : next_rand());
		/* what the sorter counts: two one-byte lengths, the bytes,
		 * an 8-byte index entry */
		*bytes += 2 + len + r[i].dlen + 8;
	}
	return r;
}

/* Sorts of 300,000 records (past the size sorted on one thread) on the
 * threads allowed (they run whatever the machine's processors): in
 * memory, and through a run on disk that holds three quarters of them
 * before the merge; and on the calling thread alone, the default. */
static void test_threads(void)
{
	size_t n = 300000, bytes = 0, i;
	struct ref *r = make_rows(n, &bytes);
	unsigned runs = 0, threads = 0;

	ok(r && sorts_on(r, n, 0, 4, &runs, &threads), "many records in memory: the same order");
	ok(threads >= 2 && threads <= 4, "sorted on %u threads (4 allowed)", threads);
	ok(r && sorts_on(r, n, 0, 2, &runs, &threads), "on 2 threads: the same order");
	is_int(threads, 2, "sorted on the 2 allowed");
	ok(r && sorts_on(r, n, 0, 1, &runs, &threads), "on one: the same order");
	is_int(threads, 1, "by default a sort uses the calling thread alone");
	ok(r && sorts_on(r, n, bytes / 4 * 3, 4, &runs, &threads),
	   "a big run on disk, then the merge: the same order");
	is_int(runs, 1, "one run written");
	/* the quarter left in memory is too few for threads: more than one
	 * thread was the run's sort */
	ok(threads >= 2, "the run was sorted on %u threads", threads);
	/* three keys, each many times: the kind alone, and two that agree
	 * past the depth where a bucket is left to qsort */
	for (i = 0; r && i < n; i++) {
		free(r[i].key);
		r[i].klen = i % 3 == 0 ? 1 : i % 3 == 1 ? 121 : 122;
		if ((r[i].key = malloc(r[i].klen))) {
			memset(r[i].key, 'q', r[i].klen);
			r[i].key[0] = 'e';
			if (i % 3 == 2)
				r[i].key[121] = 'a';
		}
	}
	ok(r && sorts(r, n, 0, &runs), "three keys, each many times: the order added");
	free_records(r, n);
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
	test_threads();
	test_no_run_file();
	return tap_done();
}
