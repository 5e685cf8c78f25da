/* redact: AWS secret access keys and session tokens out of exported text; see redact.h. */
#include "redact.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Longest first, so that "aws_session_token" wins over "token". */
static const char *const secret_names[] = {
	"aws_secret_access_key", "x-amz-security-token", "aws_session_token", "secret_access_key",
	"secretaccesskey", "session_token", "sessiontoken", "token",
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

/* At a secret name: the offsets where its value starts and ends, or false. */
static bool name_value(const char *s, size_t len, size_t i, size_t *ret_start, size_t *ret_end)
{
	for (size_t k = 0; k < sizeof(secret_names) / sizeof(secret_names[0]); k++) {
		size_t nl = strlen(secret_names[k]), j, v;
		if (i + nl > len || strncasecmp(s + i, secret_names[k], nl))
			continue;
		/* "Token" only as a name of its own ("Token": in an instance-metadata credential
		 * response), not as the tail of another word; "sessionToken" matched above. */
		if (!strcmp(secret_names[k], "token") && i > 0 && isalpha((unsigned char)s[i - 1]))
			continue;
		j = i + nl;
		while (j < len && quoteish(s[j]))
			j++;
		if (j >= len || (s[j] != ':' && s[j] != '='))
			continue;
		j++;
		while (j < len && quoteish(s[j]))
			j++;
		v = j;
		while (j < len && (b64((unsigned char)s[j]) || s[j] == '='))
			j++;
		if (j - v < MIN_SECRET_LEN)
			continue;
		*ret_start = v;
		*ret_end = j;
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

size_t redact_secrets(const char *in, size_t len, struct strbuf *out)
{
	size_t i = 0, copied = 0, n = 0, start, end;

	while (i < len) {
		char c = in[i];
		bool hit = false;
		if (c == 'A' && key_pair(in, len, i, &start, &end))
			hit = true;
		else if (strchr("aAsStTxX", c) && c && name_value(in, len, i, &start, &end))
			hit = true;
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
