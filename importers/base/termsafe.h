/* termsafe: make attacker-controlled text safe to print on a terminal or in a text report.
 *
 * Evidence strings can carry escape sequences that repaint a terminal, hide lines or fake
 * output. Every text output of backsight passes them through here: C0 and C1 control
 * characters, DEL and invalid UTF-8 become visible \n, \t, \xNN escapes (a backslash itself
 * becomes \\ so that the escaping is unambiguous). Valid printable UTF-8 is kept.
 */
#ifndef BS_TERMSAFE_H
#define BS_TERMSAFE_H

#include <stddef.h>

#include "strbuf.h"

void strbuf_add_termsafe(struct strbuf *sb, const char *s, size_t len);

#endif
