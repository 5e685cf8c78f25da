/* progress: a one-line progress display on stderr (bytes, rate, ETA), redrawn at most 10x/s. */
#ifndef BS_PROGRESS_H
#define BS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };

struct progress {
	bool enabled;
	bool drawn;
	int64_t started, last_draw;
};

int progress_mode_parse(const char *s, enum progress_mode *ret_mode);
void progress_init(struct progress *p, enum progress_mode mode);
/* import_progress_fn-compatible: userdata is the struct progress. */
void progress_update(void *userdata, const char *path, uint64_t done, uint64_t total);
/* Erase the line (before printing a result line). */
void progress_clear(struct progress *p);
/* "12.3 MiB" */
void format_bytes(uint64_t n, char out[32]);

#endif
