/*
 * cmd_config.c: `godwit config`: every setting's effective value and where
 * it came from (a flag, the environment, .env, godwit.conf:LINE, or the
 * default), with passwords masked. The first thing to run when a deploy
 * does not do what its configuration seems to say.
 */
#include "cli.h"

/* The value of key safe to print, in *value (NULL when unset); -1 when it
 * is set but could not be masked for want of memory. */
static int display(gw_cli *cli, const char *key, char **value)
{
	*value = gw_config_display(cli->config, key);
	return !*value && gw_config_get(cli->config, key) ? -1 : 0;
}

static int config_run(gw_cli *cli, const gw_args *args)
{
	const char *const *k;
	json_t *root, *settings;
	char *value;

	(void)args;
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		settings = json_object();
		gw_json_set(root, "environment", gw_json_str(gw_config_environment(cli->config)));
		gw_json_set(root, "protected", json_boolean(gw_config_protected(cli->config)));
		for (k = gw_config_keys(); *k; k++) {
			json_t *o = json_object();

			if (display(cli, *k, &value) < 0) {
				json_decref(o);
				json_decref(settings);
				json_decref(root);
				return gw_cli_refuse(cli, NULL, "out of memory");
			}
			gw_json_set(o, "value", gw_json_str(value));
			gw_json_set(o, "source", gw_json_str(gw_config_source(cli->config, *k)));
			gw_json_set(settings, *k, o);
			free(value);
		}
		gw_json_set(root, "settings", settings);
		return gw_json_print(cli, root);
	}
	printf("environment          %s%s\n", gw_config_environment(cli->config),
	       gw_config_protected(cli->config) ? " (protected)" : "");
	for (k = gw_config_keys(); *k; k++) {
		if (display(cli, *k, &value) < 0)
			return gw_cli_refuse(cli, NULL, "out of memory");
		printf("%-20s %-40s %s\n", *k, value ? value : "-",
		       value ? gw_config_source(cli->config, *k) : "");
		free(value);
	}
	return GW_EXIT_OK;
}

const gw_cmd gw_cmd_config = {
        .name = "config",
        .summary = "show the effective settings and where each came from",
        .usage = "config",
        .needs = GW_NEEDS_CONFIG,
        .run = config_run,
};
