import { forKubernetes, type KongValuesInput } from "../../components/eks/kong-values";
import { kongImage } from "../../components/kong/image";
import { controlPlaneSettings, dataPlaneSettings, type SecretsManagerSource } from "../../components/kong/settings";

// Per-role renderer inputs for the EKS tests, built from the same settings functions as ECS.

export const DB_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1111-AbCdEf";
export const TLS_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-tls-QwErTy";
export const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
export const IMAGES = { oss: "kong:3.9.3", enterprise: "kong/kong-gateway:3.15.0.4" } as const;

/** Secrets synced into the namespace: the RDS secret's two JSON keys as Secret `kong-cp-db`. */
export function syncedKeyRef(key: string, source: SecretsManagerSource) {
    if (source.arn !== DB_SECRET_ARN || !source.jsonKey) throw new Error(`no synced Secret for ${key} (${source.arn})`);
    return { name: "kong-cp-db", key: source.jsonKey };
}

export function controlPlaneInput(edition: keyof typeof IMAGES, cpuMillis = 1000): KongValuesInput {
    const settings = controlPlaneSettings({
        vcpus: cpuMillis / 1000,
        database: { host: "kong.cluster-c1.eu-west-1.rds.amazonaws.com", port: 5432, name: "kong", credentialsSecretArn: DB_SECRET_ARN },
    });
    return {
        releaseName: "kong-cp",
        settings: forKubernetes(settings, { clusterTlsSecretName: "kong-cp-cluster-tls", secretKeyRef: syncedKeyRef }),
        kong: kongImage(IMAGES[edition]),
        clusterTlsSecretName: "kong-cp-cluster-tls",
        licenceSecretName: edition === "enterprise" ? "kong-enterprise-license" : undefined,
        cpuMillis, memoryMiB: 1024, memoryLimitMiB: 2048,
        scaling: { replicas: 2 },
    };
}

export function dataPlaneInput(edition: keyof typeof IMAGES, cpuMillis = 2000): KongValuesInput {
    const settings = dataPlaneSettings({
        vcpus: cpuMillis / 1000,
        clusterAddress: "cp.kong-eks.internal:8005", serverName: "cp.kong-eks.internal",
        trustedIps: ["10.0.0.0/16"],
        workerShutdownTimeoutSeconds: 25,
    });
    return {
        releaseName: "kong-dp-public",
        settings: forKubernetes(settings, {
            clusterTlsSecretName: "kong-dp-public-cluster-tls",
            secretKeyRef: syncedKeyRef,
            plain: { cluster_control_plane: "kong-cp-kong-cluster.kong.svc.cluster.local:8005" },
        }),
        kong: kongImage(IMAGES[edition]),
        clusterTlsSecretName: "kong-dp-public-cluster-tls",
        licenceSecretName: edition === "enterprise" ? "kong-enterprise-license" : undefined,
        cpuMillis, memoryMiB: 1024, memoryLimitMiB: 1536,
        scaling: { minReplicas: 2, maxReplicas: 10, targetCpuPercent: 60 },
        podAnnotations: { "checksum/cluster-tls": "0".repeat(64) },
    };
}

