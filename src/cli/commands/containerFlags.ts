/**
 * The flags `run` and `create` share (docker's addFlags), as data. Value
 * types docker checks at parse time (sizes, durations, ints) are strings or
 * ints here and checked in containerOpts.ts with docker's messages.
 */
import type { FlagKind, FlagSpec } from "../spec.js";

const f = (name: string, kind: FlagKind, description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({
  name,
  kind,
  description,
  ...(kind === "bool" ? {} : { valueName: kind === "int" ? "int" : kind }),
  ...extra,
});

export const containerFlags: FlagSpec[] = [
  f("add-host", "list", "Add a custom host-to-IP mapping (host:ip)"),
  f("annotation", "list", "Add an annotation to the container (passed through to the OCI runtime)", {
    valueName: "map",
    showDefault: "map[]",
  }),
  f("attach", "list", "Attach to STDIN, STDOUT or STDERR", { short: "a" }),
  f("blkio-weight", "int", "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", {
    valueName: "uint16",
  }),
  f("blkio-weight-device", "list", "Block IO weight (relative device weight)", { showDefault: "[]" }),
  f("cap-add", "list", "Add Linux capabilities"),
  f("cap-drop", "list", "Drop Linux capabilities"),
  f("cgroup-parent", "string", "Optional parent cgroup for the container"),
  f("cgroupns", "string", "Cgroup namespace to use (host|private)"),
  f("cidfile", "string", "Write the container ID to the file"),
  f("cpu-count", "int", "CPU count (Windows only)", { hidden: true }),
  f("cpu-percent", "int", "CPU percent (Windows only)", { hidden: true }),
  f("cpu-period", "int", "Limit CPU CFS (Completely Fair Scheduler) period"),
  f("cpu-quota", "int", "Limit CPU CFS (Completely Fair Scheduler) quota"),
  f("cpu-rt-period", "int", "Limit CPU real-time period in microseconds"),
  f("cpu-rt-runtime", "int", "Limit CPU real-time runtime in microseconds"),
  f("cpu-shares", "int", "CPU shares (relative weight)", { short: "c" }),
  f("cpus", "string", "Number of CPUs", { valueName: "decimal" }),
  f("cpuset-cpus", "string", "CPUs in which to allow execution (0-3, 0,1)"),
  f("cpuset-mems", "string", "MEMs in which to allow execution (0-3, 0,1)"),
  f("device", "list", "Add a host device to the container"),
  f("device-cgroup-rule", "list", "Add a rule to the cgroup allowed devices list"),
  f("device-read-bps", "list", "Limit read rate (bytes per second) from a device", { showDefault: "[]" }),
  f("device-read-iops", "list", "Limit read rate (IO per second) from a device", { showDefault: "[]" }),
  f("device-write-bps", "list", "Limit write rate (bytes per second) to a device", { showDefault: "[]" }),
  f("device-write-iops", "list", "Limit write rate (IO per second) to a device", { showDefault: "[]" }),
  f("dns", "list", "Set custom DNS servers"),
  f("dns-opt", "list", "Set DNS options", { hidden: true }),
  f("dns-option", "list", "Set DNS options"),
  f("dns-search", "list", "Set custom DNS search domains"),
  f("domainname", "string", "Container NIS domain name"),
  f("entrypoint", "string", "Overwrite the default ENTRYPOINT of the image"),
  f("env", "list", "Set environment variables", { short: "e" }),
  f("env-file", "list", "Read in a file of environment variables"),
  f("expose", "list", "Expose a port or a range of ports"),
  f("gpus", "string", "GPU devices to add to the container ('all' to pass all GPUs)", {
    valueName: "gpu-request",
  }),
  f("group-add", "list", "Add additional groups to join"),
  f("health-cmd", "string", "Command to run to check health"),
  f("health-interval", "string", "Time between running the check (ms|s|m|h) (default 0s)", {
    valueName: "duration",
  }),
  f("health-retries", "int", "Consecutive failures needed to report unhealthy"),
  f(
    "health-start-interval",
    "string",
    "Time between running the check during the start period (ms|s|m|h) (default 0s)",
    {
      valueName: "duration",
    },
  ),
  f(
    "health-start-period",
    "string",
    "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)",
    { valueName: "duration" },
  ),
  f("health-timeout", "string", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", {
    valueName: "duration",
  }),
  f("hostname", "string", "Container host name", { short: "h" }),
  f("init", "bool", "Run an init inside the container that forwards signals and reaps processes"),
  f("interactive", "bool", "Keep STDIN open even if not attached", { short: "i" }),
  f("io-maxbandwidth", "string", "Maximum IO bandwidth limit for the system drive (Windows only)", {
    valueName: "bytes",
    hidden: true,
  }),
  f("io-maxiops", "int", "Maximum IOps limit for the system drive (Windows only)", { hidden: true }),
  f("ip", "string", "IPv4 address (e.g., 172.30.100.104)"),
  f("ip6", "string", "IPv6 address (e.g., 2001:db8::33)"),
  f("ipc", "string", "IPC mode to use"),
  f("isolation", "string", "Container isolation technology"),
  f("kernel-memory", "string", "Kernel memory limit", { valueName: "bytes" }),
  f("label", "list", "Set meta data on a container", { short: "l" }),
  f("label-file", "list", "Read in a line delimited file of labels"),
  f("link", "list", "Add link to another container"),
  f("link-local-ip", "list", "Container IPv4/IPv6 link-local addresses"),
  f("log-driver", "string", "Logging driver for the container"),
  f("log-opt", "list", "Log driver options"),
  f("mac-address", "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),
  f("memory", "string", "Memory limit", { short: "m", valueName: "bytes" }),
  f("memory-reservation", "string", "Memory soft limit", { valueName: "bytes" }),
  f("memory-swap", "string", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", {
    valueName: "bytes",
  }),
  f("memory-swappiness", "int", "Tune container memory swappiness (0 to 100)", {
    default: -1,
    showDefault: "-1",
  }),
  f("mount", "list", "Attach a filesystem mount to the container", { valueName: "mount" }),
  f("net", "list", "Connect a container to a network", { valueName: "network", hidden: true }),
  f("net-alias", "list", "Add network-scoped alias for the container", { hidden: true }),
  f("network", "list", "Connect a container to a network", { valueName: "network" }),
  f("network-alias", "list", "Add network-scoped alias for the container"),
  f("no-healthcheck", "bool", "Disable any container-specified HEALTHCHECK"),
  f("oom-kill-disable", "bool", "Disable OOM Killer"),
  f("oom-score-adj", "int", "Tune host's OOM preferences (-1000 to 1000)"),
  f("pid", "string", "PID namespace to use"),
  f("pids-limit", "int", "Tune container pids limit (set -1 for unlimited)"),
  f("privileged", "bool", "Give extended privileges to this container"),
  f("publish", "list", "Publish a container's port(s) to the host", { short: "p" }),
  f("publish-all", "bool", "Publish all exposed ports to random ports", { short: "P" }),
  f("read-only", "bool", "Mount the container's root filesystem as read only"),
  f("restart", "string", "Restart policy to apply when a container exits", {
    default: "no",
    showDefault: '"no"',
  }),
  f("rm", "bool", "Automatically remove the container and its associated anonymous volumes when it exits"),
  f("runtime", "string", "Runtime to use for this container"),
  f("security-opt", "list", "Security Options"),
  f("shm-size", "string", "Size of /dev/shm", { valueName: "bytes" }),
  f("stop-signal", "string", "Signal to stop the container"),
  f("stop-timeout", "int", "Timeout (in seconds) to stop a container"),
  f("storage-opt", "list", "Storage driver options for the container"),
  f("sysctl", "list", "Sysctl options", { valueName: "map", showDefault: "map[]" }),
  f("tmpfs", "list", "Mount a tmpfs directory"),
  f("tty", "bool", "Allocate a pseudo-TTY", { short: "t" }),
  f("ulimit", "list", "Ulimit options", { valueName: "ulimit", showDefault: "[]" }),
  f("user", "string", "Username or UID (format: <name|uid>[:<group|gid>])", { short: "u" }),
  f("userns", "string", "User namespace to use"),
  f("uts", "string", "UTS namespace to use"),
  f("volume", "list", "Bind mount a volume", { short: "v" }),
  f("volume-driver", "string", "Optional volume driver for the container"),
  f("volumes-from", "list", "Mount volumes from the specified container(s)"),
  f("workdir", "string", "Working directory inside the container", { short: "w" }),
];

/** Flags both `run` and `create` add besides addFlags. */
export const createOnlyFlags = (verb: "running" | "creating"): FlagSpec[] => [
  f("disable-content-trust", "bool", "Skip image verification", { default: true, showDefault: "true" }),
  f("name", "string", "Assign a name to the container"),
  f("platform", "string", "Set platform if server is multi-platform capable"),
  f(
    "pull",
    "string",
    verb === "running"
      ? 'Pull image before running ("always", "missing", "never")'
      : 'Pull image before creating ("always", "|missing", "never")',
    { default: "missing", showDefault: '"missing"' },
  ),
  f("quiet", "bool", "Suppress the pull output", { short: "q" }),
  f("use-api-socket", "bool", "Bind mount Docker API socket and required auth"),
];

export const runOnlyFlags: FlagSpec[] = [
  f("detach", "bool", "Run container in background and print container ID", { short: "d" }),
  f("detach-keys", "string", "Override the key sequence for detaching a container"),
  f("sig-proxy", "bool", "Proxy received signals to the process", { default: true, showDefault: "true" }),
];
