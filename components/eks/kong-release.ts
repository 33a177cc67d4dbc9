import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { kongImage, type KongImage } from "../kong/image";
import type { KongSettings, SecretsManagerSource } from "../kong/settings";
import { PORTS } from "../network/ports";
import { leafSpecs } from "../private-ca";
import { SECRET_STORE_NAME } from "./addons";
import {
    certificateChecksumAnnotation, forKubernetes, KONG_CHART, kongChartValues, type KongChartValues, type KongValuesInput, type KubeSecretKeyRef,
} from "./kong-values";

// One Kong role on EKS: its namespace, Kong's chart as a helm.v3.Release (install and upgrade
// hooks run: `kong migrations up/finish` are pre/post-upgrade hooks that helm.v4.Chart skips),
// the cluster certificate as a kubernetes.io/tls Secret, secrets synced from Secrets Manager, the
// role's pods in the role's security group, NetworkPolicies, and for a public DP group the
// binding of its pods to the ALB's target group.

/** The CP's namespace; each DP group gets kong-dp-<group>. */
export const CONTROL_PLANE_NAMESPACE = "kong";
export const CONTROL_PLANE_RELEASE = "kong-cp";

export function namespaceOf(role: KongSettings["role"], group?: string): string {
    if (role === "control_plane") return CONTROL_PLANE_NAMESPACE;
    if (!group || !/^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/.test(group)) {
        throw new Error(`KongRelease: Data Plane group ${JSON.stringify(group)} must be a DNS label (a-z, 0-9, -; at most 45 characters)`);
    }
    return `kong-dp-${group}`;
}

/** Explicit release names: the chart names its Services <release>-kong-*, and DPs dial them. */
export function releaseNameOf(role: KongSettings["role"], group?: string): string {
    return role === "control_plane" ? CONTROL_PLANE_RELEASE : namespaceOf(role, group);
}

/** The in-cluster address of the CP's cluster listener (Service <release>-kong-cluster). */
export function controlPlaneClusterAddress(): string {
    return `${CONTROL_PLANE_RELEASE}-kong-cluster.${CONTROL_PLANE_NAMESPACE}.svc.cluster.local:${PORTS.cluster}`;
}

/** The labels the chart puts on the role's pods (and migration jobs). */
export function podSelector(release: string) {
    return { matchLabels: { "app.kubernetes.io/instance": release, "app.kubernetes.io/name": "kong" } };
}

/** A Secrets Manager secret copied into a Kubernetes Secret, key by key. */
export interface SyncedSecret {
    /** The Kubernetes Secret's name. */
    name: string;
    secretArn: pulumi.Input<string>;
    /** Secret key ← JSON property of the secret (or the whole secret string when no property). */
    data: { secretKey: string; property?: string }[];
}

/** Certificates cert-manager renews are re-read by Kong only at start: Reloader restarts the pods. */
export const RELOADER_ANNOTATION = "secret.reloader.stakater.com/reload";

export type ClusterTlsSource =
    | {
        mode: "self-managed";
        certificatePem: pulumi.Input<string>;
        privateKeyPem: pulumi.Input<string>;
        caCertificatePem: pulumi.Input<string>;
    }
    | {
        mode: "acm-pca";
        /** The AWSPCAClusterIssuer (ClusterAddons.issuerName). */
        issuerName: string;
        /** The CP's cluster_server_name: the CP certificate's DNS SAN. */
        controlPlaneHostname: string;
        /** @default "2160h" (90 days) */
        duration?: string;
        /** @default "360h" (15 days) */
        renewBefore?: string;
    };

export interface KongReleaseArgs {
    provider: k8s.Provider;
    role: KongSettings["role"];
    /** The DP group (namespace kong-dp-<group>). Required for a Data Plane. */
    group?: string;
    kong: KongImage;
    /** The image the pods run instead of kong.image: the stack's plugin image, built FROM it (same Kong). @default kong.image */
    image?: pulumi.Input<string>;
    /** The runtime-neutral settings (the same functions as ECS build them). */
    settings: pulumi.Input<KongSettings>;
    /** Plain settings that differ in the cluster (e.g. cluster_control_plane → the CP Service). @default {} */
    settingsOverrides?: Record<string, string>;
    /** Secrets Manager secrets the settings refer to (every Secrets Manager source must be covered; cluster TLS is the role's own). @default [] */
    syncedSecrets?: SyncedSecret[];
    /** Enterprise licence secret (plain string). @default none */
    licenceSecretArn?: pulumi.Input<string>;
    clusterTls: ClusterTlsSource;
    cpuMillis: number;
    memoryMiB: number;
    memoryLimitMiB: number;
    scaling: KongValuesInput["scaling"];
    /** The role's security group, given to its pods (SecurityGroupPolicy). */
    podSecurityGroupId: pulumi.Input<string>;
    /** The nodes' security group: CoreDNS runs there, kubelet probes come from there. */
    nodeSecurityGroupId: pulumi.Input<string>;
    /** VPC CIDR: the ALB's nodes (proxy) and kubelets (probes) reach pods from it. */
    vpcCidr: string;
    /** CP only: DP namespaces that may reach 8005 and 8001. @default [] */
    dataPlaneNamespaces?: string[];
    /** Public DP only: the ALB target group the pods join as IP targets. @default none */
    targetGroupArn?: pulumi.Input<string>;
    /** Controllers, CRDs, issuer and store that must exist first (ClusterAddons.ready). @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** @default {} */
    tags?: Record<string, string>;
}

/** The image a role runs: kong.image, or one built FROM it (the plugin image), which must be the same Kong. */
export function imageToRun(kong: KongImage, image: string): KongImage {
    if (image === kong.image) return kong;
    const run = kongImage(image);
    if (run.version !== kong.version || run.edition !== kong.edition) {
        throw new Error(`KongRelease: image ${image} runs ${run.edition} Kong ${run.version}, but the role is configured for ${kong.image} (${kong.edition} ${kong.version})`);
    }
    return run;
}

// ── Kubernetes objects, as pure builders (tests validate them against their schemas) ────────

export function namespaceObject(namespace: string, role: KongSettings["role"]) {
    return { apiVersion: "v1" as const, kind: "Namespace" as const, metadata: { name: namespace, labels: { "kong-hybrid/role": role === "control_plane" ? "control-plane" : "data-plane" } } };
}

export function tlsSecretObject(name: string, namespace: string, pem: { cert: string; key: string; ca: string }) {
    return { apiVersion: "v1" as const, kind: "Secret" as const, type: "kubernetes.io/tls", metadata: { name, namespace }, stringData: { "tls.crt": pem.cert, "tls.key": pem.key, "ca.crt": pem.ca } };
}

/**
 * The role's certificate from the ACM Private CA: ECDSA P-384 like the self-managed CA, a new key
 * on each renewal, client auth for DPs and server auth for the CP's cluster_server_name.
 * aws-privateca-issuer picks the PCA template from the usages and puts the root in ca.crt.
 */
export function certificateObject(name: string, namespace: string, role: KongSettings["role"], tls: Extract<ClusterTlsSource, { mode: "acm-pca" }>) {
    const spec = leafSpecs(tls.controlPlaneHostname)[role === "control_plane" ? "controlPlane" : "dataPlane"];
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name, namespace },
        spec: {
            secretName: name,
            commonName: spec.commonName,
            ...(spec.dnsNames.length > 0 ? { dnsNames: spec.dnsNames } : {}),
            duration: tls.duration ?? "2160h",
            renewBefore: tls.renewBefore ?? "360h",
            // Exactly these lists select the PCA templates EndEntityCertificate/V1 and EndEntityClientAuthCertificate/V1
            // (https://github.com/cert-manager/aws-privateca-issuer/blob/main/pkg/aws/pca.go, buildTemplateArn).
            usages: role === "control_plane" ? ["server auth", "client auth"] : ["client auth"],
            privateKey: { algorithm: "ECDSA", size: 384, rotationPolicy: "Always" },
            issuerRef: { group: "awspca.cert-manager.io", kind: "AWSPCAClusterIssuer", name: tls.issuerName },
        },
    };
}

export function externalSecretObject(s: { name: string; secretArn: string; data: SyncedSecret["data"] }, namespace: string) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: s.name, namespace },
        spec: {
            // Rotated secrets arrive within the hour; Reloader then restarts Kong (it reads env at start).
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: SECRET_STORE_NAME },
            target: { name: s.name, creationPolicy: "Owner" },
            data: s.data.map(d => ({ secretKey: d.secretKey, remoteRef: { key: s.secretArn, ...(d.property ? { property: d.property } : {}) } })),
        },
    };
}

/** Security groups for pods: the role's pods (and its migration jobs) get the role's security group. */
export function securityGroupPolicyObject(release: string, namespace: string, groupId: string) {
    return {
        apiVersion: "vpcresources.k8s.aws/v1beta1",
        kind: "SecurityGroupPolicy",
        metadata: { name: release, namespace },
        spec: { podSelector: podSelector(release), securityGroups: { groupIds: [groupId] } },
    };
}

/** The ALB's target group gets the DP pods' IPs on the proxy port; no `networking`: the SG rules are ours. */
export function targetGroupBindingObject(release: string, namespace: string, targetGroupArn: string) {
    return {
        apiVersion: "elbv2.k8s.aws/v1beta1",
        kind: "TargetGroupBinding",
        metadata: { name: release, namespace },
        spec: { serviceRef: { name: `${release}-kong-proxy`, port: PORTS.proxy }, targetGroupARN: targetGroupArn, targetType: "ip" },
    };
}

const tcp = (port: number) => ({ protocol: "TCP", port });

/**
 * Defence in depth behind the security groups (enforced only with vpc-cni's enableNetworkPolicy):
 * deny all ingress in the namespace, then allow what the SG table allows. CP: 8005/8001 from the
 * DP namespaces only; kubelet probes (8100) from the VPC. DP: proxy and status from the VPC (ALB).
 */
export function networkPolicyObjects(role: KongSettings["role"], release: string, namespace: string, vpcCidr: string, dataPlaneNamespaces: string[]) {
    const denyAll = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
    const fromVpc = { ipBlock: { cidr: vpcCidr } };
    const ingress = role === "control_plane"
        ? [
            ...(dataPlaneNamespaces.length > 0 ? [{
                from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...dataPlaneNamespaces].sort() }] } }],
                ports: [tcp(PORTS.cluster), tcp(PORTS.admin)],
            }] : []),
            { from: [fromVpc], ports: [tcp(PORTS.status)] },
        ]
        : [{ from: [fromVpc], ports: [tcp(PORTS.proxy), tcp(PORTS.status)] }];
    const allow = {
        apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
        metadata: { name: `${release}-ingress`, namespace },
        spec: { podSelector: podSelector(release), policyTypes: ["Ingress"], ingress },
    };
    return [denyAll, allow];
}

/** The Secrets Manager source → Secret key mapping for the settings, from the synced secrets (resolved ARNs). */
export function syncedKeyRefs(synced: { name: string; secretArn: string; data: SyncedSecret["data"] }[]) {
    return (key: string, source: SecretsManagerSource): KubeSecretKeyRef => {
        for (const s of synced) {
            if (s.secretArn !== source.arn) continue;
            const d = s.data.find(x => x.property === source.jsonKey);
            if (d) return { name: s.name, key: d.secretKey };
        }
        throw new Error(`KongRelease: setting ${key} reads ${source.arn}${source.jsonKey ? ` (${source.jsonKey})` : ""}, which no syncedSecrets entry copies into the cluster`);
    };
}

export const LICENCE_SECRET_NAME = "kong-enterprise-license";

// ── The component ───────────────────────────────────────────────────────────────────────────

export class KongRelease extends pulumi.ComponentResource {
    public readonly namespace: string;
    public readonly releaseName: string;
    /** The values given to the chart (for inspection and tests). */
    public readonly values: pulumi.Output<KongChartValues>;
    public readonly releaseStatus: pulumi.Output<unknown>;

    constructor(name: string, args: KongReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:eks:KongRelease", name, {}, opts);
        const cp = args.role === "control_plane";
        const namespace = namespaceOf(args.role, args.group);
        const release = releaseNameOf(args.role, args.group);
        if (cp && args.targetGroupArn) throw new Error("KongRelease: the Control Plane serves no proxy traffic; targetGroupArn is for public Data Plane groups");
        if (!cp && (args.dataPlaneNamespaces ?? []).length > 0) throw new Error("KongRelease: dataPlaneNamespaces is for the Control Plane");
        if (args.licenceSecretArn && args.kong.edition !== "enterprise") throw new Error(`KongRelease: licenceSecretArn given for open-source ${args.kong.image}`);
        const tags = args.tags ?? {};
        const k8sOpts = (dependsOn: pulumi.Input<pulumi.Resource>[] = []) => ({ parent: this, provider: args.provider, dependsOn });
        const tlsSecretName = `${release}-cluster-tls`;

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, namespaceObject(namespace, args.role), k8sOpts());
        const inNamespace = k8sOpts([ns]);

        // Cluster certificate: from the given PEMs, or issued and renewed in the cluster.
        let tlsResource: pulumi.Resource;
        let podAnnotations: pulumi.Output<Record<string, string>>;
        if (args.clusterTls.mode === "self-managed") {
            const t = args.clusterTls;
            const pem = pulumi.all([t.certificatePem, t.privateKeyPem, t.caCertificatePem]);
            // Over the public certificate and CA only: the values stay non-secret and readable in diffs.
            const pub = pulumi.all([t.certificatePem, t.caCertificatePem]);
            const doc = tlsSecretObject(tlsSecretName, namespace, { cert: "", key: "", ca: "" });
            tlsResource = new k8s.core.v1.Secret(`${name}-cluster-tls`, {
                ...doc,
                stringData: pulumi.secret(pem.apply(([cert, key, ca]) => tlsSecretObject(tlsSecretName, namespace, { cert, key, ca }).stringData)),
            }, inNamespace);
            // Pulumi renews these certificates: a new one changes the pod template, so the pods roll.
            podAnnotations = pub.apply(([cert, ca]) => certificateChecksumAnnotation(cert, ca));
        } else {
            tlsResource = new k8s.apiextensions.CustomResource(`${name}-cluster-cert`,
                certificateObject(tlsSecretName, namespace, args.role, args.clusterTls), k8sOpts([ns, ...(args.dependsOn ?? [])]));
            podAnnotations = pulumi.output<Record<string, string>>({});
        }

        const synced: SyncedSecret[] = [
            ...(args.syncedSecrets ?? []),
            ...(args.licenceSecretArn ? [{ name: LICENCE_SECRET_NAME, secretArn: args.licenceSecretArn, data: [{ secretKey: "license" }] }] : []),
        ];
        const names = synced.map(s => s.name);
        if (new Set(names).size !== names.length || names.includes(tlsSecretName)) throw new Error(`KongRelease: synced Secret names must be unique and not ${tlsSecretName}: ${names.join(", ")}`);
        const resolvedSynced = pulumi.all(synced.map(s => pulumi.output(s.secretArn).apply(secretArn => ({ name: s.name, secretArn, data: s.data }))));
        const externalSecrets = synced.map((s, i) => new k8s.apiextensions.CustomResource(`${name}-${s.name}`, {
            ...externalSecretObject({ ...s, secretArn: "" }, namespace),
            spec: resolvedSynced.apply(all => externalSecretObject(all[i], namespace).spec),
        }, k8sOpts([ns, ...(args.dependsOn ?? [])])));

        // Security groups for pods, and the arrows every pod SG needs to the nodes.
        const sgp = new k8s.apiextensions.CustomResource(`${name}-pod-sg`, {
            ...securityGroupPolicyObject(release, namespace, ""),
            spec: pulumi.output(args.podSecurityGroupId).apply(id => securityGroupPolicyObject(release, namespace, id).spec),
        }, k8sOpts([ns, ...(args.dependsOn ?? [])]));
        drawPodNodeArrows(name, args.podSecurityGroupId, args.nodeSecurityGroupId, tags, { parent: this });

        const netpols = networkPolicyObjects(args.role, release, namespace, args.vpcCidr, args.dataPlaneNamespaces ?? [])
            .map(p => new k8s.networking.v1.NetworkPolicy(`${name}-${p.metadata.name}`, p as any, inNamespace));

        this.values = pulumi.all([args.settings, resolvedSynced, podAnnotations, args.image ?? args.kong.image]).apply(([settings, resolved, annotations, image]) => kongChartValues({
            releaseName: release,
            settings: forKubernetes(settings, { clusterTlsSecretName: tlsSecretName, secretKeyRef: syncedKeyRefs(resolved), plain: args.settingsOverrides }),
            kong: imageToRun(args.kong, image),
            clusterTlsSecretName: tlsSecretName,
            licenceSecretName: args.licenceSecretArn ? LICENCE_SECRET_NAME : undefined,
            cpuMillis: args.cpuMillis, memoryMiB: args.memoryMiB, memoryLimitMiB: args.memoryLimitMiB,
            scaling: args.scaling,
            podAnnotations: annotations,
            deploymentAnnotations: { [RELOADER_ANNOTATION]: [tlsSecretName, ...names].join(",") },
        }));

        const helmRelease = new k8s.helm.v3.Release(`${name}-release`, {
            name: release,
            namespace,
            chart: KONG_CHART.chart,
            version: KONG_CHART.version,
            repositoryOpts: { repo: KONG_CHART.repo },
            values: this.values,
            // The chart ships KIC's CRDs; the ingress controller is off.
            skipCrds: true,
            // Wait for ready pods and for the migrations jobs (bootstrap on install, up/finish on upgrade).
            skipAwait: false,
            waitForJobs: true,
            timeout: 900,
            maxHistory: 10,
        }, k8sOpts([ns, tlsResource, sgp, ...externalSecrets, ...netpols, ...(args.dependsOn ?? [])]));

        if (args.targetGroupArn) {
            new k8s.apiextensions.CustomResource(`${name}-target-group`, {
                ...targetGroupBindingObject(release, namespace, ""),
                spec: pulumi.output(args.targetGroupArn).apply(arn => targetGroupBindingObject(release, namespace, arn).spec),
            }, k8sOpts([helmRelease]));
        }

        this.namespace = namespace;
        this.releaseName = release;
        this.releaseStatus = helmRelease.status;
        this.registerOutputs({ namespace, releaseName: release });
    }
}

/**
 * A pod with its own security group leaves the node's: it needs CoreDNS (on the nodes) and must
 * accept the kubelet's probes on the status port.
 */
export function drawPodNodeArrows(name: string, podSg: pulumi.Input<string>, nodeSg: pulumi.Input<string>, tags: Record<string, string>, opts: pulumi.CustomResourceOptions): void {
    const arrow = (suffix: string, from: pulumi.Input<string>, to: pulumi.Input<string>, protocol: "tcp" | "udp", port: number, description: string) => {
        const rule = { ipProtocol: protocol, fromPort: port, toPort: port, description, tags };
        new aws.vpc.SecurityGroupEgressRule(`${name}-${suffix}-egress`, { ...rule, securityGroupId: from, referencedSecurityGroupId: to }, opts);
        new aws.vpc.SecurityGroupIngressRule(`${name}-${suffix}-ingress`, { ...rule, securityGroupId: to, referencedSecurityGroupId: from }, opts);
    };
    arrow("dns-udp", podSg, nodeSg, "udp", 53, "Kong pods to CoreDNS");
    arrow("dns-tcp", podSg, nodeSg, "tcp", 53, "Kong pods to CoreDNS (large answers)");
    arrow("probes", nodeSg, podSg, "tcp", PORTS.status, "Kubelet readiness and liveness probes to Kong status");
}
