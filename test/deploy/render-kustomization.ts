import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset this project's
 * manifests use: `resources` (files, and folders holding a kustomization.yaml), `namespace`
 * and `images`. No kustomize binary is installed here and no npm package renders Kustomize
 * offline, so this small loader stands in; any other field is refused, so that a manifest
 * using one fails the tests instead of being rendered wrong.
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: ImageOverride[];
}

const SUPPORTED_FIELDS = new Set(["apiVersion", "kind", "resources", "namespace", "images"]);

export function renderKustomization(directory: string): KubernetesObject[] {
  const kustomization = readYaml(path.join(directory, "kustomization.yaml"))[0] as Kustomization;
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED_FIELDS.has(field));
  if (unsupported.length > 0) {
    throw new Error(`${directory}: kustomization fields not rendered here: ${unsupported}`);
  }
  const objects = (kustomization.resources ?? []).flatMap((resource) => {
    const location = path.join(directory, resource);
    return statSync(location).isDirectory()
      ? renderKustomization(location)
      : (readYaml(location) as KubernetesObject[]);
  });
  for (const object of objects) {
    if (kustomization.namespace !== undefined) object.metadata.namespace = kustomization.namespace;
    for (const container of containersOf(object)) {
      container.image = overrideImage(container.image, kustomization.images ?? []);
    }
  }
  return objects;
}

function readYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return document.toJS();
  });
}

type Container = { image: string; [field: string]: unknown };

/** The containers of a Deployment's or a Job's pod template. */
export function containersOf(object: KubernetesObject): Container[] {
  const template = (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)
    ?.template;
  const podSpec = template?.spec ?? {};
  return [podSpec.initContainers, podSpec.containers].flatMap(
    (list) => (list as Container[] | undefined) ?? [],
  );
}

function overrideImage(image: string, overrides: ImageOverride[]): string {
  const { name, tag } = splitImage(image);
  const override = overrides.find((candidate) => candidate.name === name);
  if (override === undefined) return image;
  const newTag = override.newTag ?? tag;
  return `${override.newName ?? name}${newTag === undefined ? "" : `:${newTag}`}`;
}

/** `registry:5000/name:tag` → name `registry:5000/name`, tag `tag` (a digest stays in the name). */
export function splitImage(image: string): { name: string; tag: string | undefined } {
  const colon = image.lastIndexOf(":");
  if (colon <= image.lastIndexOf("/") || image.includes("@"))
    return { name: image, tag: undefined };
  return { name: image.slice(0, colon), tag: image.slice(colon + 1) };
}
