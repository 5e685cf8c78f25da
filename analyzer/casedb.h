/* casedb: the case database — one SQLite file per case, the contract between the stages.
 *
 * casedb_open creates or opens a case, checks it is one (application_id), migrates it forward
 * to the schema this binary embeds (schema/NNNN-*.sql, one step per version) and, when opened
 * for writing, removes what an interrupted import left behind, so that re-running that import
 * gives exactly the database one clean run gives. The schema is documented in schema/README.md.
 *
 * Ownership: a casedb owns its sqlite3 handle; casedb_free closes it and accepts NULL. Library
 * calls return negative errnos and describe the failure in an `err` strbuf; only the CLI prints.
 */
#ifndef BS_CASEDB_H
#define BS_CASEDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define CASEDB_APPLICATION_ID 0x42534754 /* "BSGT" */

enum casedb_mode {
	CASEDB_READ,   /* must exist; never written */
	CASEDB_WRITE,  /* created if missing, migrated, recovered */
};

struct casedb {
	sqlite3 *db;
	char *path;
	bool writable;
};

int casedb_open(const char *path, enum casedb_mode mode, struct casedb **ret_db, struct strbuf *err);
void casedb_free(struct casedb *cdb);

/* The schema version this binary writes, and the one the file has. */
int casedb_schema_latest(void);
int casedb_schema_version(struct casedb *cdb);

/* Run SQL that returns no rows; on error describe it in err. */
int casedb_exec(struct casedb *cdb, const char *sql, struct strbuf *err);
/* Prepare or describe the failure. */
int casedb_prepare(struct casedb *cdb, const char *sql, sqlite3_stmt **ret_stmt, struct strbuf *err);
/* The integer fixed SQL (never user input) returns first; -1 on error or no row. */
int64_t casedb_query_int(struct casedb *cdb, const char *sql);
/* Number of rows in a table (tables are fixed names from the schema, never user input). */
int64_t casedb_count(struct casedb *cdb, const char *table);

/* Delete every row that belongs to one evidence file (a failed, duplicate or interrupted import). */
int casedb_forget_evidence(struct casedb *cdb, int64_t evidence_id, struct strbuf *err);

/* Drop / (re)build the timeline's secondary indexes (schema/event-indexes.sql). */
int casedb_drop_event_indexes(struct casedb *cdb, struct strbuf *err);
int casedb_build_event_indexes(struct casedb *cdb, struct strbuf *err);


#endif
