import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTROLLERS } from "./cluster";

// The in-cluster controllers Kong relies on, as Helm releases with pinned charts and explicit
// names: the AWS Load Balancer Controller (TargetGroupBinding), cert-manager with its CRDs and
// aws-privateca-issuer (cluster certificates from ACM Private CA), External Secrets (Secrets
// Manager → Kubernetes Secrets), Reloader (restarts Kong when a Secret it reads changes) and
// metrics-server (CPU metrics for the DPs' HPA).
//
// Why External Secrets and not the Secrets Store CSI driver: Kong's chart takes secrets as env
// `valueFrom.secretKeyRef` (and its licence as a Secret name), so a Kubernetes Secret is what
// Kong needs; the CSI driver mounts files and makes Secrets only as a side effect of a pod mount.
// ESO's Pod Identity works through the controller's own service account only
// (https://github.com/external-secrets/external-secrets/issues/2951), so the store is a
// ClusterSecretStore limited to Kong's namespaces, and the role reads exactly the listed secrets.

export interface ChartPin {
    chart: string;
    version: string;
    repo: string;
    /** Release name and namespace: fixed, so Service and webhook names never change. */
    name: string;
    namespace: string;
}

/** Every chart, pinned. Upgrading one is a reviewed change to this table. */
export const CHARTS = {
    loadBalancerController: { chart: "aws-load-balancer-controller", version: "1.13.4", repo: "https://aws.github.io/eks-charts", name: "aws-load-balancer-controller", namespace: CONTROLLERS.loadBalancerController.namespace },
    certManager: { chart: "cert-manager", version: "v1.18.2", repo: "https://charts.jetstack.io", name: "cert-manager", namespace: "cert-manager" },
    privateCaIssuer: { chart: "aws-privateca-issuer", version: "v1.9.1", repo: "https://cert-manager.github.io/aws-privateca-issuer", name: "aws-privateca-issuer", namespace: CONTROLLERS.privateCaIssuer.namespace },
    externalSecrets: { chart: "external-secrets", version: "0.19.2", repo: "https://charts.external-secrets.io", name: "external-secrets", namespace: CONTROLLERS.externalSecrets.namespace },
    // The HPA's CPU metric comes from the metrics API; EKS does not serve it without this.
    metricsServer: { chart: "metrics-server", version: "3.13.0", repo: "https://kubernetes-sigs.github.io/metrics-server/", name: "metrics-server", namespace: "kube-system" },
    reloader: { chart: "reloader", version: "2.2.2", repo: "https://stakater.github.io/stakater-charts", name: "reloader", namespace: "reloader" },
} as const satisfies Record<string, ChartPin>;

/** The AWSPCAClusterIssuer's name; Certificates in kong-release.ts reference it. */
export const PCA_ISSUER_NAME = "kong-pca";
/** The ClusterSecretStore's name; ExternalSecrets in kong-release.ts reference it. */
export const SECRET_STORE_NAME = "aws-secrets-manager";

/** Values per chart (pure, for tests): service accounts match the Pod Identity associations. */
export function addonValues(c: { clusterName: string; region: string; vpcId: string }) {
    return {
        loadBalancerController: {
            clusterName: c.clusterName,
            // IMDS is closed to pods (hop limit 1): give the controller what it would look up there.
            region: c.region,
            vpcId: c.vpcId,
            replicaCount: 2,
            serviceAccount: { create: true, name: CONTROLLERS.loadBalancerController.serviceAccount },
            // Only TargetGroupBinding: no IngressClass, no webhook turning Services into NLBs.
            createIngressClassResource: false,
            enableServiceMutatorWebhook: false,
        },
        certManager: {
            // crds.enabled replaces the deprecated installCRDs; keep them on uninstall (Certificates survive).
            crds: { enabled: true, keep: true },
        },
        privateCaIssuer: {
            serviceAccount: { create: true, name: CONTROLLERS.privateCaIssuer.serviceAccount },
        },
        externalSecrets: {
            installCRDs: true,
            serviceAccount: { create: true, name: CONTROLLERS.externalSecrets.serviceAccount },
        },
        metricsServer: {
            replicas: 2,
        },
        reloader: {
            // Annotate the pod template instead of adding env vars the next helm upgrade would fight.
            reloader: { reloadStrategy: "annotations" },
        },
    };
}

/** The cluster-scoped issuer signing with one ACM Private CA (awspca.cert-manager.io/v1beta1). */
export function pcaClusterIssuer(caArn: string, region: string) {
    return { apiVersion: "awspca.cert-manager.io/v1beta1", kind: "AWSPCAClusterIssuer", metadata: { name: PCA_ISSUER_NAME }, spec: { arn: caArn, region } };
}

/** The store External Secrets reads Secrets Manager through, usable only from Kong's namespaces. */
export function secretStore(region: string, namespaces: string[]) {
    if (namespaces.length === 0) throw new Error("ClusterAddons: kongNamespaces is []; the secret store would serve no namespace");
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: SECRET_STORE_NAME },
        // No auth block: the controller's own Pod Identity role.
        spec: { provider: { aws: { service: "SecretsManager", region } }, conditions: [{ namespaces: [...namespaces].sort() }] },
    };
}

export interface ClusterAddonsArgs {
    clusterName: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    region: pulumi.Input<string>;
    provider: k8s.Provider;
    /** The cluster's add-ons and node groups (EksCluster.ready). */
    clusterReady: pulumi.Input<pulumi.Resource>[];
    /** Install the Load Balancer Controller (public DP groups on EKS). @default true */
    loadBalancerController?: boolean;
    /** The ACM Private CA for cluster certificates; without it no issuer is installed. @default none */
    privateCaArn?: pulumi.Input<string>;
    /** Namespaces that may read the secret store (kong and each kong-dp-<group>). */
    kongNamespaces: string[];
}

export class ClusterAddons extends pulumi.ComponentResource {
    /** What Kong releases must wait for (CRDs, webhooks, issuer, store). */
    public readonly ready: pulumi.Resource[];
    public readonly issuerName?: string;
    public readonly secretStoreName = SECRET_STORE_NAME;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:eks:ClusterAddons", name, {}, opts);
        const k8sOpts = (dependsOn: pulumi.Input<pulumi.Resource>[]) => ({ parent: this, provider: args.provider, dependsOn });
        const values = pulumi.all([args.clusterName, args.region, args.vpcId]).apply(([clusterName, region, vpcId]) => addonValues({ clusterName, region, vpcId }));
        const release = (key: keyof typeof CHARTS, deps: pulumi.Input<pulumi.Resource>[]) => {
            const c = CHARTS[key];
            return new k8s.helm.v3.Release(`${name}-${c.name}`, {
                name: c.name,
                namespace: c.namespace,
                createNamespace: c.namespace !== "kube-system",
                chart: c.chart,
                version: c.version,
                repositoryOpts: { repo: c.repo },
                values: values.apply(v => (v as Record<string, object>)[key]),
                // Wait until the controllers and their webhooks answer: the next releases use them.
                skipAwait: false,
                timeout: 600,
            }, k8sOpts(deps));
        };
        const ready: pulumi.Resource[] = [];
        const certManager = release("certManager", args.clusterReady);
        const externalSecrets = release("externalSecrets", args.clusterReady);
        ready.push(certManager, externalSecrets, release("reloader", args.clusterReady), release("metricsServer", args.clusterReady));
        if (args.loadBalancerController ?? true) ready.push(release("loadBalancerController", args.clusterReady));

        if (args.privateCaArn) {
            const issuerRelease = release("privateCaIssuer", [certManager]);
            const doc = pcaClusterIssuer("", "");
            const issuer = new k8s.apiextensions.CustomResource(`${name}-pca-issuer`, {
                apiVersion: doc.apiVersion, kind: doc.kind, metadata: doc.metadata,
                spec: pulumi.all([args.privateCaArn, args.region]).apply(([ca, region]) => pcaClusterIssuer(ca, region).spec),
            }, k8sOpts([issuerRelease]));
            ready.push(issuerRelease, issuer);
            this.issuerName = PCA_ISSUER_NAME;
        }
        const storeDoc = secretStore("", args.kongNamespaces);
        const store = new k8s.apiextensions.CustomResource(`${name}-secret-store`, {
            apiVersion: storeDoc.apiVersion, kind: storeDoc.kind, metadata: storeDoc.metadata,
            spec: pulumi.output(args.region).apply(region => secretStore(region, args.kongNamespaces).spec),
        }, k8sOpts([externalSecrets]));
        ready.push(store);
        this.ready = ready;
        this.registerOutputs({});
    }
}
