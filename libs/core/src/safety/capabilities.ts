/**
 * What a component definition may ask of the host only when the manifest allows it (issue 16; docs/docker-workflow.md
 * "What hsm refuses to run"). A closed list: `components.<name>.allow` in hsm.yaml names entries of it.
 */
export const CAPABILITIES = ['privileged', 'cap-add', 'devices', 'host-namespaces', 'no-confinement', 'host-mounts', 'docker-socket', 'public-ports'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One line per capability, for `hsm info`, messages and docs. */
export const CAPABILITY_MEANING: Record<Capability, string> = {
  privileged: '`privileged: true`: every device and capability of the host',
  'cap-add': "`cap_add`: Linux capabilities beyond Docker's default set",
  devices: '`devices`, `device_cgroup_rules` or `gpus`: host devices in the container',
  'host-namespaces': '`network_mode`, `pid`, `ipc`, `uts`, `userns_mode` or `cgroup` set to `host`',
  'no-confinement': '`security_opt` turning off seccomp, AppArmor, SELinux labels or masked system paths',
  'host-mounts': "bind mounts (or `env_file`) of host paths outside the component's dev checkout",
  'docker-socket': 'a bind mount of the Docker socket (or a directory holding it): root on the host',
  'public-ports': 'ports published on every interface (`0.0.0.0`, or no host address), not only 127.0.0.1',
};

export function isCapability(s: string): s is Capability {
  return (CAPABILITIES as readonly string[]).includes(s);
}
