import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateAgainstSchema } from "./kubernetes-schema.ts";
import {
  containersOf,
  type KubernetesObject,
  renderKustomization,
} from "./render-kustomization.ts";

const KUBERNETES = path.resolve(import.meta.dirname, "../../deploy/kubernetes");
const BASE = path.join(KUBERNETES, "base");
const OVERLAY = path.join(KUBERNETES, "overlays/example");

describe.each([
  ["base", BASE],
  ["example overlay", OVERLAY],
])("the %s", (_name, directory) => {
  const objects = renderKustomization(directory);

  it("renders the three services' objects (a migration job for those with a database)", () => {
    const names = objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
    expect(names).toEqual(
      ["saas", "self-managed", "ai-gateway"]
        .flatMap((service) => [
          `ConfigMap/${service}-settings`,
          `Deployment/${service}`,
          `HorizontalPodAutoscaler/${service}`,
          ...(service === "ai-gateway" ? [] : [`Job/${service}-migrate`]),
          `NetworkPolicy/${service}`,
          `PodDisruptionBudget/${service}`,
          `Service/${service}`,
        ])
        .sort(),
    );
  });

  it.each(objects.map((object) => [`${object.kind} ${object.metadata.name}`, object] as const))(
    "%s is valid against Kubernetes' schema",
    (_label, object) => {
      expect(() => validateAgainstSchema(object)).not.toThrow();
    },
  );
});

describe("the example overlay", () => {
  const objects = renderKustomization(OVERLAY);

  it("puts every object in its namespace", () => {
    expect(new Set(objects.map((object) => object.metadata.namespace))).toEqual(
      new Set(["token-broker"]),
    );
  });

  it("points each service at its release in the registry", () => {
    const images = new Set(objects.flatMap(containersOf).map((container) => container.image));
    expect(images).toEqual(
      new Set([
        "registry.example.com/token-broker/saas:0.1.0",
        "registry.example.com/token-broker/self-managed:0.1.0",
        "registry.example.com/token-broker/ai-gateway:0.1.0",
      ]),
    );
  });
});

describe("the schema check", () => {
  const deployment = renderKustomization(BASE).find(
    (object) => object.kind === "Deployment",
  ) as KubernetesObject;

  it("refuses a field of the wrong type", () => {
    const broken = structuredClone(deployment);
    (broken.spec as { replicas: unknown }).replicas = "two";
    expect(() => validateAgainstSchema(broken)).toThrow(/replicas/);
  });

  it("refuses a missing required field", () => {
    const broken = structuredClone(deployment);
    const spec = broken.spec as { template: { spec: { containers: { name?: string }[] } } };
    delete spec.template.spec.containers[0]?.name;
    expect(() => validateAgainstSchema(broken)).toThrow(/name/);
  });

  it("refuses a kind it has no schema for", () => {
    expect(() =>
      validateAgainstSchema({ apiVersion: "v1", kind: "Pdo", metadata: { name: "typo" } }),
    ).toThrow(/no schema/);
  });
});

describe("the renderer", () => {
  it("refuses a kustomization field it does not apply", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "kustomization-"));
    try {
      writeFileSync(
        path.join(directory, "kustomization.yaml"),
        "resources: []\npatches:\n  - path: replicas.yaml\n",
      );
      expect(() => renderKustomization(directory)).toThrow(/patches/);
    } finally {
      rmSync(directory, { recursive: true });
    }
  });
});
