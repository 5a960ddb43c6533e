import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderKustomization } from "./render-kustomization.ts";

const objects = renderKustomization(
  path.resolve(import.meta.dirname, "../../deploy/kubernetes/base"),
);

type Labels = Record<string, string>;
type Peer = {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: object;
  ipBlock?: { cidr: string; except?: string[] };
};
type Rule = { to?: Peer[]; from?: Peer[]; ports?: { protocol?: string; port: number }[] };
type Policy = {
  spec: {
    podSelector: { matchLabels: Labels };
    policyTypes: string[];
    ingress: Rule[];
    egress: Rule[];
  };
};
type Pods = { spec: { template: { metadata: { labels: Labels } } } };

function find<T>(kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as unknown as T;
}

function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const podLabels = (kind: string, name: string) =>
  find<Pods>(kind, name).spec.template.metadata.labels;

/** Each egress rule as "peer → ports", a peer being a pod selector (no IP block, no "anywhere"). */
function egressDestinations(policy: Policy): string[] {
  return policy.spec.egress.map((rule) => {
    const peers = (rule.to ?? [{}]).map((peer) => {
      if (peer.ipBlock !== undefined) {
        const { cidr, except = [] } = peer.ipBlock;
        return `${cidr}${except.length > 0 ? ` except ${except.join(",")}` : ""}`;
      }
      if (peer.podSelector?.matchLabels === undefined) return "anywhere";
      const labels = Object.entries(peer.podSelector.matchLabels).map(([k, v]) => `${k}=${v}`);
      return `${peer.namespaceSelector ? "any namespace " : ""}${labels.join(",")}`;
    });
    const ports = (rule.ports ?? []).map((entry) => `${entry.protocol ?? "TCP"}/${entry.port}`);
    return `${peers.join(" | ")} → ${ports.length > 0 ? ports.join(",") : "every port"}`;
  });
}

const DNS = "any namespace k8s-app=kube-dns → UDP/53,TCP/53";
const GATEWAY = "app.kubernetes.io/name=ai-gateway,app.kubernetes.io/component=server → TCP/5052";

const jobs = objects.filter((object) => object.kind === "Job").map((job) => job.metadata.name);

describe.each([
  { service: "saas", port: 3001 },
  { service: "self-managed", port: 3000 },
  { service: "ai-gateway", port: 5052 },
])("$service's network policy", ({ service, port }) => {
  const policy = find<Policy>("NetworkPolicy", service);

  it("applies to its servers and its migration job if it has one, both ways", () => {
    const selector = policy.spec.podSelector.matchLabels;
    expect(selects(selector, podLabels("Deployment", service))).toBe(true);
    for (const job of jobs) {
      expect(selects(selector, podLabels("Job", job)), job).toBe(job === `${service}-migrate`);
    }
    expect(policy.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
  });

  it("lets requests in on the service port only", () => {
    expect(policy.spec.ingress).toEqual([{ ports: [{ protocol: "TCP", port }] }]);
  });
});

describe("egress", () => {
  const stores = (service: string) =>
    `token-broker/store-of=${service} → TCP/5432,TCP/6432,TCP/6379`;

  it("of SaaS reaches DNS, the AI gateway's servers and its own data stores only", () => {
    expect(egressDestinations(find<Policy>("NetworkPolicy", "saas"))).toEqual([
      DNS,
      GATEWAY,
      stores("saas"),
    ]);
  });

  it("of self-managed reaches DNS, the SaaS and AI gateway servers and its own data stores only", () => {
    const destinations = egressDestinations(find<Policy>("NetworkPolicy", "self-managed"));
    expect(destinations).toEqual([
      DNS,
      "app.kubernetes.io/name=saas,app.kubernetes.io/component=server → TCP/3001",
      GATEWAY,
      stores("self-managed"),
    ]);
    const [, saasRule, gatewayRule] = find<Policy>("NetworkPolicy", "self-managed").spec.egress;
    const saasSelector = saasRule?.to?.[0]?.podSelector?.matchLabels ?? {};
    expect(selects(saasSelector, podLabels("Deployment", "saas"))).toBe(true);
    const gatewaySelector = gatewayRule?.to?.[0]?.podSelector?.matchLabels ?? {};
    expect(selects(gatewaySelector, podLabels("Deployment", "ai-gateway"))).toBe(true);
  });

  it("of the AI gateway reaches DNS, public HTTPS (the issuer's keys), a model server and its Redis only", () => {
    expect(egressDestinations(find<Policy>("NetworkPolicy", "ai-gateway"))).toEqual([
      DNS,
      "0.0.0.0/0 except 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 → TCP/443",
      "token-broker/model-server-of=ai-gateway → TCP/8000,TCP/8080,TCP/11434,TCP/4000",
      "token-broker/store-of=ai-gateway → TCP/6379",
    ]);
  });

  it("is told apart from an open rule", () => {
    const open = structuredClone(find<Policy>("NetworkPolicy", "self-managed"));
    open.spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }, { ports: [] });
    expect(egressDestinations(open).slice(-2)).toEqual([
      "0.0.0.0/0 → every port",
      "anywhere → every port",
    ]);
  });
});
