import * as pulumi from "@pulumi/pulumi";
import { kongImage, type KongImage } from "./kong/image";

// What components hand each other. Plain interfaces, so a DP group can be wired to a CP in this
// stack, in another stack (StackReference outputs), or on another runtime, without knowing how
// the other side is built.

/** The network a component deploys into (the Vpc component provides it). */
export interface NetworkRefs {
    vpcId: pulumi.Input<string>;
    /** The VPC's IPv4 block, known at plan time (DPs trust X-Forwarded-For only from it). */
    vpcCidr: string;
    /** Internet-facing load balancers and NAT. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Kong tasks: egress through NAT, no inbound from the internet. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Aurora: no route to the internet at all. */
    isolatedSubnetIds: pulumi.Input<string>[];
}

/** A Secrets Manager secret holding a role's cluster TLS material as JSON {cert, key, ca} (PEM). */
export interface ClusterTlsRefs {
    /** Resolves only once the secret holds its value, so a task definition using it cannot start too early. */
    secretArn: pulumi.Output<string>;
    /**
     * The secret version holding the current certificate. Pin it in the ECS `valueFrom`
     * (SecretRef.versionId in components/ecs/kong-env.ts): a renewed certificate is a new version, so the task definition
     * changes and ECS rolls the tasks.
     */
    versionId?: pulumi.Output<string>;
}

/** The CA side of CP/DP mTLS (cluster_mtls = pki), as the PrivateCa component outputs it. */
export interface ClusterPki {
    /** The CA certificate in PEM: public, goes into the DP trust store. */
    caCertificatePem: pulumi.Output<string>;
    controlPlaneTls: ClusterTlsRefs;
    dataPlaneTls: ClusterTlsRefs;
    /** The KMS key that encrypts the TLS secrets: readers need kms:Decrypt on it. */
    kmsKeyArn: pulumi.Output<string>;
    /** The ACM Private CA (acm-pca mode only): a DP stack elsewhere can have it issue more certificates. */
    caArn?: pulumi.Output<string>;
}

/**
 * What a Data Plane group needs from the Control Plane, wherever the CP comes from: this stack's
 * ControlPlane (ControlPlane.contract), another stack's outputs (controlPlaneContractFromOutputs),
 * or later Konnect (its cluster and telemetry endpoints and its CA).
 */
export interface ControlPlaneContract {
    /** host:port the DPs dial (cluster_control_plane): cp.kong-dev.internal:8005. */
    clusterAddress: string;
    /** The name the CP's certificate carries (cluster_server_name, the SNI). */
    serverName: string;
    /** host:port of the Enterprise telemetry listener, when the CP serves one. @default none */
    telemetryAddress?: string;
    /** The Kong the CP runs: a DP may lag it by minor versions, never lead it. */
    kong: KongImage;
    /** The CA the CP's certificate chains to (PEM): what a DP outside this stack must trust. */
    caCertificatePem: pulumi.Input<string>;
    /** The CP's security group, only when the CP is in the same network: the DP arrows end on it. */
    securityGroupId?: pulumi.Input<string>;
}

/** The stack outputs a CP stack exports for DP stacks elsewhere (stacks/program.ts). */
export const CONTROL_PLANE_OUTPUTS = ["clusterEndpoint", "controlPlaneHostname", "controlPlaneKongImage", "caCertificatePem"] as const;

/**
 * The contract from another stack's outputs (StackReference.getOutputDetails values, or
 * `pulumi stack output --json`). `sameNetwork` takes the CP's security group too (a DP stack in the
 * CP's VPC); otherwise the DP reaches the CP through whatever connects the networks. Throws one line
 * naming the missing or malformed output.
 */
export function controlPlaneContractFromOutputs(outputs: Record<string, unknown>, opts: { sameNetwork?: boolean } = {}): ControlPlaneContract {
    const text = (key: string): string => {
        const v = outputs[key];
        if (typeof v !== "string" || v === "") throw new Error(`control plane stack output ${key}: ${v === undefined ? "missing" : JSON.stringify(v)}; expected a non-empty string`);
        return v;
    };
    const clusterAddress = text("clusterEndpoint");
    if (!/^[A-Za-z0-9.-]+:\d+$/.test(clusterAddress)) throw new Error(`control plane stack output clusterEndpoint: ${JSON.stringify(clusterAddress)}; expected host:port`);
    return {
        clusterAddress,
        serverName: text("controlPlaneHostname"),
        kong: kongImage(text("controlPlaneKongImage")),
        caCertificatePem: text("caCertificatePem"),
        ...(opts.sameNetwork ? { securityGroupId: text("controlPlaneSecurityGroupId") } : {}),
    };
}
