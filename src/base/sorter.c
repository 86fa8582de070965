/*
 * sorter.c - the external merge sort of sorter.h. Records live in chunks
 * of memory of 1 MiB (a bigger record has a chunk of its own), each as
 * [klen][dlen][key][data] with LEB128 lengths, and an 8-byte index entry
 * that holds 4 key bytes and the record's place: its chunk and offset,
 * which grow in the order records were added, so they also break ties.
 * The index is sorted by an MSD radix sort (American flag), reading key
 * bytes from the entries, which are reloaded from the records every 4
 * bytes of depth, so the sort mostly walks one array. Many entries are
 * sorted on up to 4 threads: the first partitions split them into pieces
 * that sort independently, which the threads share. Runs go to one
 * unlinked temporary file, one after another, in the same form; reading
 * merges them, and the records still in memory, with a binary heap. It
 * knows nothing of what the records mean: the import encodes its cells
 * into the data.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "turnout/sorter.h"

#define CHUNK_SHIFT   20
#define CHUNK_BYTES   (1u << CHUNK_SHIFT)  /* records are packed in chunks this big */
#define MAX_CHUNKS    (1u << (32 - CHUNK_SHIFT))   /* what a place can name */
#define WRITE_BYTES   (256u << 10)   /* buffer of a run being written */
#define READ_BYTES    (64u << 10)    /* buffer of each run read back */
#define SMALL         24             /* buckets this small: insertion sort */
#define DEEP          96             /* past this depth: qsort the bucket */
#define PREFIX        4              /* key bytes an entry holds */
#define PREFETCH      8              /* records read ahead of their turn */
#define MAX_THREADS   4              /* threads of one sort, at most */
#define PARALLEL_MIN  200000         /* fewer entries: sorted on one thread */
#define SPLIT         16             /* pieces for threads: at most 1/16 of all */
#define THREAD_STACK  ((size_t)8 << 20)   /* a sorting thread's stack */

struct chunk {
	unsigned char *data;
	size_t used, size;
};

/* An index entry: key bytes depth..depth+3 of the record (zero past
 * its end; keys have no NUL), big-endian, so comparing two prefixes as
 * numbers compares those bytes; and the record's place, its chunk in the
 * high bits and its offset in the low CHUNK_SHIFT. */
struct entry {
	uint32_t prefix;
	uint32_t place;
};

struct run {
	unsigned long long begin, end;   /* byte range in the run file */
};

/* A source of records in key order during the merge: a run read back
 * from the file, or (mem) the sorted entries still in memory. */
struct source {
	int mem;
	unsigned long long pos, end;   /* run: next byte to read, end */
	unsigned char *buf;            /* run: buffered bytes [start, fill) */
	size_t start, fill, size;
	size_t next;                   /* mem: next entry */
	struct tn_sorter_rec rec;      /* the current record */
};

struct tn_sorter {
	size_t budget, used;           /* bytes of records and entries held */
	struct chunk *chunks;
	size_t nchunks, cur;
	struct entry *ent;
	size_t nent, cap;
	unsigned long long count;
	int fd;                        /* the run file, -1 until the first run */
	unsigned long long file_size;
	struct run *runs;
	unsigned nruns;
	unsigned char *wbuf;           /* the run being written */
	size_t wlen;
	int reading;                   /* adding has ended */
	int ready;                     /* sorted: the merge may be read */
	struct source *src;            /* the merge: sources, and a heap of */
	size_t *heap;                  /* their indexes by current record */
	size_t nsrc, nheap;
	size_t last;                   /* the source returned last, or -1 */
	unsigned max_threads;          /* tn_sorter_set_threads */
	unsigned threads;              /* most threads a sort has run on */
};

/* ---- records --------------------------------------------------------- */

static size_t varint_len(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *put_varint(unsigned char *p, size_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Reads a varint at p (before end); NULL if it does not end there. */
static const unsigned char *get_varint(const unsigned char *p,
				       const unsigned char *end, size_t *v)
{
	size_t x = 0;
	unsigned shift = 0;

	while (p < end && shift < 64) {
		x |= (size_t)(*p & 0x7F) << shift;
		if (!(*p++ & 0x80)) {
			*v = x;
			return p;
		}
		shift += 7;
	}
	return NULL;
}

/* The key and data of a record in memory. */
static void mem_rec(const unsigned char *rec, struct tn_sorter_rec *out)
{
	const unsigned char *p = rec;
	size_t klen = 0, dlen = 0;

	p = get_varint(p, p + 10, &klen);
	p = get_varint(p, p + 10, &dlen);
	out->key = (const char *)p;
	out->klen = klen;
	out->data = (const char *)p + klen;
	out->dlen = dlen;
}

static const unsigned char *rec_at(const struct tn_sorter *s, uint32_t place)
{
	return s->chunks[place >> CHUNK_SHIFT].data + (place & (CHUNK_BYTES - 1));
}

/* Key bytes [depth, depth + PREFIX) as a big-endian number, zero-padded. */
static uint32_t load_prefix(const unsigned char *rec, size_t depth)
{
	struct tn_sorter_rec r;
	uint32_t v = 0;
	size_t i;

	mem_rec(rec, &r);
	for (i = 0; i < PREFIX; i++) {
		v <<= 8;
		if (depth + i < r.klen)
			v |= (unsigned char)r.key[depth + i];
	}
	return v;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Entries whose keys agree before base (a multiple of PREFIX, the
 * depth their prefixes hold): key order, then the order added. */
static int entry_cmp_at(const struct tn_sorter *s, const struct entry *a,
			const struct entry *b, size_t base)
{
	struct tn_sorter_rec x, y;
	int c;

	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	mem_rec(rec_at(s, a->place), &x);
	mem_rec(rec_at(s, b->place), &y);
	base += PREFIX;
	c = key_cmp(x.key + (base < x.klen ? base : x.klen),
		    base < x.klen ? x.klen - base : 0,
		    y.key + (base < y.klen ? base : y.klen),
		    base < y.klen ? y.klen - base : 0);
	if (c)
		return c;
	return a->place < b->place ? -1 : a->place > b->place;
}

static int entry_cmp_full(const void *va, const void *vb, void *vs)
{
	const struct entry *a = va, *b = vb;
	const struct tn_sorter *s = vs;
	struct tn_sorter_rec x, y;
	int c;

	mem_rec(rec_at(s, a->place), &x);
	mem_rec(rec_at(s, b->place), &y);
	if ((c = key_cmp(x.key, x.klen, y.key, y.klen)))
		return c;
	return a->place < b->place ? -1 : a->place > b->place;
}

static int entry_cmp_place(const void *va, const void *vb)
{
	uint32_t a = ((const struct entry *)va)->place, b = ((const struct entry *)vb)->place;

	return a < b ? -1 : a > b;
}

/* Makes the prefixes of e[0..n) hold the key bytes from depth when a
 * new group of PREFIX bytes begins there (they held those of the group
 * before). The records lie all over memory in this order: each is asked
 * for a little ahead of its turn. */
static void reload(const struct tn_sorter *s, struct entry *e, size_t n, size_t depth)
{
	size_t i;

	if (depth % PREFIX)
		return;
	for (i = 0; i < n; i++) {
		if (i + PREFETCH < n)
			__builtin_prefetch(rec_at(s, e[i + PREFETCH].place));
		e[i].prefix = load_prefix(rec_at(s, e[i].place), depth);
	}
}

/* Puts e[0..n), whose keys agree before depth, into 256 buckets by their
 * key byte at depth: bucket b holds count[b] entries from start[b], and
 * bucket 0 (the keys that end here, all equal) is put in the order they
 * were added. */
static void partition(struct entry *e, size_t n, size_t depth, size_t count[256],
		      size_t start[256])
{
	size_t next[256], i, b;
	unsigned shift = (unsigned)(8 * (PREFIX - 1 - depth % PREFIX));

	memset(count, 0, 256 * sizeof(*count));
	for (i = 0; i < n; i++)
		count[(e[i].prefix >> shift) & 0xFF]++;
	for (b = 0, i = 0; b < 256; b++) {
		start[b] = next[b] = i;
		i += count[b];
	}
	/* American flag: each entry swapped straight into its bucket, unless
	 * one bucket holds them all (the kind byte, a shared prefix) */
	for (b = 0; b < 256 && count[b] < n; b++) {
		while (next[b] < start[b] + count[b]) {
			struct entry t = e[next[b]];
			size_t tb = (t.prefix >> shift) & 0xFF;

			while (tb != b) {
				struct entry u = e[next[tb]];

				e[next[tb]++] = t;
				t = u;
				tb = (t.prefix >> shift) & 0xFF;
			}
			e[next[b]++] = t;
		}
	}
	/* bucket 0: the keys end here, all equal: the order they came in */
	if (count[0] > 1)
		qsort(e, count[0], sizeof(*e), entry_cmp_place);
}

/* Sorts e[0..n), whose keys agree before depth; their prefixes hold the
 * bytes from depth - depth % PREFIX. Reads the records and writes only
 * e[0..n), so several threads may sort disjoint ranges at once. */
static void radix_sort(const struct tn_sorter *s, struct entry *e, size_t n, size_t depth)
{
	size_t count[256], start[256], i, b;

	if (n < 2)
		return;
	if (depth > DEEP) {
		qsort_r(e, n, sizeof(*e), entry_cmp_full, (void *)s);
		return;
	}
	if (n < SMALL) {
		for (i = 1; i < n; i++) {
			struct entry t = e[i];
			size_t j = i;

			while (j > 0 && entry_cmp_at(s, &t, &e[j - 1], depth - depth % PREFIX) < 0) {
				e[j] = e[j - 1];
				j--;
			}
			e[j] = t;
		}
		return;
	}
	partition(e, n, depth, count, start);
	for (b = 1; b < 256; b++) {
		if (count[b] < 2)
			continue;
		reload(s, e + start[b], count[b], depth + 1);
		radix_sort(s, e + start[b], count[b], depth + 1);
	}
}

/* ---- sorting on several threads --------------------------------------- */

/* A range of entries that sorts independently of the others: its keys
 * agree before depth, and its prefixes are those of the partition that
 * made it (reloaded when it is sorted). */
struct piece {
	struct entry *e;
	size_t n, depth;
};

/* The pieces of one sort and the index of the next one to take, shared
 * by the threads sorting them. */
struct plan {
	const struct tn_sorter *s;
	struct piece *pieces;
	size_t npieces, cap;
	size_t limit;                  /* pieces bigger than this are split */
	atomic_size_t next;
};

/* Sorts a piece: its prefixes brought to its depth, then radix_sort. */
static void sort_piece(const struct tn_sorter *s, const struct piece *p)
{
	reload(s, p->e, p->n, p->depth);
	radix_sort(s, p->e, p->n, p->depth);
}

/* Partitions e[0..n) (keys agreeing before depth, prefixes current) on
 * the calling thread, and again any bucket bigger than the plan's limit,
 * until every range is a piece of the plan; a piece for which the plan
 * has no room is sorted at once. */
static void split(struct plan *p, struct entry *e, size_t n, size_t depth)
{
	size_t count[256], start[256], b;

	partition(e, n, depth, count, start);
	for (b = 1; b < 256; b++) {
		struct piece piece = { e + start[b], count[b], depth + 1 };

		if (piece.n < 2)
			continue;
		if (piece.n > p->limit && piece.depth <= DEEP) {
			reload(p->s, piece.e, piece.n, piece.depth);
			split(p, piece.e, piece.n, piece.depth);
			continue;
		}
		if (p->npieces == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 256;
			struct piece *grown = realloc(p->pieces, cap * sizeof(*grown));

			if (!grown) {
				sort_piece(p->s, &piece);
				continue;
			}
			p->pieces = grown;
			p->cap = cap;
		}
		p->pieces[p->npieces++] = piece;
	}
}

/* The bigger piece first. */
static int piece_cmp(const void *va, const void *vb)
{
	const struct piece *a = va, *b = vb;

	return a->n > b->n ? -1 : a->n < b->n;
}

/* A thread's work: the plan's pieces, one at a time, until none is left. */
static void *sort_pieces(void *arg)
{
	struct plan *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->npieces)
		sort_piece(p->s, &p->pieces[i]);
	return NULL;
}

/* How many threads should sort the entries held: as many as the caller
 * allows, at most MAX_THREADS; 1 (the calling thread alone) below
 * PARALLEL_MIN entries, where starting threads costs about what they
 * would save. */
static unsigned threads_for(const struct tn_sorter *s)
{
	if (s->nent < PARALLEL_MIN || s->max_threads < 2)
		return 1;
	return s->max_threads < MAX_THREADS ? s->max_threads : MAX_THREADS;
}

/* Sorts the entries held. Many entries are partitioned on the calling
 * thread into pieces of at most 1/SPLIT of them (the first key bytes, a
 * kind and shared address prefixes, often leave one big bucket), which
 * it and up to MAX_THREADS - 1 more threads then take, the biggest
 * first. The order is the same on any number of threads: by key, then
 * the order added. A thread that cannot be started leaves its share to
 * the others; the calling thread is always one of them. */
static void sort_entries(struct tn_sorter *s)
{
	struct plan p = { .s = s, .limit = s->nent / SPLIT };
	unsigned want = threads_for(s), started = 0, t;
	pthread_t tid[MAX_THREADS - 1];
	pthread_attr_t attr;
	int have_attr;

	if (want < 2) {
		radix_sort(s, s->ent, s->nent, 0);
		if (!s->threads)
			s->threads = 1;
		return;
	}
	atomic_init(&p.next, 0);
	split(&p, s->ent, s->nent, 0);
	if (p.npieces > 1)
		qsort(p.pieces, p.npieces, sizeof(*p.pieces), piece_cmp);
	/* the recursion of radix_sort needs some hundreds of KiB of stack,
	 * whatever the default a thread would get */
	have_attr = pthread_attr_init(&attr) == 0;
	if (have_attr && pthread_attr_setstacksize(&attr, THREAD_STACK) != 0) {
		pthread_attr_destroy(&attr);
		have_attr = 0;
	}
	for (t = 0; t + 1 < want && t + 1 < p.npieces; t++)
		if (pthread_create(&tid[started], have_attr ? &attr : NULL, sort_pieces, &p) == 0)
			started++;
	if (have_attr)
		pthread_attr_destroy(&attr);
	sort_pieces(&p);
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	free(p.pieces);
	if (s->threads < started + 1)
		s->threads = started + 1;
}

/* ---- runs ------------------------------------------------------------ */

static tn_code io_fail(struct tn_err *err, const char *what)
{
	return tn_err_set(err, TN_IO, "sort file: %s: %s", what, strerror(errno));
}

static tn_code flush_wbuf(struct tn_sorter *s, struct tn_err *err)
{
	size_t off = 0;

	while (off < s->wlen) {
		ssize_t n = write(s->fd, s->wbuf + off, s->wlen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return io_fail(err, "cannot write");
		}
		off += (size_t)n;
	}
	s->file_size += s->wlen;
	s->wlen = 0;
	return TN_OK;
}

static tn_code open_file(struct tn_sorter *s, struct tn_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/turnout-sort-XXXXXX", dir);
	s->fd = mkostemp(path, O_CLOEXEC);
	if (s->fd < 0)
		return tn_err_set(err, TN_IO, "sort file in '%s': %s", dir, strerror(errno));
	unlink(path);
	return TN_OK;
}

/* Sorts the records held and writes them out as a run; memory is then
 * used again from its start. */
static tn_code spill(struct tn_sorter *s, struct tn_err *err)
{
	struct run *grown;
	size_t i, c;
	tn_code rc;

	if (s->fd < 0 && (rc = open_file(s, err)) != TN_OK)
		return rc;
	if (!s->wbuf && !(s->wbuf = malloc(WRITE_BYTES)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (!(grown = realloc(s->runs, (s->nruns + 1) * sizeof(*grown))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	s->runs = grown;
	sort_entries(s);
	grown[s->nruns].begin = s->file_size;
	for (i = 0; i < s->nent; i++) {
		struct tn_sorter_rec r;
		const unsigned char *body = rec_at(s, s->ent[i].place);
		size_t len;

		mem_rec(body, &r);
		len = (size_t)((const unsigned char *)r.data + r.dlen - body);
		if (s->wlen + len > WRITE_BYTES && (rc = flush_wbuf(s, err)) != TN_OK)
			return rc;
		if (len > WRITE_BYTES) {   /* a record bigger than the buffer */
			memcpy(s->wbuf, body, WRITE_BYTES);
			s->wlen = WRITE_BYTES;
			if ((rc = flush_wbuf(s, err)) != TN_OK)
				return rc;
			body += WRITE_BYTES;
			len -= WRITE_BYTES;
			while (len) {
				size_t n = len < WRITE_BYTES ? len : WRITE_BYTES;

				memcpy(s->wbuf, body, n);
				s->wlen = n;
				if ((rc = flush_wbuf(s, err)) != TN_OK)
					return rc;
				body += n;
				len -= n;
			}
			continue;
		}
		memcpy(s->wbuf + s->wlen, body, len);
		s->wlen += len;
	}
	if ((rc = flush_wbuf(s, err)) != TN_OK)
		return rc;
	grown[s->nruns].end = s->file_size;
	s->nruns++;
	for (c = 0; c < s->nchunks; c++)
		s->chunks[c].used = 0;
	s->cur = 0;
	s->nent = 0;
	s->used = 0;
	return TN_OK;
}

/* ---- adding ---------------------------------------------------------- */

tn_code tn_sorter_new(size_t budget, struct tn_sorter **out)
{
	struct tn_sorter *s = calloc(1, sizeof(*s));

	*out = s;
	if (!s)
		return TN_NOMEM;
	s->budget = budget;
	s->max_threads = 1;
	s->fd = -1;
	s->last = (size_t)-1;
	return TN_OK;
}

/* Room for size bytes of record in the chunks: in the current chunk, the
 * next one, or a new one; a record of a chunk's size or more gets a chunk
 * of its own. *place is where it is. NULL when there is no memory, or no
 * chunk left to name (then the records held must go to a run first). */
static unsigned char *room(struct tn_sorter *s, size_t size, uint32_t *place)
{
	struct chunk *c;

	while (s->cur < s->nchunks) {
		c = &s->chunks[s->cur];
		if (c->used ? c->used + size <= (c->size < CHUNK_BYTES ? c->size : CHUNK_BYTES)
			    : size <= c->size) {
			*place = (uint32_t)(s->cur << CHUNK_SHIFT | c->used);
			c->used += size;
			return c->data + c->used - size;
		}
		if (c->used == 0) {   /* a chunk too small for a big record */
			unsigned char *bigger = malloc(size);

			if (!bigger)
				return NULL;
			free(c->data);
			c->data = bigger;
			c->size = size;
			continue;
		}
		s->cur++;
	}
	if (s->nchunks == MAX_CHUNKS)
		return NULL;
	c = realloc(s->chunks, (s->nchunks + 1) * sizeof(*c));
	if (!c)
		return NULL;
	s->chunks = c;
	c = &s->chunks[s->nchunks];
	c->size = size > CHUNK_BYTES ? size : CHUNK_BYTES;
	c->used = 0;
	if (!(c->data = malloc(c->size)))
		return NULL;
	s->nchunks++;
	return room(s, size, place);
}

tn_code tn_sorter_add(struct tn_sorter *s, const char *key, size_t klen,
		      const char *data, size_t dlen, struct tn_err *err)
{
	size_t size = varint_len(klen) + varint_len(dlen) + klen + dlen;
	unsigned char *rec, *p;
	uint32_t place;
	tn_code rc;

	if (s->reading)
		return tn_err_set(err, TN_FAIL, "sorter: record added after reading began");
	if (s->budget && s->nent && s->used + size + sizeof(struct entry) > s->budget &&
	    (rc = spill(s, err)) != TN_OK)
		return rc;
	if (s->nent == s->cap) {
		size_t cap = s->cap ? s->cap + s->cap / 2 : 1024;
		struct entry *grown = realloc(s->ent, cap * sizeof(*grown));

		if (!grown)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		s->ent = grown;
		s->cap = cap;
	}
	rec = room(s, size, &place);
	if (!rec && s->nchunks == MAX_CHUNKS && s->nent) {
		/* every chunk is named: the records held go to a run */
		if ((rc = spill(s, err)) != TN_OK)
			return rc;
		rec = room(s, size, &place);
	}
	if (!rec)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	p = put_varint(rec, klen);
	p = put_varint(p, dlen);
	memcpy(p, key, klen);
	memcpy(p + klen, data, dlen);
	s->ent[s->nent].place = place;
	s->ent[s->nent].prefix = load_prefix(rec, 0);
	s->nent++;
	s->count++;
	s->used += size + sizeof(struct entry);
	return TN_OK;
}

unsigned long long tn_sorter_count(const struct tn_sorter *s)
{
	return s->count;
}

unsigned tn_sorter_runs(const struct tn_sorter *s)
{
	return s->nruns;
}

void tn_sorter_set_threads(struct tn_sorter *s, unsigned n)
{
	s->max_threads = n ? n : 1;
}

unsigned tn_sorter_threads(const struct tn_sorter *s)
{
	return s->threads;
}

/* ---- reading: the merge ---------------------------------------------- */

/* Reads the next record of a run source into src->rec; *got 0 at its
 * end. */
static tn_code run_next(struct tn_sorter *s, struct source *src, int *got,
			struct tn_err *err)
{
	for (;;) {
		const unsigned char *p = src->buf + src->start, *e = src->buf + src->fill;
		size_t klen, dlen, have;

		*got = 0;
		if (p == e && src->pos >= src->end)
			return TN_OK;
		if ((p = get_varint(p, e, &klen)) && (p = get_varint(p, e, &dlen)) &&
		    (size_t)(e - p) >= klen && (size_t)(e - p) - klen >= dlen) {
			src->rec.key = (const char *)p;
			src->rec.klen = klen;
			src->rec.data = (const char *)p + klen;
			src->rec.dlen = dlen;
			src->start = (size_t)(p + klen + dlen - src->buf);
			*got = 1;
			return TN_OK;
		}
		if (src->pos >= src->end)
			return tn_err_set(err, TN_IO, "sort file: a run ends inside a record");
		/* refill: keep the partial record, make room, read more */
		have = src->fill - src->start;
		memmove(src->buf, src->buf + src->start, have);
		src->start = 0;
		src->fill = have;
		if (p && src->size - have < READ_BYTES / 2) {
			size_t size = src->size * 2;
			unsigned char *bigger = realloc(src->buf, size);

			if (!bigger)
				return tn_err_set(err, TN_NOMEM, "out of memory");
			src->buf = bigger;
			src->size = size;
		}
		while (src->fill < src->size && src->pos < src->end) {
			size_t want = src->size - src->fill;
			ssize_t n;

			if (want > src->end - src->pos)
				want = (size_t)(src->end - src->pos);
			n = pread(s->fd, src->buf + src->fill, want, (off_t)src->pos);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n == 0)
					errno = EIO;
				return io_fail(err, "cannot read");
			}
			src->fill += (size_t)n;
			src->pos += (unsigned long long)n;
		}
	}
}

/* Moves source i to its next record; *got 0 when it has none left. */
static tn_code source_next(struct tn_sorter *s, size_t i, int *got,
			   struct tn_err *err)
{
	struct source *src = &s->src[i];

	if (!src->mem)
		return run_next(s, src, got, err);
	*got = src->next < s->nent;
	if (!*got)
		return TN_OK;
	/* the records lie all over memory in this order: ask for one a
	 * little ahead while this one is read */
	if (src->next + PREFETCH < s->nent)
		__builtin_prefetch(rec_at(s, s->ent[src->next + PREFETCH].place));
	mem_rec(rec_at(s, s->ent[src->next++].place), &src->rec);
	return TN_OK;
}

/* Heap order: key, then the older source (runs in the order written,
 * the records in memory last) first. */
static int heap_less(const struct tn_sorter *s, size_t a, size_t b)
{
	const struct tn_sorter_rec *x = &s->src[a].rec, *y = &s->src[b].rec;
	int c = key_cmp(x->key, x->klen, y->key, y->klen);

	return c ? c < 0 : a < b;
}

static void sift_down(struct tn_sorter *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < s->nheap && heap_less(s, s->heap[l], s->heap[m]))
			m = l;
		if (r < s->nheap && heap_less(s, s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			return;
		t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

tn_code tn_sorter_sort(struct tn_sorter *s, struct tn_err *err)
{
	size_t i, n = s->nruns + 1;
	tn_code rc;
	int got;

	if (s->ready)
		return TN_OK;
	if (s->reading)
		return tn_err_set(err, TN_FAIL, "sorter: a sort that failed cannot be read");
	s->reading = 1;
	sort_entries(s);
	if (!(s->src = calloc(n, sizeof(*s->src))) || !(s->heap = calloc(n, sizeof(*s->heap))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	s->nsrc = n;
	for (i = 0; i < n; i++) {
		struct source *src = &s->src[i];

		if (i == s->nruns) {
			src->mem = 1;
		} else {
			src->pos = s->runs[i].begin;
			src->end = s->runs[i].end;
			src->size = READ_BYTES;
			if (!(src->buf = malloc(src->size)))
				return tn_err_set(err, TN_NOMEM, "out of memory");
		}
		if ((rc = source_next(s, i, &got, err)) != TN_OK)
			return rc;
		if (got)
			s->heap[s->nheap++] = i;
	}
	for (i = s->nheap / 2; i-- > 0;)
		sift_down(s, i);
	s->ready = 1;
	return TN_OK;
}

tn_code tn_sorter_next(struct tn_sorter *s, struct tn_sorter_rec *rec,
		       int *got, struct tn_err *err)
{
	tn_code rc;
	int more;

	*got = 0;
	if (!s->ready) {
		if ((rc = tn_sorter_sort(s, err)) != TN_OK)
			return rc;
	} else if (s->last != (size_t)-1) {
		/* the record returned last is done: its source moves on */
		if ((rc = source_next(s, s->last, &more, err)) != TN_OK)
			return rc;
		if (!more)
			s->heap[0] = s->heap[--s->nheap];
		if (s->nheap)
			sift_down(s, 0);
		s->last = (size_t)-1;
	}
	if (!s->nheap)
		return TN_OK;
	s->last = s->heap[0];
	*rec = s->src[s->last].rec;
	*got = 1;
	return TN_OK;
}

void tn_sorter_free(struct tn_sorter *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nchunks; i++)
		free(s->chunks[i].data);
	for (i = 0; i < s->nsrc; i++)
		free(s->src[i].buf);
	free(s->chunks);
	free(s->ent);
	free(s->runs);
	free(s->wbuf);
	free(s->src);
	free(s->heap);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
