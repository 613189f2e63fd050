// Reads deploy/kubernetes/ as Kubernetes would run it, so that the tests run exactly the commands the manifests
// run: the label Indexed Job's container command and args for index I (with $(JOB_COMPLETION_INDEX) expanded, as
// Kubernetes expands it), the merge Job's, and their environment. Paths under the shared volume's mount point are
// mapped to a local folder standing in for the volume.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../integration/cli-runner';

export const REPO_ROOT = path.resolve(PACKAGE_ROOT, '../..');
export const KUBERNETES_DIR = path.join(REPO_ROOT, 'deploy/kubernetes');

/** The parts of a manifest the tests look at (a loose view of the Kubernetes objects). */
export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env?: Array<{ name: string; value?: string }>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  restartPolicy: string;
  containers: Container[];
  volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
}

export interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { completionMode?: string; completions: number; parallelism: number; template: { spec: PodSpec } };
}

export async function readManifest<T = JobManifest>(name: string): Promise<T> {
  return parseYaml(await fs.readFile(path.join(KUBERNETES_DIR, name), 'utf8')) as T;
}

export interface ManifestCommands {
  /** the shard count: the label job's completions (= parallelism = --shards, checked by the manifest test) */
  shards: number;
  /** `boxteacher` arguments of label pod `index`, paths mapped to `volume` */
  label(index: number): string[];
  /** `boxteacher` arguments of the merge pod, paths mapped to `volume` */
  merge: string[];
  /** the label container's environment */
  env: Record<string, string>;
}

/** The one container of a Job, with its command's program checked to be the `boxteacher` CLI. */
export function onlyContainer(job: JobManifest): Container {
  const containers = job.spec.template.spec.containers;
  if (containers.length !== 1) throw new Error(`${job.metadata.name}: expected one container, found ${containers.length}`);
  const c = containers[0]!;
  if (c.command.length !== 1 || c.command[0] !== 'boxteacher') throw new Error(`${job.metadata.name}: the command is ${JSON.stringify(c.command)}, not ["boxteacher"]`);
  return c;
}

/** Kubernetes' $(VAR) expansion in args (`$$` escapes a `$`; an unknown variable is left as written). */
export function expandArgs(args: readonly string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (name == null ? '$' : (env[name] ?? m))));
}

export async function kubernetesCommands(volume: string): Promise<ManifestCommands> {
  const label = await readManifest('label-job.yaml');
  const merge = await readManifest('merge-job.yaml');
  const labelContainer = onlyContainer(label);
  const mergeContainer = onlyContainer(merge);
  const mapPaths = (container: Container, args: string[]): string[] => {
    const mount = container.volumeMounts[0]!.mountPath.replace(/\/$/, '');
    return args.map((a) => (a === mount || a.startsWith(`${mount}/`) ? path.join(volume, a.slice(mount.length)) : a));
  };
  const env = Object.fromEntries((labelContainer.env ?? []).map((e) => [e.name, e.value ?? '']));
  return {
    shards: label.spec.completions,
    label: (index) => mapPaths(labelContainer, expandArgs(labelContainer.args, { ...env, JOB_COMPLETION_INDEX: String(index) })),
    merge: mapPaths(mergeContainer, expandArgs(mergeContainer.args, {})),
    env,
  };
}
