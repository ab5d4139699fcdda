// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json_time.c - RFC 3339 UTC times with nanoseconds, as JSON lines and logs print them. */
#include "json_writer.h"
#include "json_impl.h"

#include <string.h>

static void put2(char *p, unsigned int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* RFC 3339 years have four digits: 0000-01-01 .. 9999-12-31T23:59:59 in Unix seconds. */
#define BH_TIME_MIN_SEC (-62167219200LL)
#define BH_TIME_MAX_SEC 253402300799LL

static void clamp_time(int64_t *sec, long *nsec)
{
	if (*sec > BH_TIME_MAX_SEC) {
		*sec = BH_TIME_MAX_SEC;
		*nsec = 999999999L;
	} else if (*sec < BH_TIME_MIN_SEC) {
		*sec = BH_TIME_MIN_SEC;
		*nsec = 0;
	}
}

/* "YYYY-MM-DDTHH:MM:SS" of sec (in range) at out. */
static void civil_time(char *out, int64_t sec)
{
	int64_t days, secs_of_day, era, z;
	unsigned int doe, yoe, doy, mp, day, month;
	int64_t year;

	/* Civil date from days since 1970-01-01: H. Hinnant's civil_from_days, no gmtime_r lock. */
	days = sec / 86400;
	secs_of_day = sec % 86400;
	if (secs_of_day < 0) {
		secs_of_day += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = (int64_t)yoe + era * 400 + (month <= 2);

	put2(out, (unsigned int)(year / 100));
	put2(out + 2, (unsigned int)(year % 100));
	out[4] = '-';
	put2(out + 5, month);
	out[7] = '-';
	put2(out + 8, day);
	out[10] = 'T';
	put2(out + 11, (unsigned int)(secs_of_day / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned int)(secs_of_day / 60 % 60));
	out[16] = ':';
	put2(out + 17, (unsigned int)(secs_of_day % 60));
}

void bh_json_time(char *buf, size_t size, int64_t sec, long nsec)
{
	/* Lines come in time order: the text of the last second is kept (per thread). */
	static _Thread_local int64_t last_sec = BH_TIME_MIN_SEC - 1;
	static _Thread_local char last[19];
	char out[] = "0000-00-00T00:00:00.000000000Z";
	size_t n;

	if (!size)
		return;
	/* Clamp before and after normalising nsec, so the carry cannot overflow sec. */
	clamp_time(&sec, &nsec);
	sec += nsec / 1000000000L;
	nsec %= 1000000000L;
	if (nsec < 0) {
		nsec += 1000000000L;
		sec--;
	}
	clamp_time(&sec, &nsec);

	if (sec != last_sec) {
		civil_time(last, sec);
		last_sec = sec;
	}
	memcpy(out, last, sizeof(last));
	out[28] = (char)('0' + nsec % 10);
	nsec /= 10;
	for (int i = 26; i >= 20; i -= 2) {
		put_pair(out + i, (uint64_t)(nsec % 100));
		nsec /= 100;
	}
	n = sizeof(out) - 1 < size - 1 ? sizeof(out) - 1 : size - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}
