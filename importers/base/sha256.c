/* sha256: streaming SHA-256 over libcrypto's EVP interface. */
#include "sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>

int sha256_init(struct sha256_ctx *ctx)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		ctx->evp = NULL;
		return -ENOMEM;
	}
	ctx->evp = md;
	return 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (ctx->evp && len)
		EVP_DigestUpdate(ctx->evp, data, len);
}

void sha256_final_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	hex[0] = '\0';
	if (!ctx->evp)
		return;
	EVP_DigestFinal_ex(ctx->evp, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * (n < 32 ? n : 32)] = '\0';
	sha256_release(ctx);
}

void sha256_release(struct sha256_ctx *ctx)
{
	if (!ctx)
		return;
	EVP_MD_CTX_free(ctx->evp);
	ctx->evp = NULL;
}

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final_hex(&ctx, hex);
}
