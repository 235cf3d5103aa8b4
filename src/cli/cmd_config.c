/*
 * cmd_config.c: `godwit config`: every setting's effective value and where
 * it came from (a flag, the environment, .env, godwit.conf:LINE, with
 * [env.NAME] when the environment's own section set it, or the default),
 * with passwords masked; first the environment's policy, the settings
 * whose defaults follow from its protection. The first thing to run when
 * a deploy does not do what its configuration seems to say; `godwit
 * config --env production` shows production's from any machine.
 */
#include <string.h>

#include "cli.h"

/* The value of key safe to print, in *value (NULL when unset); -1 when it
 * is set but could not be masked for want of memory. */
static int display(gw_cli *cli, const char *key, char **value)
{
	*value = gw_config_display(cli->config, key);
	return !*value && gw_config_get(cli->config, key) ? -1 : 0;
}

/* The deploy policy of an environment, in the order shown. A key the
 * library does not have is left out. */
static const char *const policy_keys[] = {
        "protected", "confirm", "block",     "block_destructive",
        "backup",    "atomic",  "after_up",  "on_check_failure",
        "seeds",     "notify",  "notify_on", NULL,
};

typedef struct {
	const char *value; /* NULL: none */
	char *owned;
	const char *source;
	char why[128];
} policy_value;

static int is_default(const gw_cli *cli, const char *key)
{
	const char *src = gw_config_source(cli->config, key);

	return !gw_config_get(cli->config, key) || !src || !strcmp(src, "default");
}

/* A key's effective value and where it came from, with the defaults
 * that follow from the environment's protection spelled out; -1 when
 * the value could not be masked for want of memory. */
static int policy_of(policy_value *v, gw_cli *cli, const char *key)
{
	const gw_config *cfg = cli->config;
	int protect = gw_config_protected(cfg);

	memset(v, 0, sizeof(*v));
	if (display(cli, key, &v->owned) < 0)
		return -1;
	v->value = v->owned;
	v->source = gw_config_source(cfg, key);
	if (!is_default(cli, key))
		return 0;
	v->source = v->why;
	if (!strcmp(key, "protected")) {
		v->value = protect ? "true" : "false";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         protect ? "production is protected" : "only production is protected");
	} else if (!strcmp(key, "confirm")) {
		v->value = gw_config_confirm(cfg) ? "true" : "false";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         protect ? "protected" : "not protected");
	} else if (!strcmp(key, "block")) {
		v->value = protect ? "error" : "off";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         protect ? "protected" : "not protected");
	} else if (!strcmp(key, "block_destructive")) {
		const char *b = gw_config_get(cfg, "block");
		int on = b ? strcmp(b, "off") != 0 : protect;

		v->value = on ? "true" : "false";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         on ? "block is on" : "block is off");
	} else if (!strcmp(key, "seeds")) {
		const char *sip = gw_config_get(cfg, "seeds_in_protected");
		int on = !protect || (sip && !strcmp(sip, "true"));

		v->value = on ? "true" : "false";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         !protect ? "not protected"
		         : on     ? "protected, seeds_in_protected = true"
		                  : "protected");
	} else if (!strcmp(key, "notify_on") && !v->value) {
		v->value = protect ? "failure" : "failure,success";
		snprintf(v->why, sizeof(v->why), "default (%s)",
		         protect ? "protected" : "not protected");
	} else {
		snprintf(v->why, sizeof(v->why), "%s", v->value ? "default" : "");
	}
	return 0;
}

static int known(const char *key)
{
	const char *const *k;

	for (k = gw_config_keys(); *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int config_run(gw_cli *cli, const gw_args *args)
{
	const char *const *k;
	json_t *root, *settings, *policy;
	policy_value pv;
	const char *src;
	char *value;

	(void)args;
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		settings = json_object();
		policy = json_object();
		gw_json_set(root, "environment", gw_json_str(gw_config_environment(cli->config)));
		gw_json_set(root, "environment_source",
		            gw_json_str(gw_config_source(cli->config, "environment")));
		gw_json_set(root, "protected", json_boolean(gw_config_protected(cli->config)));
		for (k = policy_keys; *k; k++) {
			json_t *o;

			if (!known(*k))
				continue;
			if (policy_of(&pv, cli, *k) < 0) {
				json_decref(policy);
				json_decref(settings);
				json_decref(root);
				return gw_cli_refuse(cli, NULL, "out of memory");
			}
			o = json_object();
			gw_json_set(o, "value", gw_json_str(pv.value));
			gw_json_set(o, "source", gw_json_str(pv.source[0] ? pv.source : NULL));
			gw_json_set(policy, *k, o);
			free(pv.owned);
		}
		gw_json_set(root, "policy", policy);
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
	src = gw_config_source(cli->config, "environment");
	printf("\npolicy of %s (environment from %s):\n", gw_config_environment(cli->config),
	       !strcmp(src, "option") ? "--env" : src);
	for (k = policy_keys; *k; k++) {
		if (!known(*k))
			continue;
		if (policy_of(&pv, cli, *k) < 0)
			return gw_cli_refuse(cli, NULL, "out of memory");
		printf("  %-18s %-40s %s\n", *k, pv.value ? pv.value : "-", pv.source);
		free(pv.owned);
	}
	printf("\nsettings:\n");
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
        .summary = "show the environment's policy and every setting, and where each came from",
        .usage = "config",
        .description = "With --env NAME (a global option), the settings of that environment:\n"
                       "its [env.NAME] section of godwit.conf over the top-level keys.",
        .needs = GW_NEEDS_CONFIG,
        .run = config_run,
};
