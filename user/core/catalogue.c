// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* catalogue.c - every rule's id, severities, kind, trigger and fix, and `bulkhead rules`. */
#include "catalogue.h"

#include <errno.h>
#include <string.h>

#include "json_writer.h"

/* Laid out one rule per paragraph; clang-format would align each to its opening brace. */
/* clang-format off */
const struct bh_rule_info bh_rule_catalogue[BH_RULE_COUNT] = {
	[BH_RULE_DOCKER_SOCKET_ACCESS] = {
		"docker-socket-access", BH_SEV_CRITICAL, BH_SEV_CRITICAL, "behaviour",
		"a container process connects to a container runtime API socket",
		"Do not give containers the runtime socket; use a narrowly scoped API proxy or "
		"allow-list the tool that needs it",
		"5.32", "T1609,T1610,T1611", false },
	[BH_RULE_DOCKER_SOCKET_MOUNT] = {
		"docker-socket-mount", BH_SEV_HIGH, BH_SEV_HIGH, "config",
		"a container mounts a runtime API socket or a directory holding one",
		"Remove the mount of the runtime socket (e.g. -v /var/run/docker.sock:...); "
		"read-only does not protect a socket",
		"5.32", "T1610,T1611", false },
	[BH_RULE_SENSITIVE_MOUNT_WRITABLE] = {
		"sensitive-mount-writable", BH_SEV_HIGH, BH_SEV_HIGH, "config",
		"a sensitive host path (/, /etc, /proc, /var/lib/docker, ...) is bind-mounted writable",
		"Mount only the files needed, read-only (:ro), or use a named volume",
		"5.6", "T1611", false },
	[BH_RULE_PRIVILEGED_CONTAINER] = {
		"privileged-container", BH_SEV_CRITICAL, BH_SEV_CRITICAL, "config",
		"--privileged, or near-full capabilities with CAP_SYS_ADMIN and no seccomp, or "
		"unrestricted devices",
		"Drop --privileged; add only the capabilities and devices needed and keep the "
		"default seccomp profile",
		"5.5", "T1611,T1610", false },
	[BH_RULE_DANGEROUS_CAPABILITY] = {
		"dangerous-capability", BH_SEV_HIGH, BH_SEV_HIGH, "config+behaviour",
		"a container holds, or a container process gains, a capability beyond docker's "
		"default set (SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, BPF, ...)",
		"Run with --cap-drop ALL and --cap-add only what the workload needs",
		"5.4", "T1611,T1068", false },
	[BH_RULE_SETUID_ESCALATION] = {
		"setuid-escalation", BH_SEV_HIGH, BH_SEV_HIGH, "behaviour",
		"an exec in a container raises privilege (setuid/setgid/file caps: euid != uid, "
		"secureexec, or euid/caps rose)",
		"Set no-new-privileges (--security-opt no-new-privileges) and remove setuid bits "
		"from the image",
		"5.26", "T1548.001", false },
	[BH_RULE_SSH_DAEMON] = {
		"ssh-daemon-in-container", BH_SEV_MEDIUM, BH_SEV_MEDIUM, "behaviour",
		"sshd or dropbear runs in a container, or a container process listens on port 22",
		"Remove the SSH server; use docker exec / kubectl exec for access",
		"5.7", "T1021.004", false },
	[BH_RULE_PRIVILEGED_PORT] = {
		"privileged-port-binding", BH_SEV_MEDIUM, BH_SEV_MEDIUM, "config+behaviour",
		"a host port below 1024 is published, docker-proxy serves one, or a container in "
		"the host network binds one",
		"Publish on a host port >= 1024 (-p 8080:80) or front it with the host's load "
		"balancer",
		"5.8", "T1133", false },
	[BH_RULE_UNEXPECTED_PORT] = {
		"unexpected-listening-port", BH_SEV_LOW, BH_SEV_LOW, "behaviour",
		"a container process listens (not on loopback) on a port neither published, exposed "
		"nor allow-listed for its image",
		"Expose the port in the image (EXPOSE), or add it to allowed_ports in the policy, or "
		"stop the service",
		"5.9", "T1571", false },
	[BH_RULE_SECURITY_PROFILE_DISABLED] = {
		"security-profile-disabled", BH_SEV_HIGH, BH_SEV_HIGH, "config+behaviour",
		"seccomp is off, or AppArmor is unconfined, or SELinux is disabled (spc_t)",
		"Remove seccomp=unconfined / apparmor=unconfined / label=disable; write a custom "
		"profile if the default one blocks the workload",
		"5.2,5.3,5.22", "T1562.001,T1611", false },
	[BH_RULE_HOST_NAMESPACE_SHARED] = {
		"host-namespace-shared", BH_SEV_HIGH, BH_SEV_CRITICAL, "config+behaviour",
		"a container shares the host's pid/net/ipc/uts namespace, or a container process "
		"enters a host namespace (setns)",
		"Drop --pid=host / --network=host / --ipc=host / --uts=host (hostPID, hostNetwork, "
		"hostIPC in Kubernetes)",
		"5.10,5.16,5.17,5.21", "T1611", false },
	[BH_RULE_DAEMON_TCP_NO_TLS] = {
		"daemon-tcp-without-tls", BH_SEV_CRITICAL, BH_SEV_CRITICAL, "behaviour",
		"dockerd/containerd starts with -H tcp://... without --tlsverify, anything listens on "
		"2375, or dockerd listens on a TCP port",
		"Serve the API on the unix socket only, or with --tlsverify and client certificates "
		"(port 2376)",
		"2.7", "T1609,T1610", false },
	[BH_RULE_SHARED_PROPAGATION] = {
		"shared-mount-propagation", BH_SEV_MEDIUM, BH_SEV_MEDIUM, "config+behaviour",
		"a container mount has shared/rshared propagation, or a container process mounts "
		"with MS_SHARED",
		"Use private or rslave propagation (drop :shared / :rshared)",
		"5.20", "T1611", false },
	[BH_RULE_NO_NEW_PRIVILEGES_MISSING] = {
		"no-new-privileges-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container runs without no_new_privs (process.noNewPrivileges false)",
		"Run with --security-opt no-new-privileges (allowPrivilegeEscalation: false)",
		"5.26", "T1548.001", false },
	[BH_RULE_MOUNT_IN_CONTAINER] = {
		"mount-in-container", BH_SEV_HIGH, BH_SEV_HIGH, "behaviour",
		"a container process mounts a block device, cgroup, proc or sysfs, binds / or a "
		"sensitive path, or attaches a mount with open_tree/move_mount",
		"Do not grant CAP_SYS_ADMIN; mount what the workload needs in its spec",
		"5.6", "T1611", false },
	[BH_RULE_CGROUP_ESCAPE] = {
		"container-cgroup-escape", BH_SEV_HIGH, BH_SEV_HIGH, "behaviour",
		"a process holding a container's namespaces runs outside the container's cgroup "
		"(it moved itself out: its limits and cgroup-based controls no longer hold)",
		"Do not give containers a writable cgroup tree (--privileged, a rw /sys/fs/cgroup, "
		"a host cgroup namespace); investigate the process",
		"5.25", "T1611", false },
	[BH_RULE_READONLY_ROOTFS_MISSING] = {
		"readonly-rootfs-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container's root filesystem is writable (no --read-only)",
		"Run with --read-only (readOnlyRootFilesystem: true) and mount a tmpfs or volume "
		"where the workload writes",
		"5.13", "T1105", true },
	[BH_RULE_MEMORY_LIMIT_MISSING] = {
		"memory-limit-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container has no memory limit",
		"Set a limit (--memory 512m; resources.limits.memory)",
		"5.11", "T1499,T1496", true },
	[BH_RULE_PIDS_LIMIT_MISSING] = {
		"pids-limit-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container has no pids limit (a fork bomb takes the node)",
		"Set --pids-limit (the kubelet's podPidsLimit on Kubernetes)",
		"5.29", "T1499", true },
	[BH_RULE_CPU_SHARES_MISSING] = {
		"cpu-shares-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container's CPU priority is not set (no --cpu-shares, no CPU request)",
		"Set --cpu-shares (resources.requests.cpu)",
		"5.12", "T1496", true },
	[BH_RULE_RUNS_AS_ROOT] = {
		"container-runs-as-root", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container's process runs as uid 0 with no user namespace: root of the host",
		"Run as a non-root user (USER in the image, --user 1000, runAsNonRoot: true) or "
		"enable user namespaces (userns-remap)",
		"4.1", "T1611,T1068", true },
	[BH_RULE_HOST_USER_NAMESPACE] = {
		"host-user-namespace", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container shares the host's user namespace (no userns-remap, or --userns=host)",
		"Enable user namespaces (dockerd --userns-remap, hostUsers: false) and do not run "
		"with --userns=host",
		"5.31", "T1611", true },
	[BH_RULE_PORT_ALL_INTERFACES] = {
		"port-all-interfaces", BH_SEV_LOW, BH_SEV_LOW, "config",
		"a port is published on every host interface (0.0.0.0 / ::) rather than one",
		"Publish on the one address that needs it (-p 127.0.0.1:8080:80)",
		"5.14", "T1133", true },
	[BH_RULE_RESTART_POLICY] = {
		"restart-policy-unbounded", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the restart policy is always or unless-stopped, or on-failure with no bound of 5 "
		"or fewer retries",
		"Use --restart on-failure:5",
		"5.15", "T1499", true },
	[BH_RULE_HEALTHCHECK_MISSING] = {
		"healthcheck-missing", BH_SEV_LOW, BH_SEV_LOW, "config",
		"the container has no health check (neither its image nor its run defines one)",
		"Add HEALTHCHECK to the image or --health-cmd to the run",
		"5.27,4.6", "T1499", true },
	[BH_RULE_HOST_DEVICE] = {
		"host-device-exposed", BH_SEV_MEDIUM, BH_SEV_MEDIUM, "config",
		"a host device is passed into the container (--device)",
		"Pass no host device, or only the one needed with the least permissions "
		"(--device /dev/x:/dev/x:r)",
		"5.18", "T1611,T1006", false },
	[BH_RULE_CGROUP_PARENT] = {
		"cgroup-parent-custom", BH_SEV_MEDIUM, BH_SEV_MEDIUM, "config",
		"the container's cgroup lies outside its runtime's own tree (--cgroup-parent): "
		"limits and accounting set there are not the runtime's",
		"Drop --cgroup-parent unless the parent is a cgroup set up for containers",
		"5.25", "T1496", false },
	[BH_RULE_EXEC_BEYOND_CONFIG] = {
		"exec-beyond-config", BH_SEV_HIGH, BH_SEV_HIGH, "behaviour",
		"a command exec'd into a running container (docker exec, kubectl exec) has "
		"capabilities or a uid beyond the container's configuration (--privileged, -u root)",
		"Do not use docker exec --privileged or --user root; debug with the container's "
		"own privileges or an ephemeral debug container",
		"5.23,5.24", "T1609,T1611", false },
};
/* clang-format on */

static const char *const severity_names[BH_SEV_COUNT] = { "low", "medium", "high", "critical" };

const char *bh_rule_id_name(unsigned int rule)
{
	return rule < BH_RULE_COUNT ? bh_rule_catalogue[rule].id : NULL;
}

int bh_rule_lookup(const char *id)
{
	for (int i = 0; i < BH_RULE_COUNT; i++)
		if (!strcmp(bh_rule_catalogue[i].id, id))
			return i;
	return -ENOENT;
}

const char *bh_severity_name(unsigned int sev)
{
	return sev < BH_SEV_COUNT ? severity_names[sev] : "unknown";
}

int bh_severity_lookup(const char *name)
{
	for (int i = 0; i < BH_SEV_COUNT; i++)
		if (!strcmp(severity_names[i], name))
			return i;
	return -EINVAL;
}

void bh_rule_compliance_json(struct bh_json *w, const struct bh_rule_info *ri)
{
	bh_json_key(w, "compliance");
	bh_json_obj_begin(w);
	bh_json_key_csv(w, "cis", ri->cis);
	bh_json_key_csv(w, "attack", ri->attack);
	bh_json_obj_end(w);
}

/* `bulkhead rules` */
void bh_rules_list(FILE *out, bool json)
{
	struct bh_json w;

	if (!json) {
		fprintf(out, "%-28s %-9s %-16s %s\n", "RULE", "SEVERITY", "KIND", "TRIGGER / FIX");
		for (int i = 0; i < BH_RULE_COUNT; i++) {
			const struct bh_rule_info *ri = &bh_rule_catalogue[i];

			fprintf(out,
				"%-28s %-9s %-16s %s\n%56s fix: %s\n%56s CIS %s, ATT&CK %s%s\n",
				ri->id, bh_severity_name(ri->severity), ri->kind, ri->trigger, "",
				ri->remediation, "", ri->cis, ri->attack,
				ri->advisory ? "; advisory: off unless the policy enables it" : "");
		}
		return;
	}
	bh_json_init(&w);
	for (int i = 0; i < BH_RULE_COUNT; i++) {
		const struct bh_rule_info *ri = &bh_rule_catalogue[i];

		bh_json_reset(&w);
		bh_json_obj_begin(&w);
		bh_json_key_str(&w, "rule", ri->id);
		bh_json_key_str(&w, "severity", bh_severity_name(ri->severity));
		if (ri->behaviour_severity != ri->severity)
			bh_json_key_str(&w, "behaviour_severity",
					bh_severity_name(ri->behaviour_severity));
		bh_json_key_str(&w, "kind", ri->kind);
		bh_json_key_str(&w, "trigger", ri->trigger);
		bh_json_key_str(&w, "remediation", ri->remediation);
		bh_rule_compliance_json(&w, ri);
		bh_json_key_bool(&w, "default_enabled", !ri->advisory);
		bh_json_obj_end(&w);
		bh_json_newline(&w);
		if (!bh_json_failed(&w))
			fwrite(bh_json_data(&w), 1, bh_json_len(&w), out);
	}
	bh_json_free(&w);
}
