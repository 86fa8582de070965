/*
 * web/commit.c - the door's group commit: one thread with its own
 * database connection records the check-ins that the worker threads hand
 * it (already read and verified there, tn_scan_read). Whatever is
 * waiting when it comes round, up to WEB_COMMIT_MAX, is recorded with one
 * tn_checkin_record: one transaction and one sync for the whole group,
 * each scan with its own verdict. It never waits to fill a group: scans
 * that arrive during a commit form the next one, so a scan waits for at
 * most the commit before its own. Each job's done is called after the
 * commit (or its failure), never before, so a verdict is only ever sent
 * for a scan that is on disk.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

struct web_committer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct web_commit_job *head, *tail;   /* waiting, oldest first */
	int stopping;
	char *db_path;
	struct tn_db *db;                     /* the committer's own */
	struct tn_checkin_job group[WEB_COMMIT_MAX];
};

/* Records the n jobs of list (linked, oldest first) in one transaction
 * and calls their done. */
static void commit_group(struct web_committer *c, struct web_commit_job *list, size_t n)
{
	struct tn_err err = TN_ERR_INIT;
	struct web_commit_job *j, *next;
	size_t i;
	tn_code rc = TN_OK;

	if (!c->db && (rc = tn_db_open(c->db_path, 0, &c->db, &err)) != TN_OK)
		c->db = NULL;
	for (i = 0, j = list; i < n; i++, j = j->next)
		c->group[i] = j->job;
	if (rc == TN_OK)
		rc = tn_checkin_record(c->db, c->group, n, &err);
	if (rc != TN_OK) {
		web_log_error(&err, rc);
		tn_db_close(c->db);   /* opened afresh for the next group */
		c->db = NULL;
	}
	for (i = 0, j = list; i < n; i++, j = next) {
		next = j->next;
		j->job.result = c->group[i].result;   /* its name is j's now */
		j->rc = rc;
		j->done(j);
	}
	memset(c->group, 0, n * sizeof(c->group[0]));
}

static void *run(void *arg)
{
	struct web_committer *c = arg;
	struct web_commit_job *list, *j;
	size_t n;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->head && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		if (!c->head)
			break;   /* stopping, and nothing left */
		list = c->head;
		for (n = 1, j = list; n < WEB_COMMIT_MAX && j->next; n++)
			j = j->next;
		c->head = j->next;
		if (!c->head)
			c->tail = NULL;
		j->next = NULL;
		pthread_mutex_unlock(&c->lock);
		commit_group(c, list, n);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

tn_code web_committer_start(const char *db_path, struct web_committer **out,
			    struct tn_err *err)
{
	struct web_committer *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c || !(c->db_path = strdup(db_path))) {
		free(c);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c->db_path);
		free(c);
		return tn_err_set(err, TN_FAIL, "cannot start the check-in thread");
	}
	*out = c;
	return TN_OK;
}

void web_committer_submit(struct web_committer *c, struct web_commit_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->stopping) {
		pthread_mutex_unlock(&c->lock);
		j->rc = TN_FAIL;
		j->done(j);
		return;
	}
	if (c->tail)
		c->tail->next = j;
	else
		c->head = j;
	c->tail = j;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

void web_committer_stop(struct web_committer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);   /* it empties the queue first */
	tn_db_close(c->db);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c->db_path);
	free(c);
}
