/* minisig: Ed25519 keys and signatures in minisign's file formats, with libsodium, so that the
 * stock `minisign -Vm FILE -p KEY.pub` verifies what backsight signs.
 *
 * Formats (minisign's documentation and source, jedisct1/minisign; facts only):
 *   public key  "untrusted comment: …\n" + base64("Ed" ‖ key id[8] ‖ Ed25519 public key[32]) + "\n"
 *   secret key  "untrusted comment: …\n" + base64("Ed" ‖ kdf ‖ "B2" ‖ salt[32] ‖ opslimit le64 ‖
 *               memlimit le64 ‖ key id[8] ‖ Ed25519 secret key[64] ‖ checksum[32]) + "\n", where
 *               kdf is "Sc" (the last 104 bytes XORed with scrypt(password, salt, opslimit,
 *               memlimit)) or two zero bytes (unencrypted), and the checksum is BLAKE2b-256 of
 *               "Ed" ‖ key id ‖ secret key;
 *   signature   "untrusted comment: …\n" + base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(file))) +
 *               "\ntrusted comment: TEXT\n" + base64(Ed25519(signature[64] ‖ TEXT)) + "\n".
 * The key id is printed as 16 upper-case hex digits of its bytes read as a little-endian u64.
 *
 * A secret key is written unencrypted unless a password is given (BACKSIGHT_KEY_PASSWORD in the
 * CLI); both forms are read.
 */
#ifndef BS_MINISIG_H
#define BS_MINISIG_H

#include <stdint.h>

#include "strbuf.h"

#define MINISIG_KEYID_HEX_LEN 16

struct minisig_pubkey {
	uint8_t id[8];
	uint8_t pk[32];
};

/* Write PREFIX.pub and PREFIX.key (mode 0600); refuses to overwrite. password may be NULL. */
int minisig_keygen(const char *prefix, const char *password, struct minisig_pubkey *ret_pub, struct strbuf *err);

/* Read a public key file (or a bare base64 key string when `path` does not name a file). */
int minisig_pubkey_load(const char *path, struct minisig_pubkey *ret, struct strbuf *err);
/* Parse the text of a public key file. */
int minisig_pubkey_parse(const char *text, struct minisig_pubkey *ret, struct strbuf *err);
/* The text of a public key file for pub. */
void minisig_pubkey_format(const struct minisig_pubkey *pub, struct strbuf *out);
void minisig_keyid_hex(const uint8_t id[8], char out[MINISIG_KEYID_HEX_LEN + 1]);

/* The public half of a secret key file (to name the signing key before signing). */
int minisig_seckey_public(const char *keyfile, const char *password, struct minisig_pubkey *ret, struct strbuf *err);

/* Sign `file` with the secret key in `keyfile`, writing `sigfile`. The trusted comment must be
 * one line. ret_pub (optional) gets the signer's public key (from the secret key). */
int minisig_sign(const char *keyfile, const char *password, const char *file, const char *sigfile,
		 const char *trusted_comment, struct minisig_pubkey *ret_pub, struct strbuf *err);

/* Verify `sigfile` over `file` with pub: 0 when both the signature and the trusted comment's
 * signature hold (ret_trusted_comment, optional, gets the comment; free it), -EBADMSG with the
 * reason in err otherwise, or another negative errno when a file cannot be read. */
int minisig_verify(const struct minisig_pubkey *pub, const char *file, const char *sigfile,
		   char **ret_trusted_comment, struct strbuf *err);

#endif
