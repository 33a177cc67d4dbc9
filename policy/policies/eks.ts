import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { broadCoverage } from "../lib/cidr";
import { chartServices, kongRelease, namespaceOf, on, selectedReleases } from "../lib/kube";
import { Resource } from "../lib/resolver";
import { K, T } from "../lib/types";
import { isUnknown, list, plain, str } from "../lib/values";
import { listenerOff } from "../lib/kong";
import { containersOf, kongRole } from "../lib/topology";
import { graphOf, label, releasesOf } from "./common";

// Kong on EKS: the cluster's API endpoint and encryption, and the Kubernetes side of the hybrid
// roles (which Services Kong's chart renders for the CP, which listeners a DP keeps).

const absent = (v: unknown) => v === undefined || v === null || v === "";

/** The cluster's settings object (@pulumi/aws 7 gives an object; older schemas a one-element list). */
const block = (v: unknown): any => {
    v = plain(v);
    return Array.isArray(v) ? plain(v[0]) : v;
};

export const eksApiEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-api-endpoint-restricted",
    description: "An EKS cluster's public API endpoint is either off or limited to a publicAccessCidrs list no wider than a /8 (unset means AWS's 0.0.0.0/0).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args, report) => {
        if (args.type !== T.eksCluster) return;
        const vc = block(plain(args.props).vpcConfig) ?? {};
        if (isUnknown(vc)) return;
        // AWS defaults: endpointPublicAccess true, publicAccessCidrs ["0.0.0.0/0"]
        // (https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html).
        const pub = plain(vc.endpointPublicAccess);
        if (isUnknown(pub) || (!absent(pub) && !on(pub))) return;
        const publicWhy = absent(pub) ? "endpointPublicAccess is unset (AWS's default is true)" : "endpointPublicAccess is true";
        const raw = plain(vc.publicAccessCidrs);
        if (isUnknown(raw)) return;
        const cidrs = list(raw).map(plain).filter((c): c is string => typeof c === "string" && !isUnknown(c));
        if (cidrs.length === 0) {
            report(`the Kubernetes API is public (${publicWhy}) with no publicAccessCidrs, which AWS takes as 0.0.0.0/0: list the networks that deploy (the CI runner's egress), or set endpointPublicAccess false.`);
            return;
        }
        const broad = broadCoverage(cidrs);
        if (broad.length) report(`the Kubernetes API is public (${publicWhy}) to publicAccessCidrs ${JSON.stringify(cidrs)}, which ${broad.join(" and ")}: list only the networks that deploy.`);
    },
};

export const eksSecretsEncrypted: ResourceValidationPolicy = {
    name: "eks-secrets-encrypted",
    description: "An EKS cluster envelope-encrypts Kubernetes Secrets with a customer-managed KMS key (encryptionConfig with resources [\"secrets\"] and provider.keyArn).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        if (args.type !== T.eksCluster) return;
        const raw = plain(args.props).encryptionConfig;
        const ec = block(raw);
        if (isUnknown(raw) || isUnknown(ec)) return;
        // Without it, EKS (1.28+) encrypts with an AWS-owned key that no key policy of yours governs
        // (https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html).
        if (absent(ec)) {
            report("has no encryptionConfig: Kubernetes Secrets (the cluster certificate, the database credentials) are not envelope-encrypted with the stack's KMS key. Set encryptionConfig { provider: { keyArn }, resources: [\"secrets\"] }.");
            return;
        }
        const resources = plain(ec.resources);
        if (!isUnknown(resources) && !list(resources).map(plain).includes("secrets")) {
            report(`encryptionConfig.resources is ${JSON.stringify(list(resources).map(plain))}: it must include "secrets".`);
        }
        if (absent(plain(block(ec.provider))?.keyArn)) report("encryptionConfig has no provider.keyArn: name the stack's KMS key.");
    },
};

const cpLabel = (k: { release: Resource }) => `Kong Control Plane release ${label(k.release)}`;

export const kongCpServicesInternal: StackValidationPolicy = {
    name: "kong-cp-services-internal",
    description: "On Kubernetes, every Service of the Kong Control Plane is ClusterIP, with no Ingress, no LoadBalancer/NodePort Service selecting its pods and no TargetGroupBinding in its namespace.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
        const g = graphOf(args);
        const cps = releasesOf(args).filter(k => k.role === "control_plane");
        for (const k of cps) {
            if (!k.values) continue;
            // The chart's defaults: admin and manager NodePort, proxy LoadBalancer (charts/kong/values.yaml).
            for (const s of chartServices(k.values)) {
                const given = str(plain(plain(k.values[s.key])?.type));
                if (s.type !== "ClusterIP") {
                    report(`${cpLabel(k)} renders its ${s.key} Service as ${s.type}${given ? "" : " (type unset: the chart's default)"}: a CP Service is reached only inside the cluster. Set ${s.key}.type: ClusterIP${s.key === "proxy" || s.key === "manager" || s.key.startsWith("portal") ? `, or ${s.key}.enabled: false` : ""}.`, k.release.urn);
                }
                if (s.ingress) report(`${cpLabel(k)} sets ${s.key}.ingress.enabled: an Ingress would expose the CP outside the cluster.`, k.release.urn);
            }
        }
        for (const svc of g.ofType(K.service)) {
            const spec = plain(plain(svc.props)?.spec);
            const known = spec !== undefined && spec !== null && !isUnknown(spec);
            // A Service without a selector has hand-made endpoints: it selects no pods by itself.
            if (known && absent(plain(spec.selector))) continue;
            const type = known ? (str(plain(spec.type)) ?? "ClusterIP") : undefined;
            const externalIps = known ? list(plain(spec.externalIPs)) : [];
            const exposed = type === "LoadBalancer" || type === "NodePort" || externalIps.length > 0;
            if (!exposed) continue;
            const hit = selectedReleases(cps, namespaceOf(svc), known ? { matchLabels: plain(spec.selector) } : undefined);
            for (const k of hit) {
                report(`${label(svc)} is a ${type}${externalIps.length ? ` Service with externalIPs ${JSON.stringify(externalIps)}` : " Service"} selecting the pods of ${cpLabel(k)}: the CP is reached only by the DPs, inside the cluster.`, svc.urn);
            }
        }
        for (const tgb of g.ofType(K.targetGroupBinding)) {
            const ns = namespaceOf(tgb);
            for (const k of cps.filter(c => ns !== undefined && c.namespace === ns)) {
                report(`${label(tgb)} registers pods of namespace ${ns}, where ${cpLabel(k)} runs, in a load balancer target group: no load balancer may reach the CP.`, tgb.urn);
            }
        }
    },
};

const isOff = (v: string | undefined) => v !== undefined && listenerOff(v);

export const kongDpAdminClosed: ResourceValidationPolicy = {
    name: "kong-dp-admin-closed",
    description: "A Kong Data Plane serves no Admin API: an ECS task definition's DP container sets KONG_ADMIN_LISTEN \"off\" (unset is Kong's loopback 127.0.0.1:8001/8444); a release of Kong's chart has admin.enabled and manager.enabled false, KONG_ADMIN_LISTEN (and with enterprise, KONG_ADMIN_GUI_LISTEN) rendered \"off\".",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        if (args.type === T.taskDefinition) {
            for (const c of containersOf(args as unknown as Resource) ?? []) {
                if (kongRole(c) !== "data_plane") continue;
                const listen = c.env.get("KONG_ADMIN_LISTEN");
                if (listen !== undefined && isUnknown(listen)) continue;
                if (!isOff(listen)) {
                    report(`container "${c.name}" is a Data Plane with KONG_ADMIN_LISTEN=${listen === undefined || listen.trim() === "" ? "(unset: Kong's loopback default 127.0.0.1:8001, 127.0.0.1:8444)" : listen}: a DP serves no Admin API; set it to "off".`);
                }
            }
            return;
        }
        const k = kongRelease(args as unknown as Resource);
        if (!k || k.role !== "data_plane" || !k.values) return;
        const v = k.values;
        if (on(plain(v.admin)?.enabled)) report("admin.enabled on a Data Plane renders an Admin API listener and Service: set admin.enabled: false (the Admin API belongs to the Control Plane).");
        const listen = k.env.get("KONG_ADMIN_LISTEN");
        if (!isOff(listen)) {
            report(`renders KONG_ADMIN_LISTEN=${listen}${plain(v.env)?.admin_listen === undefined && plain(v.customEnv)?.kong_admin_listen === undefined ? " (env.admin_listen unset: the chart's loopback default)" : ""} on a Data Plane: set env.admin_listen: "off".`);
        }
        const gui = k.env.get("KONG_ADMIN_GUI_LISTEN");
        if (gui !== undefined && !isOff(gui)) report(`renders KONG_ADMIN_GUI_LISTEN=${gui} (the chart opens Kong Manager whenever enterprise.enabled) on a Data Plane: set env.admin_gui_listen: "off".`);
        const manager = plain(v.manager)?.enabled;
        if (manager === undefined || on(manager)) report(`manager.enabled is ${manager === undefined ? "unset (the chart's default is true)" : "true"}: the chart renders a Kong Manager Service for the Data Plane; set manager.enabled: false.`);
    },
};

export const eksPolicies = [eksApiEndpointRestricted, eksSecretsEncrypted, kongCpServicesInternal, kongDpAdminClosed];
