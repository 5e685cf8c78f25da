/* scap-events: lookups in the generated .scap event table and the parameter decoders.
 *
 * Follows falcosecurity/libs driver/ppm_events_public.h (PPM_AF_*, PPM_O_* encodings) and
 * driver/event_table.c; see scap-events.h for what each call promises. Every byte is read
 * through a bounds-checked cursor.
 */
#include "scap-events.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"

const struct scap_event_info *scap_event_info(uint32_t code)
{
	const struct scap_event_info *e;

	if (code >= SCAP_EVENT_MAX)
		return NULL;
	e = &scap_events[code];
	if (!e->name || (e->flags & SCAP_EF_UNUSED))
		return NULL;
	return e;
}

bool scap_event_has_exit(uint32_t code)
{
	const struct scap_event_info *e = scap_event_info(code), *x = scap_event_info(code + 1);

	return e && !e->is_exit && x && x->is_exit && !strcmp(e->name, x->name);
}

int scap_param_find(uint32_t code, const char *name)
{
	const struct scap_event_info *e;

	if (code >= SCAP_EVENT_MAX)
		return -1;
	e = &scap_events[code];
	for (int i = 0; e->name && i < e->nparams; i++)
		if (!strcmp(e->params[i].name, name))
			return i;
	return -1;
}

bool scap_param_int(uint8_t type, const uint8_t *p, size_t len, int64_t *ret)
{
	struct cursor c = cursor_make(p, len);
	int64_t v;

	switch (type) {
	case SCAP_PT_INT8:
		v = (int8_t)cursor_u8(&c);
		break;
	case SCAP_PT_UINT8:
	case SCAP_PT_FLAGS8:
	case SCAP_PT_ENUMFLAGS8:
	case SCAP_PT_SIGTYPE:
	case SCAP_PT_L4PROTO:
	case SCAP_PT_SOCKFAMILY:
		v = cursor_u8(&c);
		break;
	case SCAP_PT_INT16:
		v = (int16_t)cursor_le16(&c);
		break;
	case SCAP_PT_UINT16:
	case SCAP_PT_FLAGS16:
	case SCAP_PT_ENUMFLAGS16:
	case SCAP_PT_SYSCALLID:
	case SCAP_PT_PORT:
		v = cursor_le16(&c);
		break;
	case SCAP_PT_INT32:
	case SCAP_PT_FD32:
	case SCAP_PT_PID32:
		v = (int32_t)cursor_le32(&c);
		break;
	case SCAP_PT_UINT32:
	case SCAP_PT_FLAGS32:
	case SCAP_PT_ENUMFLAGS32:
	case SCAP_PT_UID:
	case SCAP_PT_GID:
	case SCAP_PT_MODE:
	case SCAP_PT_BOOL:
	case SCAP_PT_SIGSET:
		v = cursor_le32(&c);
		break;
	case SCAP_PT_INT64:
	case SCAP_PT_UINT64:
	case SCAP_PT_ERRNO:
	case SCAP_PT_FD:
	case SCAP_PT_PID:
	case SCAP_PT_RELTIME:
	case SCAP_PT_ABSTIME:
		v = (int64_t)cursor_le64(&c);
		break;
	default:
		return false;
	}
	if (c.truncated)
		return false;
	*ret = v;
	return true;
}

static void ip_text(int family, const uint8_t *ip, char *buf, size_t size)
{
	if (!inet_ntop(family, ip, buf, (socklen_t)size))
		buf[0] = '\0';
}

/* One end of an inet address: ip bytes then a little-endian port. */
static void read_inet(struct cursor *c, int family, struct sys_sockaddr *a)
{
	size_t n = family == 10 ? 16 : 4;
	const uint8_t *ip = cursor_bytes(c, n);
	uint16_t port = cursor_le16(c);

	if (c->truncated || !ip) {
		a->family = 0;
		return;
	}
	a->family = family;
	ip_text(family == 10 ? AF_INET6 : AF_INET, ip, a->ip, sizeof(a->ip));
	/* Falco prints an IPv4-mapped IPv6 address as the IPv4 one */
	if (family == 10 && !strncmp(a->ip, "::ffff:", 7) && strchr(a->ip + 7, '.'))
		memmove(a->ip, a->ip + 7, strlen(a->ip + 7) + 1);
	a->port = port;
}

static void read_unix_path(struct cursor *c, struct sys_sockaddr *a)
{
	size_t n = cursor_remaining(c), k;
	const uint8_t *p = cursor_bytes(c, n);

	a->family = 1;
	if (!p)
		return;
	k = 0;
	if (n && p[0] == '\0' && n > 1) { /* abstract namespace */
		a->path[k++] = '@';
		p++;
		n--;
	}
	for (size_t i = 0; i < n && p[i] && k + 1 < sizeof(a->path); i++)
		a->path[k++] = (char)p[i];
	a->path[k] = '\0';
}

static void addr_init(struct sys_sockaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = BS_NONE;
}

void scap_param_sockaddr(const uint8_t *p, size_t len, struct sys_sockaddr *ret)
{
	struct cursor c = cursor_make(p, len);
	uint8_t family;

	addr_init(ret);
	if (!len)
		return;
	family = cursor_u8(&c);
	if (family == 2 || family == 10)
		read_inet(&c, family, ret);
	else if (family == 1)
		read_unix_path(&c, ret);
	else
		ret->family = family;
}

void scap_param_socktuple(const uint8_t *p, size_t len, struct sys_sockaddr *src, struct sys_sockaddr *dst)
{
	struct cursor c = cursor_make(p, len);
	uint8_t family;

	addr_init(src);
	addr_init(dst);
	if (!len)
		return;
	family = cursor_u8(&c);
	if (family == 2 || family == 10) {
		/* src ip, src port, dst ip, dst port */
		size_t n = family == 10 ? 16 : 4;
		const uint8_t *sip = cursor_bytes(&c, n);
		uint16_t sport = cursor_le16(&c);
		const uint8_t *dip = cursor_bytes(&c, n);
		uint16_t dport = cursor_le16(&c);
		struct cursor cs, cd;
		uint8_t tmp[2][18];

		if (c.truncated || !sip || !dip)
			return;
		memcpy(tmp[0], sip, n);
		tmp[0][n] = (uint8_t)(sport & 0xff);
		tmp[0][n + 1] = (uint8_t)(sport >> 8);
		memcpy(tmp[1], dip, n);
		tmp[1][n] = (uint8_t)(dport & 0xff);
		tmp[1][n + 1] = (uint8_t)(dport >> 8);
		cs = cursor_make(tmp[0], n + 2);
		cd = cursor_make(tmp[1], n + 2);
		read_inet(&cs, family, src);
		read_inet(&cd, family, dst);
	} else if (family == 1) {
		/* u64 source and destination socket pointers, then the path */
		cursor_skip(&c, 16);
		if (c.truncated)
			return;
		read_unix_path(&c, dst);
		src->family = 1;
	} else {
		src->family = dst->family = family;
	}
}

static const struct {
	uint32_t ppm;
	int64_t linux_bits;
	const char *name;
} open_flags[] = {
	/* in Falco's print order; O_RDWR before its two halves */
	{ 1u << 11, 0100000, "O_LARGEFILE" }, { 1u << 10, 0200000, "O_DIRECTORY" },
	{ 1u << 9, 040000, "O_DIRECT" },      { 1u << 8, 01000, "O_TRUNC" },
	{ 1u << 7, 04010000, "O_SYNC" },      { 1u << 6, 04000, "O_NONBLOCK" },
	{ 1u << 5, 0200, "O_EXCL" },          { 1u << 4, 010000, "O_DSYNC" },
	{ 1u << 3, 02000, "O_APPEND" },       { 1u << 2, 0100, "O_CREAT" },
	{ 3u, 2, "O_RDWR" },                  { 2u, 1, "O_WRONLY" },
	{ 1u, 0, "O_RDONLY" },                { 1u << 12, 02000000, "O_CLOEXEC" },
	{ 1u << 13, 020200000, "O_TMPFILE" }, { 1u << 14, 0, "O_F_CREATED" },
};

int64_t scap_open_flags_linux(uint32_t ppm)
{
	int64_t v = 0;

	switch (ppm & 3) {
	case 2:
		v = 1;
		break;
	case 3:
		v = 2;
		break;
	default:
		v = 0;
		break;
	}
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if (open_flags[i].ppm > 3 && (ppm & open_flags[i].ppm))
			v |= open_flags[i].linux_bits;
	return v;
}

void scap_open_flags_text(uint32_t ppm, char *buf, size_t size)
{
	size_t len = 0;
	uint32_t rem = ppm;

	buf[0] = '\0';
	if (!ppm) {
		snprintf(buf, size, "O_NONE");
		return;
	}
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		uint32_t f = open_flags[i].ppm;
		if ((rem & f) != f)
			continue;
		rem &= ~f;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "|" : "", open_flags[i].name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}
