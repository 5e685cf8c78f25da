/* test-base: the bottom layer — cursor, strbuf, time, JSON writing, terminal escaping. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bstime.h"
#include "csvw.h"
#include "cursor.h"
#include "jsonw.h"
#include "sha256.h"
#include "strbuf.h"
#include "termsafe.h"

Test(cursor, reads_both_byte_orders)
{
	static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	struct cursor c = cursor_make(bytes, sizeof(bytes));

	cr_assert_eq(cursor_u8(&c), 0x01);
	cr_assert_eq(cursor_be16(&c), 0x0203);
	cr_assert_eq(cursor_le16(&c), 0x0504);
	cr_assert_eq(cursor_be32(&c), 0x06070809u);
	cr_assert(!c.truncated);
	cr_assert_eq(cursor_remaining(&c), 0);
	c = cursor_make(bytes, sizeof(bytes));
	cr_assert_eq(cursor_le64(&c), 0x0807060504030201ull);
	cr_assert_eq(cursor_u8(&c), 0x09);
	c = cursor_make(bytes, 8);
	cr_assert_eq(cursor_u64(&c, true), 0x0102030405060708ull);
}

Test(cursor, reading_past_the_end_is_sticky_and_safe)
{
	static const uint8_t bytes[] = { 0xaa, 0xbb, 0xcc };
	struct cursor c = cursor_make(bytes, sizeof(bytes));

	cr_assert_eq(cursor_be16(&c), 0xaabb);
	cr_assert_eq(cursor_be32(&c), 0, "a short read yields zero");
	cr_assert(c.truncated);
	cr_assert_eq(cursor_remaining(&c), 0, "after a short read nothing more is trusted");
	cr_assert_null(cursor_bytes(&c, 1));
	cr_assert_eq(cursor_u8(&c), 0);
	cr_assert(c.truncated, "the flag stays set");
	c = cursor_make(bytes, sizeof(bytes));
	cr_assert_not_null(cursor_bytes(&c, 3), "an exact read is not a short one");
	cr_assert(!c.truncated);
}

Test(cursor, sub_cursor_is_clamped)
{
	static const uint8_t bytes[] = { 1, 2, 3, 4 };
	struct cursor c = cursor_make(bytes, sizeof(bytes));
	struct cursor sub;

	cursor_skip(&c, 1);
	sub = cursor_sub(&c, 10);
	cr_assert(c.truncated, "a sub-cursor longer than its parent marks the parent");
	cr_assert_eq(cursor_remaining(&sub), 3);
	cr_assert_eq(cursor_offset(&c), 4);
	cr_assert(!sub.truncated);
	cr_assert(!cursor_skip(&sub, 4));
	cr_assert_eq(cursor_remaining(&sub), 0);
}

Test(strbuf, grows_and_stays_terminated)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_str_eq(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	cr_assert_eq(sb.len, strlen(sb.buf));
	cr_assert(!strncmp(sb.buf, "0,1,2,", 6));
	strbuf_setlen(&sb, 2);
	cr_assert_str_eq(sb.buf, "0,");
	strbuf_reset(&sb);
	strbuf_addi64(&sb, INT64_MIN);
	cr_assert_str_eq(sb.buf, "-9223372036854775808");
	strbuf_release(&sb);
	cr_assert_eq(sb.len, 0);
}

Test(strbuf, decimal_numbers_as_printf_writes_them)
{
	static const long long cases[] = { 0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 13511, 65535, -1, -10, -100,
					   4294967295LL, 1795317289123456789LL, INT64_MAX, INT64_MIN };
	struct strbuf sb = STRBUF_INIT;
	char want[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		strbuf_addi64(&sb, cases[i]);
		snprintf(want, sizeof(want), "%lld", cases[i]);
		cr_assert_str_eq(sb.buf, want);
		cr_assert_eq(sb.len, strlen(want));
	}
	strbuf_reset(&sb);
	strbuf_addu64(&sb, UINT64_MAX);
	cr_assert_str_eq(sb.buf, "18446744073709551615");
	strbuf_release(&sb);
}

struct time_case {
	const char *text;
	int64_t ns;
	int64_t precision;
};

Test(bstime, parses_rfc3339_variants)
{
	static const struct time_case cases[] = {
		{ "1970-01-01T00:00:00Z", 0, BS_NS_PER_SEC },
		{ "2026-11-22T03:14:49.123456789Z", 1795317289123456789LL, 1 },
		{ "2026-11-22T03:14:49.123Z", 1795317289123000000LL, 1000000 },
		{ "2026-11-22T04:14:49.5+01:00", 1795317289500000000LL, 100000000 },
		{ "2026-11-21T22:14:49-0500", 1795317289000000000LL, BS_NS_PER_SEC },
		{ "2026-11-22 03:14:49Z", 1795317289000000000LL, BS_NS_PER_SEC },
		{ "2024-02-29T00:00:00Z", 1709164800000000000LL, BS_NS_PER_SEC },
		{ "1969-12-31T23:59:59.999999999Z", -1, 1 },
		{ "2016-12-31T23:59:60Z", 1483228799000000000LL, BS_NS_PER_SEC },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = 0, prec = 0;
		int r = bs_time_parse(cases[i].text, strlen(cases[i].text), 0, &ns, &prec);
		cr_assert_eq(r, 0, "%s", cases[i].text);
		cr_assert_eq(ns, cases[i].ns, "%s: %lld", cases[i].text, (long long)ns);
		cr_assert_eq(prec, cases[i].precision, "%s: precision %lld", cases[i].text, (long long)prec);
	}
}

Test(bstime, rejects_what_is_not_a_time)
{
	static const char *const bad[] = {
		"", "2026", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
		"2026-11-22T24:00:00Z", "2026-11-22T03:14:49", "2026-11-22T03:14:49.Z",
		"ThisIsAWrongEventTime", "2026-11-22T03:14:49Zjunk", "2026-11-22T03:14:49+25:00",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ns;
		cr_assert_lt(bs_time_parse(bad[i], strlen(bad[i]), 0, &ns, NULL), 0, "'%s' was accepted", bad[i]);
	}
	int64_t ns;
	cr_assert_eq(bs_time_parse("2026-11-22T03:14:49", 19, 1, &ns, NULL), 0, "local time allowed on request");
	cr_assert_eq(bs_time_parse("9999-12-31T23:59:59Z", 20, 0, &ns, NULL), -ERANGE, "beyond int64 ns: refused");
	cr_assert_eq(bs_time_parse("0001-01-01T00:00:00Z", 20, 0, &ns, NULL), -ERANGE);
	cr_assert_eq(bs_time_parse("2262-04-11T23:47:16Z", 20, 0, &ns, NULL), -ERANGE);
	cr_assert_eq(bs_time_parse("2262-04-10T00:00:00Z", 20, 0, &ns, NULL), 0);
}

Test(bstime, formats_with_nanoseconds_and_round_trips)
{
	static const int64_t values[] = { 0, 1, -1, 1795317289123456789LL, -86400LL * BS_NS_PER_SEC * 365 * 100,
					  9000000000000000000LL };
	char out[BS_TIME_MAX_LEN];

	bs_time_format(1795317289123456789LL, out);
	cr_assert_str_eq(out, "2026-11-22T03:14:49.123456789Z");
	bs_time_format(-1, out);
	cr_assert_str_eq(out, "1969-12-31T23:59:59.999999999Z");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int64_t back;
		size_t n = bs_time_format(values[i], out);
		cr_assert_eq(bs_time_parse(out, n, 0, &back, NULL), 0, "%s", out);
		cr_assert_eq(back, values[i], "%s", out);
	}
}

struct json_case {
	const char *in;
	size_t len;
	const char *out;
};

Test(jsonw, escapes_for_json_and_html)
{
	static const struct json_case cases[] = {
		{ "plain", 5, "\"plain\"" },
		{ "", 0, "\"\"" },
		{ "a long plain run, then <", 24, "\"a long plain run, then \\u003c\"" },
		{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
		{ "</script><b>&", 13, "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"" },
		{ "nl\n\t\x01", 5, "\"nl\\n\\t\\u0001\"" },
		{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },
		{ "bad\xff\xc3", 5, "\"bad\\ufffd\\ufffd\"" },
		{ "nul\0x", 5, "\"nul\\u0000x\"" },
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		jsonw_string(&sb, cases[i].in, cases[i].len);
		cr_assert_str_eq(sb.buf, cases[i].out, "case %zu", i);
		strbuf_release(&sb);
	}
}

Test(jsonw, object_writer)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw_obj o;

	jsonw_begin(&o, &sb);
	jsonw_key_str(&o, "a", "x");
	jsonw_key_i64(&o, "b", -5);
	jsonw_key_bool(&o, "c", true);
	jsonw_key_str(&o, "d", NULL);
	jsonw_key_raw(&o, "e", "[1,2]");
	jsonw_key_i64(&o, "k<\"", 1); /* keys are escaped like values */
	jsonw_key_i64(&o, "a.key.longer.than.sixty.four.bytes.is.copied.whole.all.the.same.x", 2);
	jsonw_lkey_i64(&o, "fd.num", -3);
	jsonw_lkey_str(&o, "fd.name", "<x>");
	jsonw_lkey_strn(&o, "fd.directory", "/etc/passwd", 4);
	jsonw_end(&o);
	cr_assert_str_eq(sb.buf, "{\"a\":\"x\",\"b\":-5,\"c\":true,\"d\":null,\"e\":[1,2],\"k\\u003c\\\"\":1,"
				 "\"a.key.longer.than.sixty.four.bytes.is.copied.whole.all.the.same.x\":2,"
				 "\"fd.num\":-3,\"fd.name\":\"\\u003cx\\u003e\",\"fd.directory\":\"/etc\"}");
	strbuf_release(&sb);
}

Test(termsafe, neutralises_terminal_escapes)
{
	static const struct json_case cases[] = {
		{ "ls -la", 6, "ls -la" },
		{ "\x1b[2J\x1b]0;owned\x07", 14, "\\x1b[2J\\x1b]0;owned\\x07" },
		{ "a\\b\nc", 5, "a\\\\b\\nc" },
		{ "\xc2\x9b" "31m", 5, "\\xc2\\x9b31m" },
		{ "\xe2\x9c\x93 ok", 6, "\xe2\x9c\x93 ok" },
		{ "\xff", 1, "\\xff" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_add_termsafe(&sb, cases[i].in, cases[i].len);
		cr_assert_str_eq(sb.buf, cases[i].out, "case %zu: %s", i, sb.buf);
		strbuf_release(&sb);
	}
}

Test(sha256, known_vectors)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(csvw, quotes_and_defuses_formulas)
{
	static const char *const cases[][2] = {
		{ "plain", "\"plain\"" },
		{ "say \"hi\", ok", "\"say \"\"hi\"\", ok\"" },
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
		{ "+1", "\"'+1\"" },
		{ "-2", "\"'-2\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" },
		{ "a\nb", "\"a\nb\"" },
		{ "", "\"\"" },
	};
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		csvw_cell(&sb, cases[i][0]);
		cr_assert_str_eq(sb.buf, cases[i][1], "case %zu", i);
	}
	strbuf_reset(&sb);
	csvw_cell(&sb, NULL);
	cr_assert_str_eq(sb.buf, "", "NULL is an empty, unquoted cell");
	strbuf_release(&sb);
}
