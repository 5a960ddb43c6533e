import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import type { KubernetesObject } from "./render-kustomization.ts";

/** Kubernetes' own schemas (its OpenAPI, through kubernetes-models) by apiVersion and kind. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

/**
 * Throws when the object breaks its kind's schema: wrong types, missing required fields,
 * values outside an enumeration. Unknown field names pass, as in the OpenAPI documents
 * themselves (the API server's strict field validation catches those); the rule checks
 * read every field they care about by its exact name.
 */
export function validateAgainstSchema(object: KubernetesObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) {
    throw new Error(
      `no schema here for ${object.apiVersion} ${object.kind} ${object.metadata.name}`,
    );
  }
  new Model(object as never).validate();
}
