/**
 * Wire types of top, changes, archive, commit, stats and update (Docker's
 * api/types/container names and JSON keys).
 */

export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

/** Kind: 0 modified, 1 added, 2 deleted. */
export interface FilesystemChangeWire {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** The X-Docker-Container-Path-Stat header, base64 of this JSON. */
export interface ContainerPathStatWire {
  name: string;
  size: number;
  /** Go's os.FileMode bits. */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  linkTarget: string;
}

export interface CommitResponseWire {
  Id: string;
}

export interface RestartPolicyWire {
  Name?: string;
  MaximumRetryCount?: number;
}

/** POST /containers/{id}/update: Resources plus RestartPolicy. */
export interface ContainerUpdateBody {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  KernelMemory?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  NanoCpus?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  BlkioWeight?: number;
  PidsLimit?: number | null;
  RestartPolicy?: RestartPolicyWire;
  [key: string]: unknown;
}

export interface ContainerUpdateResponse {
  Warnings: string[] | null;
}

export interface CpuUsageWire {
  total_usage: number;
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface CpuStatsWire {
  cpu_usage: CpuUsageWire;
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface BlkioEntryWire {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface NetworkStatsWire {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface MemoryStatsWire {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

/** GET /containers/{id}/stats: one JSON object per sample. */
export interface StatsResponseWire {
  name: string;
  id: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioEntryWire[] | null;
    io_serviced_recursive: BlkioEntryWire[] | null;
    io_queue_recursive: BlkioEntryWire[] | null;
    io_service_time_recursive: BlkioEntryWire[] | null;
    io_wait_time_recursive: BlkioEntryWire[] | null;
    io_merged_recursive: BlkioEntryWire[] | null;
    io_time_recursive: BlkioEntryWire[] | null;
    sectors_recursive: BlkioEntryWire[] | null;
  };
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStatsWire;
  precpu_stats: CpuStatsWire;
  memory_stats: MemoryStatsWire;
  networks?: Record<string, NetworkStatsWire>;
}
