/*
 * progress.c - a progress bar on stderr for long work (import), drawn
 * only when stderr is a terminal; the library reports progress through
 * callbacks and never draws.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

void cli_progress_start(struct cli_progress *p, const char *label,
			unsigned long long total)
{
	p->active = isatty(STDERR_FILENO) && total > 0;
	p->label = label;
	p->total = total;
	p->last_permille = -1;
}

void cli_progress_update(struct cli_progress *p, unsigned long long done)
{
	int permille, filled, i;

	if (!p->active)
		return;
	if (done > p->total)
		done = p->total;
	permille = (int)(done * 1000 / p->total);
	if (permille == p->last_permille)
		return;
	p->last_permille = permille;
	filled = permille * 30 / 1000;
	fprintf(stderr, "\r%s [", p->label);
	for (i = 0; i < 30; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%", permille / 10);
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->active)
		return;
	cli_progress_update(p, p->total);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->active = 0;
}
