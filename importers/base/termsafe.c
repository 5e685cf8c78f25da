/* termsafe: escaping of control characters and invalid UTF-8 for text output. */
#include "termsafe.h"

#include "jsonw.h"

void strbuf_add_termsafe(struct strbuf *sb, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	strbuf_grow(sb, len);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			size_t run = i;
			while (i < len && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
				i++;
			strbuf_add(sb, s + run, i - run);
			continue;
		}
		if (c == '\\') {
			strbuf_add(sb, "\\\\", 2);
			i++;
			continue;
		}
		if (c == '\n' || c == '\t' || c == '\r') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
			i++;
			continue;
		}
		n = c >= 0x80 ? utf8_seq_len(s + i, len - i) : 0;
		/* U+0080..U+009F (C1 controls) are encoded as C2 80..C2 9F. */
		if (n && !(n == 2 && c == 0xc2 && s[i + 1] < 0xa0)) {
			strbuf_add(sb, s + i, n);
			i += n;
			continue;
		}
		n = n ? n : 1;
		for (size_t k = 0; k < n; k++) {
			char esc[4] = { '\\', 'x', hex[s[i + k] >> 4], hex[s[i + k] & 15] };
			strbuf_add(sb, esc, 4);
		}
		i += n;
	}
}
