// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * runtime_docker.c - docker Engine API: GET /containers/<id>/json over the unix
 * socket, called directly or from a worker thread.
 */
#include "engine_api.h"
#include "runtime.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* An inspect body is a few KiB; anything this large is not one. */
#define INSPECT_MAX (4u << 20)

/* moby oci/caps/defaults.go: what a container gets without --cap-add/--cap-drop. */
static const char *const docker_default_caps[] = {
	"CHOWN",   "DAC_OVERRIDE", "FSETID",	       "FOWNER",
	"MKNOD",   "NET_RAW",	   "SETGID",	       "SETUID",
	"SETFCAP", "SETPCAP",	   "NET_BIND_SERVICE", "SYS_CHROOT",
	"KILL",	   "AUDIT_WRITE",
};

/* CAP_LAST_CAP (CAP_CHECKPOINT_RESTORE, 40): --privileged grants them all. */
#define ALL_CAPS ((1ULL << 41) - 1)

static bool is_host_mode(struct json_object *hc, const char *key)
{
	const char *mode = bh_jobj_str(hc, key);

	return mode && !strcmp(mode, "host");
}

/* Applies a CapAdd/CapDrop list ("ALL" included) to mask. */
static __u64 cap_apply(__u64 mask, struct json_object *list, bool add)
{
	size_t n = list ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		const char *name =
			json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		__u64 bits;
		int cap;

		if (!strcasecmp(name, "ALL") || !strcasecmp(name, "CAP_ALL")) {
			bits = ALL_CAPS;
		} else {
			cap = bh_cap_from_name(name);
			if (cap < 0)
				continue;
			bits = 1ULL << cap;
		}
		mask = add ? mask | bits : mask & ~bits;
	}
	return mask;
}

static void parse_security_opts(struct json_object *list, struct bh_container_config *cfg,
				const char **apparmor)
{
	size_t n = list ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		const char *o =
			json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

		/* docker accepts "key=value" and the older "key:value" */
		if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
			cfg->seccomp = false;
		else if (!strncmp(o, "apparmor=", 9) || !strncmp(o, "apparmor:", 9))
			*apparmor = o + 9;
		else if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
			 !strcmp(o, "no-new-privileges:true"))
			cfg->no_new_privileges = true;
	}
}

static void parse_caps(struct json_object *cconf, struct json_object *hc,
		       struct bh_container_config *cfg)
{
	const char *user = bh_jobj_str(cconf, "User");
	__u64 mask = 0;

	if (cfg->privileged) {
		mask = ALL_CAPS;
	} else {
		for (size_t i = 0; i < sizeof(docker_default_caps) / sizeof(docker_default_caps[0]);
		     i++)
			mask |= 1ULL << bh_cap_from_name(docker_default_caps[i]);
		/* as moby does: drops first, so "--cap-drop ALL --cap-add X" leaves X */
		mask = cap_apply(mask, bh_jobj_get(hc, "CapDrop", json_type_array), false);
		mask = cap_apply(mask, bh_jobj_get(hc, "CapAdd", json_type_array), true);
	}
	cfg->cap_bounding = mask;
	/* a non-root user starts with an empty effective set */
	cfg->cap_effective = (!user || !*user || !strcmp(user, "root") || !strcmp(user, "0") ||
			      !strncmp(user, "0:", 2) || !strncmp(user, "root:", 5))
				     ? mask
				     : 0;
}

static const struct bh_mount_keys docker_keys = { "Source", "Destination", "Type", NULL };

/* A docker API mount's RW and Propagation members. */
static void fill_docker_mount(struct json_object *mo, struct bh_mount_spec *m)
{
	struct json_object *rw = bh_jobj_get(mo, "RW", json_type_boolean);
	const char *prop = bh_jobj_str(mo, "Propagation");

	m->readonly = rw && !json_object_get_boolean(rw);
	snprintf(m->propagation, sizeof(m->propagation), "%s", prop ? prop : "");
}

static int parse_port(const char *key, struct bh_port_binding *p)
{
	unsigned int port;
	char proto[8] = "tcp";

	if (sscanf(key, "%u/%7s", &port, proto) < 1 || port > 65535)
		return -EINVAL;
	p->container_port = (__u16)port;
	snprintf(p->proto, sizeof(p->proto), "%s", proto);
	return 0;
}

/* The host port docker chose for a binding that left it empty (-p 80). */
static const char *actual_host_port(struct json_object *net_ports, const char *key, size_t idx)
{
	struct json_object *list = bh_jobj_get(net_ports, key, json_type_array);

	if (!list || idx >= json_object_array_length(list))
		return NULL;
	return bh_jobj_str(json_object_array_get_idx(list, idx), "HostPort");
}

static int parse_ports(struct json_object *bindings, struct json_object *net_ports,
		       struct bh_container_config *cfg)
{
	size_t total = 0;

	if (!bindings)
		return 0;
	json_object_object_foreach(bindings, k1, v1)
	{
		(void)k1;
		if (json_object_is_type(v1, json_type_array))
			total += json_object_array_length(v1);
	}
	if (!total)
		return 0;
	free(cfg->ports);
	cfg->n_ports = 0;
	cfg->ports = calloc(total, sizeof(*cfg->ports));
	if (!cfg->ports)
		return -ENOMEM;
	json_object_object_foreach(bindings, key, list)
	{
		size_t n = json_object_is_type(list, json_type_array)
				   ? json_object_array_length(list)
				   : 0;

		for (size_t i = 0; i < n; i++) {
			struct json_object *b = json_object_array_get_idx(list, i);
			struct bh_port_binding *p = &cfg->ports[cfg->n_ports];
			const char *hp = bh_jobj_str(b, "HostPort"), *ip = bh_jobj_str(b, "HostIp");

			if (parse_port(key, p))
				continue;
			if (!hp || !*hp)
				hp = actual_host_port(net_ports, key, i);
			p->host_port = hp ? (__u16)strtoul(hp, NULL, 10) : 0;
			snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip ? ip : "");
			cfg->n_ports++;
		}
	}
	return 0;
}

static int parse_exposed(struct json_object *exposed, struct bh_container_config *cfg)
{
	size_t n = exposed ? (size_t)json_object_object_length(exposed) : 0;

	if (!n)
		return 0;
	bh_strv_free(cfg->exposed_ports, cfg->n_exposed_ports);
	cfg->n_exposed_ports = 0;
	cfg->exposed_ports = calloc(n, sizeof(*cfg->exposed_ports));
	if (!cfg->exposed_ports)
		return -ENOMEM;
	json_object_object_foreach(exposed, key, val)
	{
		(void)val;
		cfg->exposed_ports[cfg->n_exposed_ports] = strdup(key);
		if (!cfg->exposed_ports[cfg->n_exposed_ports])
			return -ENOMEM;
		cfg->n_exposed_ports++;
	}
	return 0;
}

static int parse_restart(struct json_object *policy, struct bh_container_config *cfg)
{
	const char *name = bh_jobj_str(policy, "Name");

	cfg->restart_max_retries = (unsigned int)bh_jobj_int(policy, "MaximumRetryCount");
	/* docker says "" for a container created without --restart */
	return bh_set_str(&cfg->restart_policy, name && *name ? name : "no");
}

/*
 * Config.User (the image's USER unless the run gave one): "" and "root" are uid 0, a number
 * is itself; a user name is not known without the image's /etc/passwd.
 */
static void parse_user(const char *user, struct bh_container_config *cfg)
{
	char *end;
	unsigned long uid;

	if (!user || !*user || (!strncmp(user, "root", 4) && (!user[4] || user[4] == ':'))) {
		cfg->user_known = true;
		cfg->uid = 0;
		return;
	}
	uid = strtoul(user, &end, 10);
	cfg->user_known = end != user && (*end == '\0' || *end == ':');
	cfg->uid = (__u32)uid;
}

/* Config.Healthcheck (the image's merged with the run's): defined, and not disabled. */
static bool has_healthcheck(struct json_object *hc)
{
	struct json_object *test = bh_jobj_get(hc, "Test", json_type_array);
	struct json_object *first = test ? json_object_array_get_idx(test, 0) : NULL;

	return first && json_object_is_type(first, json_type_string) &&
	       strcmp(json_object_get_string(first), "NONE") != 0;
}

static int parse_host_config(struct json_object *root, struct json_object *cconf,
			     struct bh_container_config *cfg)
{
	struct json_object *hc = bh_jobj_get(root, "HostConfig", json_type_object);
	const char *apparmor = bh_jobj_str(root, "AppArmorProfile");
	const char *selinux = bh_jobj_str(root, "ProcessLabel");

	cfg->privileged = bh_jobj_bool(hc, "Privileged");
	cfg->readonly_rootfs = bh_jobj_bool(hc, "ReadonlyRootfs");
	cfg->seccomp = !cfg->privileged;
	cfg->devices_unrestricted = cfg->privileged;
	if (cfg->privileged)
		apparmor = "unconfined";
	parse_security_opts(bh_jobj_get(hc, "SecurityOpt", json_type_array), cfg, &apparmor);
	parse_caps(cconf, hc, cfg);

	/* docker never unshares the user or time namespace unless userns-remap is on */
	cfg->host_ns[BH_NS_USER] = true;
	cfg->host_ns[BH_NS_TIME] = true;
	cfg->host_ns[BH_NS_PID] = is_host_mode(hc, "PidMode");
	cfg->host_ns[BH_NS_NET] = is_host_mode(hc, "NetworkMode");
	cfg->host_ns[BH_NS_IPC] = is_host_mode(hc, "IpcMode");
	cfg->host_ns[BH_NS_UTS] = is_host_mode(hc, "UTSMode");
	cfg->host_ns[BH_NS_CGROUP] = is_host_mode(hc, "CgroupnsMode");

	cfg->memory_limit = bh_jobj_int(hc, "Memory");
	cfg->pids_limit = bh_jobj_int(hc, "PidsLimit");
	cfg->cpu_shares = (__u64)bh_jobj_int(hc, "CpuShares");
	if (bh_set_str(&cfg->apparmor_profile, apparmor && *apparmor ? apparmor : NULL) ||
	    bh_set_str(&cfg->selinux_label, selinux && *selinux ? selinux : NULL) ||
	    bh_set_str(&cfg->cgroup_parent, bh_jobj_str(hc, "CgroupParent") ?: "") ||
	    bh_strv_parse(bh_jobj_get(hc, "Devices", json_type_array), "PathInContainer",
			  &cfg->devices, &cfg->n_devices) ||
	    parse_restart(bh_jobj_get(hc, "RestartPolicy", json_type_object), cfg))
		return -ENOMEM;
	parse_user(bh_jobj_str(cconf, "User"), cfg);
	cfg->healthcheck = has_healthcheck(bh_jobj_get(cconf, "Healthcheck", json_type_object))
				   ? BH_YES
				   : BH_NO;
	return parse_ports(bh_jobj_get(hc, "PortBindings", json_type_object),
			   bh_jobj_get(bh_jobj_get(root, "NetworkSettings", json_type_object),
				       "Ports", json_type_object),
			   cfg);
}

int bh_docker_parse_inspect(const char *json, size_t len, struct bh_container *c)
{
	struct json_object *root = bh_jobj_parse(json, len), *cconf, *labels;
	struct bh_container_config *cfg = &c->config;
	const char *name;
	int err;

	if (!root)
		return -EINVAL;
	cconf = bh_jobj_get(root, "Config", json_type_object);
	name = bh_jobj_str(root, "Name");
	if (name && *name == '/')
		name++;
	err = bh_set_str(&c->name, name && *name ? name : NULL);
	if (!err)
		err = bh_set_str(&c->image, bh_jobj_str(cconf, "Image"));
	labels = bh_jobj_get(cconf, "Labels", json_type_object);
	if (!err && labels) {
		/*
		 * The kubelet's docker shim (dockershim, cri-dockerd) labels a pod's sandbox with
		 * the pod's labels; its other containers get the kubelet's names only, and the
		 * image's labels, which docker merges into every container's.
		 */
		const char *type = bh_jobj_str(labels, "io.kubernetes.docker.type");
		bool sandbox = type && !strcmp(type, "podsandbox");

		json_object_object_foreach(labels, key, val)
		{
			const char *value = json_object_get_string(val);

			if (!json_object_is_type(val, json_type_string))
				continue;
			err = sandbox ? bh_container_add_cri_label(c, key, value)
				      : bh_container_add_label(c, key, value);
			if (err)
				break;
		}
	}
	if (!err)
		err = parse_host_config(root, cconf, cfg);
	if (!err)
		err = bh_mounts_parse(bh_jobj_get(root, "Mounts", json_type_array), &docker_keys,
				      fill_docker_mount, cfg);
	if (!err)
		err = parse_exposed(bh_jobj_get(cconf, "ExposedPorts", json_type_object), cfg);
	if (!err)
		cfg->known = true;
	json_object_put(root);
	return err;
}

struct body {
	char *buf;
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct body *b = userp;
	size_t n = size * nmemb;
	char *buf;

	if (b->len + n + 1 > INSPECT_MAX)
		return 0;
	buf = realloc(b->buf, b->len + n + 1);
	if (!buf)
		return 0;
	memcpy(buf + b->len, data, n);
	b->buf = buf;
	b->len += n;
	buf[b->len] = '\0';
	return n;
}

int bh_docker_fetch_inspect(const char *socket_path, const char *id, int timeout_ms, char **body,
			    size_t *len)
{
	char path[128];

	snprintf(path, sizeof(path), "/containers/%s/json", id);
	return bh_engine_api_get(socket_path, path, timeout_ms, body, len);
}

int bh_engine_api_get(const char *socket_path, const char *path, int timeout_ms, char **body,
		      size_t *len)
{
	struct body b = { 0 };
	char url[256];
	long status = 0;
	CURLcode rc;
	CURL *curl;
	int err;

	*body = NULL;
	*len = 0;
	curl = curl_easy_init();
	if (!curl)
		return -ENOMEM;
	/* the host part is ignored on a unix socket; the API version is the one docker 20.10 serves
	 */
	snprintf(url, sizeof(url), "http://localhost/v1.41%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);

	if (rc == CURLE_OPERATION_TIMEDOUT)
		err = -ETIMEDOUT;
	else if (rc == CURLE_COULDNT_CONNECT)
		err = -ECONNREFUSED;
	else if (rc != CURLE_OK)
		err = -EIO;
	else if (status == 404)
		err = -ENOENT;
	else if (status != 200 || !b.buf)
		err = -EPROTO;
	else
		err = 0;
	if (err) {
		free(b.buf);
		return err;
	}
	*body = b.buf;
	*len = b.len;
	return 0;
}

struct bh_docker_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct bh_docker_answer **queue; /* a ring of max_queue, allocated by put */
	size_t max_queue, head, n;
	struct bh_docker_answer *done, **done_tail;
	bool stop;
	int efd;
	int timeout_ms;
};

static void *worker_main(void *arg)
{
	struct bh_docker_worker *w = arg;
	const __u64 one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct bh_docker_answer *a;

		while (!w->stop && !w->n)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		a = w->queue[w->head];
		w->head = (w->head + 1) % w->max_queue;
		w->n--;
		pthread_mutex_unlock(&w->lock);
		a->err = bh_docker_fetch_inspect(a->socket_path, a->id, w->timeout_ms, &a->body,
						 &a->len);
		pthread_mutex_lock(&w->lock);
		*w->done_tail = a;
		w->done_tail = &a->next;
		/* fails only on a counter at its maximum (EAGAIN): readable all the same */
		if (write(w->efd, &one, sizeof(one)) < 0)
			continue;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int bh_docker_worker_start(int timeout_ms, size_t max_queue, struct bh_docker_worker **out)
{
	struct bh_docker_worker *w = calloc(1, sizeof(*w));
	int err;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->efd = -1;
	w->max_queue = max_queue;
	w->timeout_ms = timeout_ms;
	w->done_tail = &w->done;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of answer pointers */
	w->queue = calloc(max_queue, sizeof(*w->queue));
	if (!w->queue) {
		err = -ENOMEM;
		goto fail;
	}
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		err = -errno;
		goto fail;
	}
	/* not thread-safe in older libcurl: done here, before the thread exists */
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		err = -EIO;
		goto fail;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	err = -pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		curl_global_cleanup();
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->efd >= 0)
		close(w->efd);
	free(w->queue);
	free(w);
	return err;
}

void bh_docker_answer_free(struct bh_docker_answer *a)
{
	if (!a)
		return;
	free(a->body);
	free(a);
}

void bh_docker_worker_stop(struct bh_docker_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	/* at most one request in flight: the join waits its timeout at worst */
	pthread_join(w->thread, NULL);
	for (; w->n; w->n--, w->head = (w->head + 1) % w->max_queue)
		bh_docker_answer_free(w->queue[w->head]);
	while (w->done) {
		struct bh_docker_answer *a = w->done;

		w->done = a->next;
		bh_docker_answer_free(a);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	curl_global_cleanup();
	close(w->efd);
	free(w->queue);
	free(w);
}

int bh_docker_worker_fd(const struct bh_docker_worker *w)
{
	return w->efd;
}

int bh_docker_worker_put(struct bh_docker_worker *w, const char *socket_path, const char *id)
{
	/* here, not in the thread: an id once queued always gets its answer */
	struct bh_docker_answer *a = calloc(1, sizeof(*a));
	int err = 0;

	if (!a)
		return -ENOMEM;
	snprintf(a->id, sizeof(a->id), "%s", id);
	a->socket_path = socket_path;
	pthread_mutex_lock(&w->lock);
	if (w->n == w->max_queue) {
		err = -EAGAIN;
	} else {
		w->queue[(w->head + w->n) % w->max_queue] = a;
		w->n++;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	if (err)
		free(a);
	return err;
}

struct bh_docker_answer *bh_docker_worker_take(struct bh_docker_worker *w)
{
	struct bh_docker_answer *list;
	__u64 count;

	pthread_mutex_lock(&w->lock);
	/* emptied with the list, under the lock: an answer added later makes it readable again */
	if (read(w->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		count = 0;
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	return list;
}
