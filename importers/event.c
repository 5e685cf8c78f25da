/* event: the source table and initialisers of the event model; see event.h. */
#include "event.h"

#include <stddef.h>
#include <string.h>

const struct bs_event_column bs_event_columns[] = {
#define X(kind, name, desc) { #name, BS_COLUMN_##kind, offsetof(struct bs_event, name), desc },
	BS_EVENT_COLUMNS(X)
#undef X
};
const size_t bs_event_ncolumns = sizeof(bs_event_columns) / sizeof(bs_event_columns[0]);

static const struct {
	const char *name;
	const char *description;
} sources[] = {
#define X(id, name, desc) [id] = { name, desc },
	BS_SOURCES(X)
#undef X
};

const char *bs_source_name(enum bs_source s)
{
	return (unsigned)s < SRC__COUNT ? sources[s].name : "other";
}

const char *bs_source_description(enum bs_source s)
{
	return (unsigned)s < SRC__COUNT ? sources[s].description : "";
}

int bs_source_from_name(const char *name)
{
	for (int i = 0; i < SRC__COUNT; i++)
		if (!strcmp(sources[i].name, name))
			return i;
	return -1;
}

static inline void init_INT(int64_t *v)
{
	*v = BS_NONE;
}

static inline void init_STR(const char **v)
{
	*v = NULL;
}

void bs_event_init(struct bs_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_precision = 1;
#define X(kind, name, desc) init_##kind(&ev->name);
	BS_EVENT_COLUMNS(X)
#undef X
	ev->process_key = BS_NONE;
}

void bs_process_init(struct bs_process *p)
{
	memset(p, 0, sizeof(*p));
	p->key = p->parent_key = BS_NONE;
	p->pid = p->ppid = p->start_ts = p->end_ts = BS_NONE;
	p->uid = p->euid = p->loginuid = p->sid = p->exit_status = BS_NONE;
}
