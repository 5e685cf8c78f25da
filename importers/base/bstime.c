/* bstime: RFC 3339 formatting and parsing on int64 UTC nanoseconds. */
#include "bstime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Howard Hinnant's days_from_civil algorithm (public domain description), era-based. */
int64_t bs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void bs_civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	int64_t era, doe, yoe, y, doy, mp;
	unsigned d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = y + (m <= 2);
	*ret_m = m;
	*ret_d = d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

size_t bs_time_format(int64_t ns, char out[BS_TIME_MAX_LEN])
{
	int64_t secs = floor_div(ns, BS_NS_PER_SEC);
	int64_t frac = ns - secs * BS_NS_PER_SEC;
	int64_t days = floor_div(secs, 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	int n;

	bs_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, BS_TIME_MAX_LEN, "%04lld-%02u-%02uT%02d:%02d:%02d.%09lldZ", (long long)y, m, d,
		     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)frac);
	return n < 0 ? 0 : (size_t)n;
}

static bool digits(const char *s, size_t len, size_t at, size_t n, int *ret)
{
	int v = 0;

	if (at + n > len)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*ret = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

int bs_time_parse(const char *s, size_t len, int allow_local, int64_t *ret_ns, int64_t *ret_precision)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0, precision = 86400 * BS_NS_PER_SEC, offset = 0, secs;
	size_t i;
	bool zoned = false;

	if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
	    s[7] != '-' || !digits(s, len, 8, 2, &d))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -EINVAL;
	i = 10;
	if (i < len) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -EINVAL;
		if (!digits(s, len, i + 1, 2, &h) || i + 3 >= len || s[i + 3] != ':' ||
		    !digits(s, len, i + 4, 2, &mi))
			return -EINVAL;
		i += 6;
		precision = 60 * BS_NS_PER_SEC;
		if (i < len && s[i] == ':') {
			if (!digits(s, len, i + 1, 2, &sec))
				return -EINVAL;
			i += 3;
			precision = BS_NS_PER_SEC;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				int64_t scale = BS_NS_PER_SEC;
				size_t start = ++i;
				while (i < len && s[i] >= '0' && s[i] <= '9') {
					if (scale > 1) {
						scale /= 10;
						frac += (s[i] - '0') * scale;
					}
					i++;
				}
				if (i == start)
					return -EINVAL;
				precision = scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -EINVAL;
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			zoned = true;
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			int oh, om = 0;
			int sign = s[i] == '-' ? -1 : 1;
			if (!digits(s, len, i + 1, 2, &oh))
				return -EINVAL;
			i += 3;
			if (i < len && s[i] == ':')
				i++;
			if (i < len) {
				if (!digits(s, len, i, 2, &om))
					return -EINVAL;
				i += 2;
			}
			if (oh > 23 || om > 59)
				return -EINVAL;
			offset = sign * (oh * 3600 + om * 60);
			zoned = true;
		}
		if (i != len)
			return -EINVAL;
		if (!zoned && !allow_local)
			return -EINVAL;
	}
	/* A bare date (no time at all) is read as UTC midnight: it names a day, not an instant. */
	if (sec == 60)
		sec = 59; /* a leap second is folded onto the second before it */
	secs = bs_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	/* int64 nanoseconds reach from 1677 to 2262: a year outside is refused, never wrapped. */
	if (secs >= INT64_MAX / BS_NS_PER_SEC || secs <= INT64_MIN / BS_NS_PER_SEC)
		return -ERANGE;
	*ret_ns = secs * BS_NS_PER_SEC + frac;
	if (ret_precision)
		*ret_precision = precision;
	return 0;
}

int64_t bs_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * BS_NS_PER_SEC + ts.tv_nsec;
}

int64_t bs_time_recorded(void)
{
	const char *fixed = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long secs;

	if (fixed && *fixed) {
		errno = 0;
		secs = strtoll(fixed, &end, 10);
		if (!*end && !errno && secs >= 0 && secs < INT64_MAX / BS_NS_PER_SEC)
			return (int64_t)secs * BS_NS_PER_SEC;
	}
	return bs_time_now();
}
