/*
 * writeback.c - early writeback of a long transaction's write-ahead log
 * (store.h, tn_db_writeback_start).
 *
 * A big write transaction spills its pages into the -wal file as it
 * goes, and its COMMIT then waits for fsync to carry all of them to the
 * disk at once. A helper thread asks the kernel every WRITEBACK_MS to
 * start writing what has reached the file so far (sync_file_range with
 * SYNC_FILE_RANGE_WRITE: it starts the writes and waits for none), so
 * the disk works while the transaction does, and the fsync at COMMIT,
 * which SQLite still makes, finds little left to do. Durability is
 * SQLite's, unchanged.
 *
 * The thread opens the -wal file by its name with a descriptor of its
 * own. Never the database file itself: closing any descriptor of a file
 * drops the POSIX locks the process holds on it, and SQLite holds its
 * locks on the database file (and on -shm), none on -wal.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "turnout/store.h"

#define WRITEBACK_MS 20

struct tn_db_writeback {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	char *wal;   /* the -wal file's name */
};

static void start_writes(const char *path, int *fd)
{
	if (*fd < 0)   /* SQLite creates it with the first write */
		*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
#ifdef SYNC_FILE_RANGE_WRITE
	if (*fd >= 0)
		(void)sync_file_range(*fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

static void *writeback_main(void *arg)
{
	struct tn_db_writeback *wb = arg;
	struct timespec at;
	int fd = -1;

	pthread_mutex_lock(&wb->lock);
	while (!wb->stop) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += WRITEBACK_MS * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&wb->wake, &wb->lock, &at) == ETIMEDOUT &&
		    !wb->stop) {
			pthread_mutex_unlock(&wb->lock);
			start_writes(wb->wal, &fd);
			pthread_mutex_lock(&wb->lock);
		}
	}
	pthread_mutex_unlock(&wb->lock);
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct tn_db_writeback *tn_db_writeback_start(struct tn_db *db)
{
	const char *main_file = sqlite3_db_filename(tn_db_sqlite(db), "main");
	struct tn_db_writeback *wb;
	pthread_condattr_t attr;
	int ok;

	if (!main_file || !*main_file)   /* a database in memory */
		return NULL;
	if (!(wb = calloc(1, sizeof(*wb))) ||
	    !(wb->wal = strdup(sqlite3_filename_wal(main_file)))) {
		free(wb);
		return NULL;
	}
	pthread_mutex_init(&wb->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wb->wake, &attr);
	pthread_condattr_destroy(&attr);
	ok = pthread_create(&wb->thread, NULL, writeback_main, wb) == 0;
	if (!ok) {   /* the transaction runs without it */
		pthread_cond_destroy(&wb->wake);
		pthread_mutex_destroy(&wb->lock);
		free(wb->wal);
		free(wb);
		return NULL;
	}
	return wb;
}

void tn_db_writeback_stop(struct tn_db_writeback *wb)
{
	if (!wb)
		return;
	pthread_mutex_lock(&wb->lock);
	wb->stop = 1;
	pthread_cond_signal(&wb->wake);
	pthread_mutex_unlock(&wb->lock);
	pthread_join(wb->thread, NULL);
	pthread_cond_destroy(&wb->wake);
	pthread_mutex_destroy(&wb->lock);
	free(wb->wal);
	free(wb);
}
