import * as pulumi from "@pulumi/pulumi";
import type { KongImage } from "./kong/image";

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

/** What a Data Plane group needs from the Control Plane. */
export interface ControlPlaneEndpoint {
    /** Private DNS name of the CP (Cloud Map), also the SAN of its certificate: cp.kong-dev.internal. */
    hostname: string;
    /** The CP's security group: each DP group opens 8001 and 8005 on it from its own SG. */
    securityGroupId: pulumi.Input<string>;
    /** The Kong the CP runs: a DP may lag it by minor versions, never lead it. */
    kong: KongImage;
}
