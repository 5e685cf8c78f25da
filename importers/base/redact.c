/* redact: AWS secret access keys and session tokens out of stored and exported text; see redact.h. */
#include "redact.h"

#include <ctype.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Longest first, so that "aws_session_token" wins over "token". Each ends in "key" or
 * "token": its k is 3 characters from the end, which is where redact_secrets finds it. */
static const struct {
	const char *name;
	size_t len;
} secret_names[] = {
#define NAME(s) { s, sizeof(s) - 1 }
	NAME("aws_secret_access_key"), NAME("x-amz-security-token"), NAME("aws_session_token"),
	NAME("secret_access_key"),     NAME("secretaccesskey"),	     NAME("session_token"),
	NAME("sessiontoken"),	       NAME("token"),
#undef NAME
};

#define MIN_SECRET_LEN 16

static bool b64(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/';
}

static bool quoteish(char c)
{
	return c == '"' || c == '\'' || c == '\\' || c == ' ' || c == '\t';
}

/* After a secret name ending at j: where its value starts and ends, or false. */
static bool value_after_name(const char *s, size_t len, size_t j, size_t *ret_start, size_t *ret_end)
{
	size_t v;

	while (j < len && quoteish(s[j]))
		j++;
	if (j >= len || (s[j] != ':' && s[j] != '='))
		return false;
	j++;
	while (j < len && quoteish(s[j]))
		j++;
	v = j;
	while (j < len && (b64((unsigned char)s[j]) || s[j] == '='))
		j++;
	if (j - v < MIN_SECRET_LEN)
		return false;
	*ret_start = v;
	*ret_end = j;
	return true;
}

/* At the k of a name that starts at or after `from`: where its value is, or false. */
static bool name_value(const char *s, size_t len, size_t from, size_t k, size_t *ret_start, size_t *ret_end)
{
	for (size_t n = 0; n < sizeof(secret_names) / sizeof(secret_names[0]); n++) {
		size_t nl = secret_names[n].len, i;
		if (k < from + nl - 3 || k + 3 > len)
			continue;
		i = k - (nl - 3);
		if (strncasecmp(s + i, secret_names[n].name, nl))
			continue;
		/* "Token" only as a name of its own ("Token": in an instance-metadata credential
		 * response), not as the tail of another word; "sessionToken" matched above. */
		if (nl == 5 && i > 0 && isalpha((unsigned char)s[i - 1]))
			continue;
		if (value_after_name(s, len, i + nl, ret_start, ret_end))
			return true;
	}
	return false;
}

/* At an access key id followed by a 40-character secret: where the secret is. */
static bool key_pair(const char *s, size_t len, size_t i, size_t *ret_start, size_t *ret_end)
{
	size_t j, v;

	if (i + 20 > len || (strncmp(s + i, "AKIA", 4) && strncmp(s + i, "ASIA", 4)))
		return false;
	if (i > 0 && isalnum((unsigned char)s[i - 1]))
		return false;
	for (j = i + 4; j < i + 20; j++)
		if (!isupper((unsigned char)s[j]) && !isdigit((unsigned char)s[j]))
			return false;
	if (j < len && isalnum((unsigned char)s[j]))
		return false;
	while (j < len && j < i + 28 && !b64((unsigned char)s[j]) && s[j] != '\n')
		j++;
	v = j;
	while (j < len && b64((unsigned char)s[j]))
		j++;
	if (j - v != 40 || (j < len && s[j] == '='))
		return false;
	*ret_start = v;
	*ret_end = j;
	return true;
}

static char lower(char c)
{
	return (char)(c | 0x20);
}

/* At a 'k' or 'K': the k of "token", or of "key" after "ss" or "ss_" (access_key, AccessKey). */
static bool secret_name_k(const char *in, size_t len, size_t i)
{
	if (i + 2 >= len)
		return false;
	if (i >= 1 && lower(in[i - 1]) == 'o' && lower(in[i + 1]) == 'e' && lower(in[i + 2]) == 'n')
		return true;
	if (lower(in[i + 1]) != 'e' || lower(in[i + 2]) != 'y')
		return false;
	if (i >= 1 && in[i - 1] == '_')
		i--;
	return i >= 2 && lower(in[i - 1]) == 's' && lower(in[i - 2]) == 's';
}

/* At an 'I': the I of AKIA or ASIA. */
static bool key_id_i(const char *in, size_t len, size_t i)
{
	return i >= 2 && i + 1 < len && in[i - 2] == 'A' && (in[i - 1] == 'K' || in[i - 1] == 'S') && in[i + 1] == 'A';
}

/* Every secret name ends in "token" or in "key" after "access" ("secret" alone is not a name);
 * a key pair starts with AKIA or ASIA. So the letters k, K and I, found with memchr, are the
 * only places to look. */
bool redact_may_hold(const char *in, size_t len)
{
	static const char anchors[] = { 'k', 'K', 'I' };
	const char *end = in + len;

	for (size_t a = 0; a < sizeof(anchors); a++) {
		for (const char *p = in; (p = memchr(p, anchors[a], (size_t)(end - p))); p++) {
			size_t i = (size_t)(p - in);
			if (anchors[a] == 'I' ? key_id_i(in, len, i) : secret_name_k(in, len, i))
				return true;
		}
	}
	return false;
}

/* The first of k, K and I at or after i (len when none); next[] caches where each is next
 * (SIZE_MAX: not looked for yet). */
static size_t next_anchor(const char *in, size_t len, size_t i, size_t next[3])
{
	static const char anchors[] = { 'k', 'K', 'I' };
	size_t best = len;

	for (size_t a = 0; a < 3; a++) {
		if (next[a] == SIZE_MAX || next[a] < i) {
			const char *p = memchr(in + i, anchors[a], len - i);
			next[a] = p ? (size_t)(p - in) : len;
		}
		if (next[a] < best)
			best = next[a];
	}
	return best;
}

/* Only the anchors of redact_may_hold can end a secret name or be inside a key id, so the scan
 * jumps from one to the next instead of trying every name at every character. */
size_t redact_secrets(const char *in, size_t len, struct strbuf *out)
{
	size_t next[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX }, i = 0, copied = 0, n = 0, start, end;
	bool hit;

	while ((i = next_anchor(in, len, i, next)) < len) {
		if (in[i] == 'I')
			hit = i >= copied + 2 && key_pair(in, len, i - 2, &start, &end);
		else
			hit = name_value(in, len, copied, i, &start, &end);
		if (!hit) {
			i++;
			continue;
		}
		strbuf_add(out, in + copied, start - copied);
		strbuf_addstr(out, REDACTION_MARK);
		copied = i = end;
		n++;
	}
	strbuf_add(out, in + copied, len - copied);
	return n;
}
