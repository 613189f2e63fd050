// deploy/kubernetes and deploy/docker, checked without a cluster: the label Job is an Indexed Job whose completions,
// parallelism and --shards agree, each pod writes its own shard file, the merge Job joins exactly those files from
// the same COCO file, both mount the claim of pvc.yaml, ask for resources, and run the image the Dockerfile builds
// (npm ci, the native setup, the build). label-cli.test.ts runs the same commands as local processes.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/parse-args';
import { LABEL_FLAGS } from '../../src/cli/label-command';
import { MERGE_FLAGS, splitMergeArgs } from '../../src/cli/merge-command';
import { expandArgs, kubernetesCommands, onlyContainer, readManifest, REPO_ROOT, type JobManifest } from './kubernetes-manifests';

describe('deploy/kubernetes', () => {
  it('label: an Indexed Job of n pods, pod I writing shard I of n; merge: those n files', async () => {
    const label = await readManifest('label-job.yaml');
    const merge = await readManifest('merge-job.yaml');
    expect(label).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    expect(merge).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completions: 1, parallelism: 1 } });
    const n = label.spec.completions;
    expect(label.spec.parallelism).toBe(n);
    const k8s = await kubernetesCommands('/volume');
    const outs = Array.from({ length: n }, (_, i) => {
      const args = k8s.label(i);
      expect(args[0]).toBe('label');
      // The args parse with label's own flags: --shards n, no --shard (the index comes from JOB_COMPLETION_INDEX).
      const flags = parseFlags(args.slice(1), LABEL_FLAGS);
      expect(flags.shards).toBe(n);
      expect(flags.shard).toBeUndefined();
      return { out: String(flags.out), coco: String(flags.coco) };
    });
    expect(new Set(outs.map((o) => o.out)).size).toBe(n); // one shard file per pod
    for (const o of outs) expect(o.out).toMatch(/^\/volume\//);
    expect(merge.spec.template.spec.containers[0]!.args.join(' ')).not.toContain('$('); // nothing left to expand
    expect(k8s.merge[0]).toBe('merge');
    const { flagArgs, files } = splitMergeArgs(k8s.merge.slice(1));
    const mergeFlags = parseFlags(flagArgs, MERGE_FLAGS);
    expect(files).toEqual(outs.map((o) => o.out));
    expect(String(mergeFlags.coco)).toBe(outs[0]!.coco);
    expect(String(mergeFlags.out)).not.toBe(outs[0]!.coco);
  });

  it('both Jobs mount the claim of pvc.yaml, run one image, ask for CPU and memory; a usage error is not retried', async () => {
    const pvc = await readManifest<{ kind: string; metadata: { name: string }; spec: { accessModes: string[] } }>('pvc.yaml');
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(pvc.spec.accessModes).toContain('ReadWriteMany');
    const jobs: JobManifest[] = [await readManifest('label-job.yaml'), await readManifest('merge-job.yaml')];
    const images = new Set<string>();
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      const c = onlyContainer(job);
      images.add(c.image);
      expect(pod.restartPolicy, job.metadata.name).toBe('Never');
      const mount = c.volumeMounts[0]!;
      expect(pod.volumes.find((v) => v.name === mount.name)?.persistentVolumeClaim?.claimName, job.metadata.name).toBe(pvc.metadata.name);
      for (const kind of ['requests', 'limits'] as const) {
        expect(c.resources[kind].cpu, `${job.metadata.name} ${kind}`).toBeDefined();
        expect(c.resources[kind].memory, `${job.metadata.name} ${kind}`).toBeDefined();
      }
      // Every path argument lies on the shared volume.
      for (const a of c.args.filter((x) => x.startsWith('/'))) expect(a.startsWith(`${mount.mountPath}/`), a).toBe(true);
    }
    expect(images.size).toBe(1);
    const label = (await readManifest('label-job.yaml')) as JobManifest & { spec: { podFailurePolicy: { rules: Array<{ action: string; onExitCodes?: { values: number[] } }> } } };
    expect(label.spec.podFailurePolicy.rules).toContainEqual(expect.objectContaining({ action: 'FailJob', onExitCodes: expect.objectContaining({ values: [2] }) }));
  });

  it('expands $(VAR) in args as Kubernetes does', () => {
    expect(expandArgs(['a-$(JOB_COMPLETION_INDEX).jsonl', '$$(X)', '$(UNSET)'], { JOB_COMPLETION_INDEX: '7' })).toEqual(['a-7.jsonl', '$(X)', '$(UNSET)']);
  });
});

describe('deploy/docker/Dockerfile', () => {
  it('builds from the repository: npm ci, the native setup, the build; boxteacher on PATH', async () => {
    const text = await fs.readFile(path.join(REPO_ROOT, 'deploy/docker/Dockerfile'), 'utf8');
    const runs = text.split('\n').filter((l) => l.startsWith('RUN ')).map((l) => l.slice(4).trim());
    const at = (cmd: string) => runs.findIndex((r) => r.startsWith(cmd));
    expect(at('npm ci')).toBeGreaterThanOrEqual(0);
    expect(at('npm run setup:native')).toBeGreaterThan(at('npm ci'));
    expect(at('npx nx run @boxteacher/trainer:build')).toBeGreaterThan(at('npm run setup:native'));
    expect(text).toMatch(/^COPY \. \.$/m);
    expect(text).toMatch(/PATH=\/app\/node_modules\/\.bin:\$PATH/);
    // The manifests' `boxteacher` is the trainer package's bin, which npm links into node_modules/.bin.
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'packages/trainer/package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain('boxteacher');
    // The setup script named in the Dockerfile exists (root package.json).
    const root = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(root.scripts['setup:native']).toBeDefined();
    const ignore = await fs.readFile(path.join(REPO_ROOT, 'deploy/docker/Dockerfile.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
  });
});
