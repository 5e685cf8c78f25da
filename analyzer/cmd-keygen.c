/* cmd-keygen: `backsight keygen` — make an Ed25519 key pair for signing evidence packages.
 *
 * usage: backsight keygen -o PREFIX
 *
 *   -o, --output PREFIX   write PREFIX.pub and PREFIX.key (mode 0600); never overwrites
 *
 * The files are in minisign's formats (minisig.h): `minisign -Vm FILE -p PREFIX.pub` checks a
 * package's signature. The secret key is written unencrypted (like `minisign -G -W`) unless
 * BACKSIGHT_KEY_PASSWORD is set, in which case it is encrypted with scrypt as minisign does.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "minisig.h"

static const char usage[] = "usage: backsight keygen -o PREFIX\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *password = getenv("BACKSIGHT_KEY_PASSWORD");
	struct minisig_pubkey pub;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	char id[MINISIG_KEYID_HEX_LEN + 1];
	int c;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			prefix = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "keygen: bad option");
		}
	}
	if (!prefix || optind != argc)
		return usage_error(usage, "keygen: need -o PREFIX and nothing else");
	if (password && !*password)
		password = NULL;
	if (minisig_keygen(prefix, password, &pub, &err) < 0) {
		error("%s", err.buf);
		strbuf_release(&err);
		return EXIT_RUNTIME;
	}
	minisig_keyid_hex(pub.id, id);
	minisig_pubkey_format(&pub, &text);
	printf("key %s: public key %s.pub, secret key %s.key (%s)\n", id, prefix, prefix,
	       password ? "encrypted with BACKSIGHT_KEY_PASSWORD" : "unencrypted: keep it private");
	printf("public key, to print in a report or pass to minisign -P: %.*s\n",
	       (int)(strrchr(text.buf, '\n') - strchr(text.buf, '\n') - 1), strchr(text.buf, '\n') + 1);
	strbuf_release(&text);
	strbuf_release(&err);
	return 0;
}
