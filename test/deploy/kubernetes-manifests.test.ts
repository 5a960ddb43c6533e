import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  containersOf,
  type KubernetesObject,
  renderKustomization,
  splitImage,
} from "./render-kustomization.ts";

const objects = renderKustomization(
  path.resolve(import.meta.dirname, "../../deploy/kubernetes/base"),
);

/** How long a service may take to finish requests under way after SIGTERM, at most. */
const SERVICE_DRAIN_S = 15;
const SECRET_VARIABLES = [
  "DATABASE_URL",
  "DATABASE_DIRECT_URL",
  "DB_KEY_BASE",
  "INITIAL_ROOT_TOKEN",
  "JWT_SIGNING_KEY",
  "REDIS_URL",
  "AI_GATEWAY_SIGNING_KEY",
  "MODEL_API_KEY",
];
const DATABASE_SECRETS = ["DATABASE_URL", "DATABASE_DIRECT_URL", "DB_KEY_BASE"];
/** The services with a database: GitLab's health paths, and a migration job. */
const INSTANCE = {
  readiness: "/-/readiness",
  liveness: "/-/liveness",
  required: DATABASE_SECRETS,
  migrates: true,
};

type Labels = Record<string, string>;
type Probe = { httpGet?: { path: string; port: string | number } };
type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
};
type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
};
type Workload = {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Labels };
    template: { metadata: { labels: Labels; annotations?: Labels }; spec: PodSpec };
  };
};

function find<T>(kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as unknown as T;
}

function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function preStopPauseSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const [program, seconds] = preStop?.exec?.command ?? [];
  return program === "sleep" ? Number(seconds) : 0;
}

const workloads = objects.filter((object) => object.kind === "Deployment" || object.kind === "Job");

describe.each([
  { service: "saas", port: 3001, ...INSTANCE },
  { service: "self-managed", port: 3000, ...INSTANCE },
  // No database: the AI gateway's health paths (as GitLab's gateway), its signing key.
  {
    service: "ai-gateway",
    port: 5052,
    readiness: "/monitoring/ready",
    liveness: "/monitoring/healthz",
    required: ["AI_GATEWAY_SIGNING_KEY"],
    migrates: false,
  },
])("$service", ({ service, port, readiness, liveness, required, migrates }) => {
  const deployment = find<Workload>("Deployment", service);
  const pod = deployment.spec.template;
  const [container] = pod.spec.containers as [Container];

  it("runs two replicas at least", () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const hpa = find<{ spec: { minReplicas: number } }>("HorizontalPodAutoscaler", service);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it("listens on its port, which the probes, the Service and the scrape annotations use", () => {
    const http = container.ports?.find((candidate) => candidate.containerPort === port);
    expect(http?.name).toBeDefined();
    expect(container.env?.find((variable) => variable.name === "PORT")?.value).toBe(String(port));
    const probePort = (probe: Probe | undefined) => probe?.httpGet?.port;
    for (const probe of [
      container.readinessProbe,
      container.livenessProbe,
      container.startupProbe,
    ]) {
      expect([http?.name, port]).toContain(probePort(probe));
    }
    const serviceObject = find<{ spec: { ports: { port: number; targetPort: unknown }[] } }>(
      "Service",
      service,
    );
    expect(serviceObject.spec.ports).toEqual([
      expect.objectContaining({ port, targetPort: http?.name }),
    ]);
    expect(pod.metadata.annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/path": "/-/metrics",
      "prometheus.io/port": String(port),
    });
  });

  it(`is ready on ${readiness}, alive on ${liveness}, and has a startup probe`, () => {
    expect(container.readinessProbe?.httpGet?.path).toBe(readiness);
    expect(container.livenessProbe?.httpGet?.path).toBe(liveness);
    expect([liveness, readiness]).toContain(container.startupProbe?.httpGet?.path);
  });

  it("leaves the endpoints before it drains, and is given the time to drain", () => {
    const pause = preStopPauseSeconds(container);
    expect(pause).toBeGreaterThanOrEqual(5);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + SERVICE_DRAIN_S);
  });

  it("has a disruption budget, an autoscaler and a Service for its server pods only", () => {
    const selector = deployment.spec.selector?.matchLabels ?? {};
    expect(selects(selector, pod.metadata.labels)).toBe(true);
    const pdb = find<{ spec: { selector: { matchLabels: Labels } } }>(
      "PodDisruptionBudget",
      service,
    );
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
    const hpa = find<{ spec: { scaleTargetRef: object } }>("HorizontalPodAutoscaler", service);
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: service,
    });
    const serviceSelector = find<{ spec: { selector: Labels } }>("Service", service).spec.selector;
    expect(selects(serviceSelector, pod.metadata.labels)).toBe(true);
    for (const job of workloads.filter((object) => object.kind === "Job")) {
      const labels = (job as unknown as Workload).spec.template.metadata.labels;
      expect(selects(serviceSelector, labels), job.metadata.name).toBe(false);
    }
  });

  // Decided as the tests are collected: each service gets the tests that apply to it.
  if (migrates) {
    it("has a migration job running its image with --migrate-only", () => {
      const job = find<Workload>("Job", `${service}-migrate`);
      const [migrate] = job.spec.template.spec.containers as [Container];
      expect(migrate.image).toBe(container.image);
      expect(migrate.args).toContain("--migrate-only");
      const fromSecrets = migrate.env?.filter((variable) => variable.valueFrom?.secretKeyRef);
      expect(fromSecrets?.map((variable) => variable.name)).toEqual([
        "DATABASE_URL",
        "DATABASE_DIRECT_URL",
      ]);
    });
  } else {
    it("has no database, hence no migration job and no database secret", () => {
      expect(workloads.map((object) => object.metadata.name)).not.toContain(`${service}-migrate`);
      const names = container.env?.map((variable) => variable.name) ?? [];
      expect(names.filter((name) => DATABASE_SECRETS.includes(name))).toEqual([]);
    });
  }

  it("takes its keys (and database URLs) from its Secret, the required ones not optional", () => {
    const fromSecret = (name: string) =>
      container.env?.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
    for (const name of required) {
      expect(fromSecret(name)).toEqual({ name: `${service}-secrets`, key: name });
    }
    if (migrates) expect(fromSecret("INITIAL_ROOT_TOKEN")?.name).toBe(`${service}-secrets`);
    else {
      expect(fromSecret("MODEL_API_KEY")).toEqual({
        name: `${service}-secrets`,
        key: "MODEL_API_KEY",
        optional: true,
      });
    }
    expect(fromSecret("REDIS_URL")).toEqual({
      name: `${service}-secrets`,
      key: "REDIS_URL",
      optional: true,
    });
  });
});

describe.each(workloads.map((object) => [`${object.kind} ${object.metadata.name}`, object]))(
  "%s",
  (_label, object) => {
    const { spec: podSpec } = (object as unknown as Workload).spec.template;

    it("runs as a non-root user, without a service-account token", () => {
      expect(podSpec.securityContext?.runAsNonRoot).toBe(true);
      expect(podSpec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(podSpec.automountServiceAccountToken).toBe(false);
    });

    it("has a read-only root filesystem, with an emptyDir for /tmp", () => {
      for (const container of podSpec.containers) {
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === "/tmp");
        const volume = podSpec.volumes?.find((candidate) => candidate.name === tmp?.name);
        expect(volume?.emptyDir).toBeDefined();
      }
    });

    it("runs images pinned to a release", () => {
      for (const container of containersOf(object as KubernetesObject)) {
        const { tag } = splitImage(container.image);
        expect(tag, container.image).toMatch(/^\d+\.\d+\.\d+$/);
      }
    });

    it("never holds a secret value", () => {
      for (const container of podSpec.containers) {
        for (const variable of container.env ?? []) {
          if (!SECRET_VARIABLES.includes(variable.name)) continue;
          expect(variable.value, variable.name).toBeUndefined();
          expect(variable.valueFrom?.secretKeyRef, variable.name).toBeDefined();
        }
      }
    });
  },
);

describe("the AI gateway's wiring", () => {
  const settings = (service: string) =>
    find<{ data: Record<string, string> }>("ConfigMap", `${service}-settings`).data;

  it("trusts the issuer SaaS signs as (its EXTERNAL_URL)", () => {
    expect(settings("ai-gateway").AI_GATEWAY_TRUSTED_ISSUERS?.split(",")).toEqual([
      settings("saas").EXTERNAL_URL,
    ]);
  });

  it("is where SaaS and self-managed send completions: its Service and port", () => {
    const { port } = find<{ spec: { ports: { port: number }[] } }>("Service", "ai-gateway").spec
      .ports[0] ?? { port: 0 };
    for (const service of ["saas", "self-managed"]) {
      expect(settings(service).AI_GATEWAY_URL, service).toBe(`http://ai-gateway:${port}`);
    }
  });
});

describe("secrets", () => {
  it("are neither Secret objects nor settings in the manifests", () => {
    expect(objects.filter((object) => object.kind === "Secret")).toEqual([]);
    const settings = objects
      .filter((object) => object.kind === "ConfigMap")
      .flatMap((object) => Object.keys((object as { data?: Labels }).data ?? {}));
    expect(settings.filter((name) => SECRET_VARIABLES.includes(name))).toEqual([]);
  });
});
