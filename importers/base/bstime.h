/* bstime: backsight's one time representation and its text form.
 *
 * Every timestamp is int64 nanoseconds since the Unix epoch, UTC. Text is RFC 3339 with a `Z`
 * and nine fractional digits. Civil-date arithmetic is done here, not with timegm()/gmtime(),
 * so that results never depend on the TZ of the machine running the import.
 */
#ifndef BS_BSTIME_H
#define BS_BSTIME_H

#include <stddef.h>
#include <stdint.h>

#define BS_NS_PER_SEC 1000000000LL
#define BS_TIME_MAX_LEN 40 /* "-292277-01-01T00:00:00.000000000Z" plus slack */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t bs_days_from_civil(int64_t y, unsigned m, unsigned d);
void bs_civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);

/* Write `ns` as RFC 3339 UTC with nanoseconds into out; returns the length. */
size_t bs_time_format(int64_t ns, char out[BS_TIME_MAX_LEN]);

/*
 * Parse an RFC 3339 / ISO 8601 timestamp: YYYY-MM-DD[T| ]hh:mm[:ss[.frac]][Z|±hh[:]mm], or a
 * bare date. Fractions beyond nanoseconds are truncated. Returns 0 and writes ret_ns on
 * success (ret_precision gets the resolution the text carried, in ns: 1e9 for whole seconds,
 * 1000 for six digits ...); -EINVAL if the text is not such a timestamp, -ERANGE if it is
 * outside what int64 nanoseconds can hold (years 1678 to 2261). A time without a zone
 * is rejected unless allow_local is set, in which case it is read as UTC.
 */
int bs_time_parse(const char *s, size_t len, int allow_local, int64_t *ret_ns, int64_t *ret_precision);

/* Current wall-clock time as ns since the epoch. */
int64_t bs_time_now(void);

/*
 * The time a case records for an action (ledger, runs, custody log, package date): now, or
 * SOURCE_DATE_EPOCH (whole seconds since the epoch) when that is set — the reproducible-builds
 * convention, so that two runs over the same evidence write byte-identical reports. Durations
 * and rates use bs_time_now.
 */
int64_t bs_time_recorded(void);

#endif
