/*
 * dotenv.h: reading .env files (dotenv.c), for config.c.
 */
#ifndef GW_LIB_DOTENV_H
#define GW_LIB_DOTENV_H

#include "godwit/errors.h"
#include "../util/vec.h"

typedef struct {
	char *key;
	char *value;
	const char *path; /* the file it was read from (outlives the list) */
	int line;
} gw_dotenv_var;

/* Appends the variables of the .env file at path to vars (gw_dotenv_var
 * *, freed with gw_dotenv_var_free). A missing file is fine unless
 * must_exist (it was named: --env-file); GW_ECONFIG with FILE:LINE for a
 * line that is not KEY=VALUE. */
int gw_dotenv_load(gw_vec *vars, const char *path, int must_exist, gw_ctx *ctx);
/* The same for a file that over wins over (.env under .env.local): its
 * ${NAME} read the environment, then over, then its own earlier lines.
 * Unquoted and double-quoted values expand ${NAME} and ${NAME:-default}
 * (unset is empty); single-quoted ones and any other $ stay as written. */
int gw_dotenv_load_under(gw_vec *vars, const gw_vec *over, const char *path, int must_exist,
                         gw_ctx *ctx);
/* The last definition of key, as when a shell sources the files; NULL. */
const gw_dotenv_var *gw_dotenv_find(const gw_vec *vars, const char *key);
void gw_dotenv_var_free(void *var);

#endif
