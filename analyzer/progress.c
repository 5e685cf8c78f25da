/* progress: the import progress line on stderr; see progress.h. */
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bstime.h"

int progress_mode_parse(const char *s, enum progress_mode *ret_mode)
{
	static const char *const names[] = { [PROGRESS_AUTO] = "auto", [PROGRESS_ALWAYS] = "always",
					     [PROGRESS_NEVER] = "never" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*ret_mode = (enum progress_mode)i;
			return 0;
		}
	return -EINVAL;
}

void progress_init(struct progress *p, enum progress_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->enabled = mode == PROGRESS_ALWAYS || (mode == PROGRESS_AUTO && isatty(STDERR_FILENO));
	p->started = bs_time_now();
}

void format_bytes(uint64_t n, char out[32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void progress_update(void *userdata, const char *path, uint64_t done, uint64_t total)
{
	struct progress *p = userdata;
	int64_t now = bs_time_now();
	double secs = (double)(now - p->started) / 1e9;
	char d[32], t[32], rate[32];
	const char *base = strrchr(path, '/');

	if (!p->enabled || now - p->last_draw < 100000000)
		return;
	p->last_draw = now;
	format_bytes(done, d);
	format_bytes(secs > 0 ? (uint64_t)((double)done / secs) : 0, rate);
	base = base ? base + 1 : path;
	if (total && done <= total) {
		double frac = (double)done / (double)total;
		double eta = frac > 0 ? secs / frac - secs : 0;
		format_bytes(total, t);
		fprintf(stderr, "\r\033[K%.40s: %s / %s (%.0f%%), %s/s, ETA %.0fs", base, d, t, frac * 100, rate, eta);
	} else {
		fprintf(stderr, "\r\033[K%.40s: %s, %s/s", base, d, rate);
	}
	p->drawn = true;
}

void progress_clear(struct progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}
