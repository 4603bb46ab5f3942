// The Docker Engine API's own shapes (API v1.41+, docs.docker.com/reference/api/engine/),
// for the fields skiff acts on: what the engine core's operations take and
// return, what the CLI builds from its flags (the same request `docker` v28
// sends for the same flags), and what an API server will put on the wire.
// Fields docker has and skiff ignores are left out of the types; a request
// that carries them is accepted (the server decides what to refuse).

/** POST /containers/create: the body (ContainerConfig with HostConfig and NetworkingConfig). */
export interface ContainerCreateRequest {
  Image: string;
  Cmd?: string[] | null;
  /** [""] resets the image's entrypoint (docker run --entrypoint ""). */
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Labels?: Record<string, string>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  StopSignal?: string;
  StopTimeout?: number;
  ExposedPorts?: Record<string, object>;
  /** Anonymous volumes: container paths (docker run -v /path). */
  Volumes?: Record<string, object>;
  HostConfig?: HostConfigRequest;
  NetworkingConfig?: NetworkingConfig;
}

export interface PortBinding { HostIp: string; HostPort: string }
export type PortMap = Record<string, PortBinding[]>;

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped' | '';
export interface RestartPolicy { Name: RestartPolicyName; MaximumRetryCount: number }

/** HostConfig.Mounts[] (docker run --mount). */
export interface MountRequest {
  Type: 'bind' | 'volume' | 'tmpfs' | string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface HostConfigRequest {
  /** "src:dst[:mode]": host paths and named volumes (docker run -v). */
  Binds?: string[] | null;
  Mounts?: MountRequest[];
  /** path -> mount options (docker run --tmpfs). */
  Tmpfs?: Record<string, string>;
  VolumesFrom?: string[] | null;
  /** "default" (docker's word for the default bridge), bridge, none, host, container:<id>, or a network. */
  NetworkMode?: string;
  PortBindings?: PortMap;
  PublishAllPorts?: boolean;
  Links?: string[] | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  ReadonlyRootfs?: boolean;
  Privileged?: boolean;
  Init?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Memory?: number;
  NanoCpus?: number;
  CpusetCpus?: string;
  /** 0 or null: unlimited (docker's default), -1: unlimited too. */
  PidsLimit?: number | null;
  /** seccomp=<profile JSON>|unconfined, no-new-privileges[=bool] (the docker CLI sends a profile file's text). */
  SecurityOpt?: string[] | null;
}

export interface EndpointSettingsRequest { Aliases?: string[] | null; Links?: string[] | null }
export interface NetworkingConfig { EndpointsConfig?: Record<string, EndpointSettingsRequest> }

/** POST /containers/create: the answer. */
export interface ContainerCreateResponse { Id: string; Warnings: string[] }

/** GET /containers/json: one entry. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string>;
  Mounts: unknown[];
  NetworkSettings: { Networks: Record<string, unknown> };
}

/** GET /containers/json?filters=: docker's filter map (name -> values). */
export type Filters = Record<string, string[]>;

/** POST /containers/{id}/wait: the answer. */
export interface ContainerWaitResponse { StatusCode: number; Error?: { Message: string } | null }

/** POST /containers/{id}/exec: the body. */
export interface ExecCreateRequest {
  Cmd: string[];
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Privileged?: boolean;
  Detach?: boolean;
}

/** GET /exec/{id}/json. */
export interface ExecInspect {
  ID: string; ContainerID: string; Running: boolean; ExitCode: number | null; Pid: number;
  OpenStdin: boolean; OpenStdout: boolean; OpenStderr: boolean; CanRemove: boolean; DetachKeys: string;
  ProcessConfig: { entrypoint: string; arguments: string[]; tty: boolean; user: string; privileged: boolean } }

/** GET /version. */
export interface SystemVersion { Version: string; ApiVersion: string; MinAPIVersion: string; Os: string; Arch: string; KernelVersion: string; GoVersion?: string; GitCommit?: string; BuildTime?: string }

/** POST /volumes/create. */
export interface VolumeCreateRequest { Name?: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> }

/** POST /networks/create. */
export interface NetworkCreateRequest { Name: string; Driver?: string; Labels?: Record<string, string>; IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } }

/** POST /networks/{id}/connect. */
export interface NetworkConnectRequest { Container: string; EndpointConfig?: EndpointSettingsRequest }

/** One line of POST /images/create's JSON progress stream. */
export interface PullProgressEvent { status: string; id?: string; progress?: string; progressDetail?: { current?: number; total?: number } }
