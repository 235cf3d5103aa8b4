/*
 * json.c: what the library asks of jansson, for the two ways its out of
 * memory is not said as such.
 *
 * Writing: jansson's dumper does not check every write it makes: when its
 * buffer cannot grow while it writes an object's key, the key is dropped
 * and the rest written, which gives a document that is not JSON (an audit
 * line, a fleet run's record). Here the text goes into a gw_str, whose
 * failure sticks, and a document with any failed write is not given out.
 *
 * Reading: an allocation that fails while jansson lexes is reported as a
 * syntax error ("':' expected"), or one without text. A document that is
 * really malformed fails the same way twice; one that parses on a second
 * try was not malformed, and is reported as out of memory.
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

static int put(const char *buffer, size_t size, void *data)
{
	return gw_str_put(data, buffer, size) < 0 ? -1 : 0;
}

int gw_json__dump(gw_str *out, const json_t *j, size_t flags)
{
	if (json_dump_callback(j, put, out, flags) < 0)
		return -1;
	return gw_str_failed(out) ? -1 : 0;
}

char *gw_json__dumps(const json_t *j, size_t flags)
{
	gw_str out = GW_STR_INIT;
	char *text = NULL;

	if (gw_json__dump(&out, j, flags) == 0)
		text = gw_str_detach(&out);
	gw_str_dispose(&out);
	return text;
}

static int out_of_memory(const json_error_t *je)
{
	return json_error_code(je) == json_error_out_of_memory || !je->text[0];
}

int gw_json__load(json_t **out, const char *text, size_t len, json_error_t *je)
{
	json_error_t again;
	json_t *retry;

	if ((*out = json_loadb(text, len, 0, je)) != NULL)
		return 0;
	if (out_of_memory(je))
		return -1;
	if ((retry = json_loadb(text, len, 0, &again)) != NULL) {
		json_decref(retry);
		return -1;
	}
	return out_of_memory(&again) || strcmp(again.text, je->text) ? -1 : 1;
}
