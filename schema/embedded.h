/* embedded: text files compiled into the binary (the schema steps and the named queries). */
#ifndef BS_EMBEDDED_H
#define BS_EMBEDDED_H

struct embedded_file {
	const char *name;
	const char *text;
};

/* the schema/NNNN-name.sql steps in version order; schema_steps[i] migrates user_version i to i + 1. */
extern const struct embedded_file schema_steps[];
/* schema/event-indexes.sql */
extern const struct embedded_file schema_indexes[];
/* the queries/ files in name order */
extern const struct embedded_file named_queries[];

#endif
