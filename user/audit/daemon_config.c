// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_config.c - the daemons' configuration as they read it: dockerd's command line
 * merged with its daemon.json, and the [grpc] table of containerd's config.toml. What the
 * process was started with, not what it reports at run time, so that a daemon.json edit that
 * takes effect at the next restart is judged now.
 */
#include "host_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json_reader.h"

enum kind {
	KIND_BOOL,
	KIND_STRING,
	KIND_LIST,
};

static const struct {
	const char *flag; /* "--icc" */
	const char *json_key;
	enum kind kind;
	char shorthand;
} dockerd_keys[BH_DK_COUNT] = {
	[BH_DK_HOSTS] = { "--host", "hosts", KIND_LIST, 'H' },
	[BH_DK_TLS] = { "--tls", "tls", KIND_BOOL, 0 },
	[BH_DK_TLSVERIFY] = { "--tlsverify", "tlsverify", KIND_BOOL, 0 },
	[BH_DK_NO_NEW_PRIVILEGES] = { "--no-new-privileges", "no-new-privileges", KIND_BOOL, 0 },
	[BH_DK_USERNS_REMAP] = { "--userns-remap", "userns-remap", KIND_STRING, 0 },
	[BH_DK_ICC] = { "--icc", "icc", KIND_BOOL, 0 },
	[BH_DK_LIVE_RESTORE] = { "--live-restore", "live-restore", KIND_BOOL, 0 },
	[BH_DK_SECCOMP_PROFILE] = { "--seccomp-profile", "seccomp-profile", KIND_STRING, 0 },
	[BH_DK_INSECURE_REGISTRIES] = { "--insecure-registry", "insecure-registries", KIND_LIST,
					0 },
	[BH_DK_USERLAND_PROXY] = { "--userland-proxy", "userland-proxy", KIND_BOOL, 0 },
	[BH_DK_AUTHORIZATION_PLUGINS] = { "--authorization-plugin", "authorization-plugins",
					  KIND_LIST, 0 },
	[BH_DK_EXPERIMENTAL] = { "--experimental", "experimental", KIND_BOOL, 0 },
	[BH_DK_SELINUX_ENABLED] = { "--selinux-enabled", "selinux-enabled", KIND_BOOL, 0 },
};

#define DOCKERD_CONFIG_DEFAULT	  "/etc/docker/daemon.json"
#define CONTAINERD_CONFIG_DEFAULT "/etc/containerd/config.toml"

const char *bh_dockerd_flag(enum bh_dockerd_key k)
{
	return dockerd_keys[k].flag;
}

/* Go's strconv.ParseBool, which pflag uses: 1 t T TRUE true True, 0 f F FALSE false False. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	return -1;
}

/* Sets (or appends to, for a list) setting s from src. */
static void setting_put(struct bh_dockerd_setting *s, enum kind kind, enum bh_setting_src src,
			const char *value)
{
	size_t len = strlen(s->value);

	if (kind == KIND_LIST && s->src == src && s->n) {
		snprintf(s->value + len, sizeof(s->value) - len, ", %s", value);
		s->n++;
		return;
	}
	snprintf(s->value, sizeof(s->value), "%s", value);
	s->src = src;
	s->n = 1;
}

/* The key of a long flag name ("icc") or a shorthand ("H"), or BH_DK_COUNT. */
static enum bh_dockerd_key flag_key(const char *name, size_t len, bool shorthand)
{
	for (int k = 0; k < BH_DK_COUNT; k++) {
		if (shorthand ? (len == 1 && dockerd_keys[k].shorthand == name[0])
			      : (strlen(dockerd_keys[k].flag + 2) == len &&
				 !strncmp(dockerd_keys[k].flag + 2, name, len)))
			return (enum bh_dockerd_key)k;
	}
	return BH_DK_COUNT;
}

/*
 * Reads the flags of argv (pflag rules: a bool takes a value only after '=', anything else
 * the next argument when it has no '='; "--" ends the flags). Unknown flags are skipped: any
 * argument that is not a flag is then theirs, since dockerd takes no positional arguments.
 */
static void read_flags(char *const *argv, int argc, struct bh_dockerd_config *c, char *config,
		       size_t config_size)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *value = NULL, *eq;
		bool shorthand;
		enum bh_dockerd_key k;
		size_t name_len;

		if (!strcmp(arg, "--"))
			break;
		if (arg[0] != '-' || !arg[1])
			continue;
		shorthand = arg[1] != '-';
		name = arg + (shorthand ? 1 : 2);
		eq = strchr(name, '=');
		name_len = eq ? (size_t)(eq - name) : strlen(name);
		if (eq)
			value = eq + 1;
		else if (shorthand && name_len > 1) {
			value = name + 1; /* -Htcp://... */
			name_len = 1;
		}
		if (!shorthand && name_len == 11 && !strncmp(name, "config-file", 11)) {
			if (!value && i + 1 < argc)
				value = argv[++i];
			if (value)
				snprintf(config, config_size, "%s", value);
			continue;
		}
		k = flag_key(name, name_len, shorthand);
		if (k == BH_DK_COUNT)
			continue;
		if (dockerd_keys[k].kind == KIND_BOOL) {
			int b = value ? parse_bool(value) : 1;

			if (b >= 0)
				setting_put(&c->s[k], KIND_BOOL, BH_SRC_CMDLINE,
					    b ? "true" : "false");
			continue;
		}
		if (!value && i + 1 < argc)
			value = argv[++i];
		if (value)
			setting_put(&c->s[k], dockerd_keys[k].kind, BH_SRC_CMDLINE, value);
	}
}

/* Records a key both on the command line and in the file; dockerd refuses to start on it. */
static void add_conflict(struct bh_dockerd_config *c, enum bh_dockerd_key k)
{
	size_t len = strlen(c->conflicts);

	snprintf(c->conflicts + len, sizeof(c->conflicts) - len, "%s%s/%s", len ? ", " : "",
		 bh_dockerd_flag(k), dockerd_keys[k].json_key);
}

/* Merges daemon.json's keys under the command line's. */
static void read_file_keys(struct json_object *root, struct bh_dockerd_config *c)
{
	for (int k = 0; k < BH_DK_COUNT; k++) {
		struct json_object *v;

		if (!json_object_object_get_ex(root, dockerd_keys[k].json_key, &v))
			continue;
		if (c->s[k].src == BH_SRC_CMDLINE) {
			add_conflict(c, (enum bh_dockerd_key)k);
			continue;
		}
		switch (dockerd_keys[k].kind) {
		case KIND_BOOL:
			if (json_object_is_type(v, json_type_boolean))
				setting_put(&c->s[k], KIND_BOOL, BH_SRC_FILE,
					    json_object_get_boolean(v) ? "true" : "false");
			break;
		case KIND_STRING:
			if (json_object_is_type(v, json_type_string))
				setting_put(&c->s[k], KIND_STRING, BH_SRC_FILE,
					    json_object_get_string(v));
			break;
		case KIND_LIST:
			if (!json_object_is_type(v, json_type_array))
				break;
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				struct json_object *e = json_object_array_get_idx(v, i);

				if (json_object_is_type(e, json_type_string))
					setting_put(&c->s[k], KIND_LIST, BH_SRC_FILE,
						    json_object_get_string(e));
			}
			break;
		}
	}
}

void bh_dockerd_config_read(const char *host_root, char *const *argv, int argc,
			    struct bh_dockerd_config *c)
{
	char path[BH_NORM_PATH_MAX], *text;
	struct json_object *root;
	size_t len;

	memset(c, 0, sizeof(*c));
	snprintf(c->config_file, sizeof(c->config_file), "%s", DOCKERD_CONFIG_DEFAULT);
	read_flags(argv, argc, c, c->config_file, sizeof(c->config_file));
	c->file_err = bh_host_file(host_root, c->config_file, path, sizeof(path), NULL);
	if (!c->file_err)
		c->file_err = bh_read_file(path, &text, &len);
	if (c->file_err)
		return;
	root = bh_jobj_parse(text, len);
	free(text);
	if (!root) {
		c->file_err = -EINVAL;
		return;
	}
	read_file_keys(root, c);
	json_object_put(root);
}

bool bh_dockerd_bool(const struct bh_dockerd_config *c, enum bh_dockerd_key k, bool dflt)
{
	if (c->s[k].src == BH_SRC_DEFAULT)
		return dflt;
	return !strcmp(c->s[k].value, "true");
}

void bh_dockerd_describe(const struct bh_dockerd_config *c, enum bh_dockerd_key k, char *out,
			 size_t size)
{
	const struct bh_dockerd_setting *s = &c->s[k];

	switch (s->src) {
	case BH_SRC_CMDLINE:
		snprintf(out, size, "%s=%s on its command line", bh_dockerd_flag(k), s->value);
		break;
	case BH_SRC_FILE:
		snprintf(out, size, "\"%s\": %s in %s", dockerd_keys[k].json_key, s->value,
			 c->config_file);
		break;
	default:
		snprintf(out, size, "%s set neither on its command line nor in %s%s",
			 bh_dockerd_flag(k), c->config_file,
			 !c->file_err		  ? ""
			 : c->file_err == -ENOENT ? " (absent)"
			 : c->file_err == -EINVAL ? " (not a JSON object)"
						  : " (unreadable)");
		break;
	}
}

/* The value of `key = "value"` on a TOML line, or NULL. */
static const char *toml_string(char *line, const char *key)
{
	size_t n = strlen(key);
	char *p = line, *end;

	if (strncmp(p, key, n))
		return NULL;
	p += n;
	p += strspn(p, " \t");
	if (*p++ != '=')
		return NULL;
	p += strspn(p, " \t");
	if (*p != '"' && *p != '\'')
		return NULL;
	end = strchr(p + 1, *p);
	if (!end)
		return NULL;
	*end = '\0';
	return p + 1;
}

void bh_containerd_config_read(const char *host_root, char *const *argv, int argc,
			       struct bh_containerd_grpc *g)
{
	char path[BH_NORM_PATH_MAX], *text, *line, *save = NULL;
	bool in_grpc = false;
	size_t len;

	memset(g, 0, sizeof(*g));
	snprintf(g->config_file, sizeof(g->config_file), "%s", CONTAINERD_CONFIG_DEFAULT);
	/* urfave/cli: --config path, -c path, --config=path */
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc)
			snprintf(g->config_file, sizeof(g->config_file), "%s", argv[++i]);
		else if (!strncmp(argv[i], "--config=", 9))
			snprintf(g->config_file, sizeof(g->config_file), "%s", argv[i] + 9);
	}
	g->file_err = bh_host_file(host_root, g->config_file, path, sizeof(path), NULL);
	if (!g->file_err)
		g->file_err = bh_read_file(path, &text, &len);
	if (g->file_err)
		return;
	/* only the [grpc] table's string keys: all this check needs of TOML */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v;

		line += strspn(line, " \t");
		if (line[0] == '[') {
			in_grpc = !strncmp(line, "[grpc]", 6);
			continue;
		}
		if (!in_grpc)
			continue;
		if ((v = toml_string(line, "tcp_address")))
			snprintf(g->tcp_address, sizeof(g->tcp_address), "%s", v);
		else if ((v = toml_string(line, "tcp_tls_cert")))
			snprintf(g->tcp_tls_cert, sizeof(g->tcp_tls_cert), "%s", v);
		else if ((v = toml_string(line, "tcp_tls_ca")))
			snprintf(g->tcp_tls_ca, sizeof(g->tcp_tls_ca), "%s", v);
	}
	free(text);
}
