/* minisig: minisign-compatible Ed25519 keys and signatures over libsodium; see minisig.h. */
#include "minisig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#define SECKEY_LEN (2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32)
#define KEYNUM_SK_OFF (2 + 2 + 2 + 32 + 8 + 8)
#define KEYNUM_SK_LEN (8 + 64 + 32)
#define SIG_LEN (2 + 8 + 64)
#define PUB_LEN (2 + 8 + 32)

static int init(struct strbuf *err)
{
	if (sodium_init() < 0) {
		strbuf_addstr(err, "libsodium could not be initialised");
		return -EIO;
	}
	return 0;
}

static void le64_store(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void minisig_keyid_hex(const uint8_t id[8], char out[MINISIG_KEYID_HEX_LEN + 1])
{
	snprintf(out, MINISIG_KEYID_HEX_LEN + 1, "%016llX", (unsigned long long)le64_load(id));
}

static void b64_add(struct strbuf *sb, const uint8_t *bin, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	strbuf_grow(sb, n);
	sodium_bin2base64(sb->buf + sb->len, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
	strbuf_setlen(sb, sb->len + n - 1);
}

/* Decode exactly `len` bytes of base64 from a line (trailing whitespace ignored). */
static int b64_line(const char *line, size_t linelen, uint8_t *bin, size_t len)
{
	size_t got;

	while (linelen && (line[linelen - 1] == '\n' || line[linelen - 1] == '\r' || line[linelen - 1] == ' '))
		linelen--;
	if (sodium_base642bin(bin, len, line, linelen, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != len)
		return -EINVAL;
	return 0;
}

static int read_text(const char *path, struct strbuf *out, size_t max, struct strbuf *err)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && out->len <= max)
		strbuf_add(out, buf, n);
	fclose(f);
	if (out->len > max) {
		strbuf_addf(err, "%s: too large for a key or signature file", path);
		return -EFBIG;
	}
	return 0;
}

/* Split text into lines: ret[i] points at line i, lens[i] its length without the newline. */
static size_t lines_of(const char *text, size_t len, const char **ret, size_t *lens, size_t max)
{
	size_t n = 0, pos = 0;

	while (pos < len && n < max) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - text - pos) : len - pos;
		ret[n] = text + pos;
		lens[n++] = l;
		pos += l + 1;
	}
	return n;
}

static void scrypt_xor(uint8_t *sk, const char *password, struct strbuf *err, int *r)
{
	uint8_t stream[KEYNUM_SK_LEN];

	*r = 0;
	if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream), password, strlen(password), sk + 6,
					       le64_load(sk + 38), (size_t)le64_load(sk + 46)) != 0) {
		strbuf_addstr(err, "scrypt failed (not enough memory for the key's parameters?)");
		*r = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < KEYNUM_SK_LEN; i++)
		sk[KEYNUM_SK_OFF + i] ^= stream[i];
	sodium_memzero(stream, sizeof(stream));
}

static void seckey_checksum(const uint8_t *sk, uint8_t chk[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, sk, 2);
	crypto_generichash_update(&st, sk + KEYNUM_SK_OFF, 8 + 64);
	crypto_generichash_final(&st, chk, 32);
}

void minisig_pubkey_format(const struct minisig_pubkey *pub, struct strbuf *out)
{
	uint8_t bin[PUB_LEN];
	char id[MINISIG_KEYID_HEX_LEN + 1];

	memcpy(bin, "Ed", 2);
	memcpy(bin + 2, pub->id, 8);
	memcpy(bin + 10, pub->pk, 32);
	minisig_keyid_hex(pub->id, id);
	strbuf_addf(out, "untrusted comment: minisign public key %s\n", id);
	b64_add(out, bin, sizeof(bin));
	strbuf_addch(out, '\n');
}

static int write_new(const char *path, const char *data, size_t len, mode_t mode, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

	if (fd < 0) {
		strbuf_addf(err, "%s: %s", path, errno == EEXIST ? "exists already, not overwritten" : strerror(errno));
		return -errno;
	}
	if (write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int minisig_keygen(const char *prefix, const char *password, struct minisig_pubkey *ret_pub, struct strbuf *err)
{
	uint8_t sk[SECKEY_LEN] = { 0 };
	struct minisig_pubkey pub;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int r;

	if ((r = init(err)) < 0)
		return r;
	memcpy(sk, "Ed", 2);
	memcpy(sk + 4, "B2", 2);
	randombytes_buf(pub.id, sizeof(pub.id));
	memcpy(sk + KEYNUM_SK_OFF, pub.id, 8);
	crypto_sign_keypair(pub.pk, sk + KEYNUM_SK_OFF + 8);
	seckey_checksum(sk, sk + KEYNUM_SK_OFF + 8 + 64);
	if (password) {
		memcpy(sk + 2, "Sc", 2);
		randombytes_buf(sk + 6, 32);
		le64_store(sk + 38, crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_INTERACTIVE);
		le64_store(sk + 46, crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_INTERACTIVE);
		scrypt_xor(sk, password, err, &r);
		if (r < 0)
			goto out;
	}
	strbuf_addf(&text, "untrusted comment: minisign %ssecret key (backsight keygen)\n",
		    password ? "encrypted " : "unencrypted ");
	b64_add(&text, sk, sizeof(sk));
	strbuf_addch(&text, '\n');
	strbuf_addf(&path, "%s.key", prefix);
	if ((r = write_new(path.buf, text.buf, text.len, 0600, err)) < 0)
		goto out;
	strbuf_reset(&text);
	minisig_pubkey_format(&pub, &text);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s.pub", prefix);
	if ((r = write_new(path.buf, text.buf, text.len, 0644, err)) < 0)
		goto out;
	if (ret_pub)
		*ret_pub = pub;
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(text.buf, text.len);
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

int minisig_pubkey_parse(const char *text, struct minisig_pubkey *ret, struct strbuf *err)
{
	const char *lines[2];
	size_t lens[2], n = lines_of(text, strlen(text), lines, lens, 2);
	uint8_t bin[PUB_LEN];
	const char *b64 = text;
	size_t b64len = strlen(text);

	if (n >= 2 && !strncmp(lines[0], "untrusted comment:", 18)) {
		b64 = lines[1];
		b64len = lens[1];
	}
	if (b64_line(b64, b64len, bin, sizeof(bin)) < 0 || memcmp(bin, "Ed", 2)) {
		strbuf_addstr(err, "not a minisign Ed25519 public key");
		return -EINVAL;
	}
	memcpy(ret->id, bin + 2, 8);
	memcpy(ret->pk, bin + 10, 32);
	return 0;
}

int minisig_pubkey_load(const char *path, struct minisig_pubkey *ret, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int r;

	if (access(path, F_OK) != 0 && strlen(path) == 56) {
		r = minisig_pubkey_parse(path, ret, err);
		return r;
	}
	r = read_text(path, &text, 4096, err);
	if (r == 0 && (r = minisig_pubkey_parse(text.buf, ret, &why)) < 0)
		strbuf_addf(err, "%s: %s", path, why.buf);
	strbuf_release(&text);
	strbuf_release(&why);
	return r;
}

static int load_seckey(const char *keyfile, const char *password, uint8_t sk[SECKEY_LEN], struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	const char *lines[2];
	size_t lens[2];
	uint8_t chk[32];
	int r;

	if ((r = read_text(keyfile, &text, 4096, err)) < 0)
		goto out;
	r = -EINVAL;
	if (lines_of(text.buf, text.len, lines, lens, 2) < 2 || b64_line(lines[1], lens[1], sk, SECKEY_LEN) < 0 ||
	    memcmp(sk, "Ed", 2) || memcmp(sk + 4, "B2", 2)) {
		strbuf_addf(err, "%s: not a minisign Ed25519 secret key", keyfile);
		goto out;
	}
	if (!memcmp(sk + 2, "Sc", 2)) {
		if (!password) {
			strbuf_addf(err, "%s: the key is encrypted: set BACKSIGHT_KEY_PASSWORD", keyfile);
			goto out;
		}
		scrypt_xor(sk, password, err, &r);
		if (r < 0)
			goto out;
		r = -EINVAL;
	} else if (sk[2] || sk[3]) {
		strbuf_addf(err, "%s: unsupported key derivation in secret key", keyfile);
		goto out;
	}
	seckey_checksum(sk, chk);
	if (memcmp(chk, sk + KEYNUM_SK_OFF + 8 + 64, 32)) {
		strbuf_addf(err, "%s: wrong password for this key, or a damaged key", keyfile);
		goto out;
	}
	r = 0;
out:
	sodium_memzero(text.buf, text.len);
	strbuf_release(&text);
	return r;
}

int minisig_seckey_public(const char *keyfile, const char *password, struct minisig_pubkey *ret, struct strbuf *err)
{
	uint8_t sk[SECKEY_LEN];
	int r;

	if ((r = init(err)) < 0)
		return r;
	if ((r = load_seckey(keyfile, password, sk, err)) == 0) {
		memcpy(ret->id, sk + KEYNUM_SK_OFF, 8);
		memcpy(ret->pk, sk + KEYNUM_SK_OFF + 8 + 32, 32);
	}
	sodium_memzero(sk, sizeof(sk));
	return r;
}

static int hash_file(const char *path, uint8_t out[64], struct strbuf *err)
{
	crypto_generichash_state st;
	uint8_t buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	crypto_generichash_init(&st, NULL, 0, 64);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_generichash_update(&st, buf, n);
	if (ferror(f)) {
		strbuf_addf(err, "%s: read error", path);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	crypto_generichash_final(&st, out, 64);
	return 0;
}

int minisig_sign(const char *keyfile, const char *password, const char *file, const char *sigfile,
		 const char *trusted_comment, struct minisig_pubkey *ret_pub, struct strbuf *err)
{
	uint8_t sk[SECKEY_LEN], digest[64], sig[SIG_LEN], global[64], *both = NULL;
	const uint8_t *ed_sk = sk + KEYNUM_SK_OFF + 8;
	size_t tclen = strlen(trusted_comment);
	struct strbuf text = STRBUF_INIT;
	char id[MINISIG_KEYID_HEX_LEN + 1];
	int r;

	if ((r = init(err)) < 0)
		return r;
	if (strchr(trusted_comment, '\n') || strchr(trusted_comment, '\r')) {
		strbuf_addstr(err, "a trusted comment is one line");
		return -EINVAL;
	}
	if ((r = load_seckey(keyfile, password, sk, err)) < 0)
		goto out;
	if ((r = hash_file(file, digest, err)) < 0)
		goto out;
	memcpy(sig, "ED", 2);
	memcpy(sig + 2, sk + KEYNUM_SK_OFF, 8);
	crypto_sign_detached(sig + 10, NULL, digest, sizeof(digest), ed_sk);
	both = malloc(64 + tclen);
	if (!both)
		abort();
	memcpy(both, sig + 10, 64);
	memcpy(both + 64, trusted_comment, tclen);
	crypto_sign_detached(global, NULL, both, 64 + tclen, ed_sk);
	minisig_keyid_hex(sk + KEYNUM_SK_OFF, id);
	strbuf_addf(&text, "untrusted comment: signature from backsight, minisign key %s\n", id);
	b64_add(&text, sig, sizeof(sig));
	strbuf_addf(&text, "\ntrusted comment: %s\n", trusted_comment);
	b64_add(&text, global, sizeof(global));
	strbuf_addch(&text, '\n');
	unlink(sigfile);
	if ((r = write_new(sigfile, text.buf, text.len, 0644, err)) < 0)
		goto out;
	if (ret_pub) {
		memcpy(ret_pub->id, sk + KEYNUM_SK_OFF, 8);
		memcpy(ret_pub->pk, ed_sk + 32, 32);
	}
out:
	sodium_memzero(sk, sizeof(sk));
	free(both);
	strbuf_release(&text);
	return r;
}

int minisig_verify(const struct minisig_pubkey *pub, const char *file, const char *sigfile,
		   char **ret_trusted_comment, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	const char *lines[4];
	size_t lens[4], tclen;
	uint8_t sig[SIG_LEN], global[64], digest[64], *both = NULL;
	const char *tc;
	char a[MINISIG_KEYID_HEX_LEN + 1], b[MINISIG_KEYID_HEX_LEN + 1];
	int r;

	if ((r = init(err)) < 0)
		return r;
	if ((r = read_text(sigfile, &text, 16384, err)) < 0)
		goto out;
	r = -EBADMSG;
	if (lines_of(text.buf, text.len, lines, lens, 4) < 4 || strncmp(lines[0], "untrusted comment: ", 19) ||
	    strncmp(lines[2], "trusted comment: ", 17) || b64_line(lines[1], lens[1], sig, sizeof(sig)) < 0 ||
	    b64_line(lines[3], lens[3], global, sizeof(global)) < 0) {
		strbuf_addf(err, "%s: not a minisign signature file", sigfile);
		goto out;
	}
	if (memcmp(sig, "ED", 2)) {
		strbuf_addf(err, "%s: signature algorithm is not the prehashed Ed25519 ('ED') backsight writes", sigfile);
		goto out;
	}
	if (memcmp(sig + 2, pub->id, 8)) {
		minisig_keyid_hex(sig + 2, a);
		minisig_keyid_hex(pub->id, b);
		strbuf_addf(err, "%s: signed by key %s, not by the given key %s", sigfile, a, b);
		goto out;
	}
	if ((r = hash_file(file, digest, err)) < 0)
		goto out;
	r = -EBADMSG;
	if (crypto_sign_verify_detached(sig + 10, digest, sizeof(digest), pub->pk) != 0) {
		strbuf_addf(err, "%s: signature does not match the file (the file changed since it was signed)", sigfile);
		goto out;
	}
	tc = lines[2] + 17;
	tclen = lens[2] - 17;
	while (tclen && (tc[tclen - 1] == '\r' || tc[tclen - 1] == ' ' || tc[tclen - 1] == '\t'))
		tclen--;
	both = malloc(64 + tclen);
	if (!both)
		abort();
	memcpy(both, sig + 10, 64);
	memcpy(both + 64, tc, tclen);
	if (crypto_sign_verify_detached(global, both, 64 + tclen, pub->pk) != 0) {
		strbuf_addf(err, "%s: the trusted comment was changed after signing", sigfile);
		goto out;
	}
	if (ret_trusted_comment) {
		*ret_trusted_comment = strndup(tc, tclen);
		if (!*ret_trusted_comment)
			abort();
	}
	r = 0;
out:
	free(both);
	strbuf_release(&text);
	return r;
}
