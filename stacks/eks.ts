import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneContract, NetworkRefs } from "../components/contracts";
import { DATABASE_NAME } from "../components/control-plane/database";
import type { Database } from "../components/database";
import type { Edge } from "../components/edge";
import { ClusterAddons } from "../components/eks/addons";
import { EksCluster } from "../components/eks/cluster";
import { controlPlaneClusterAddress, KongRelease, namespaceOf, type ClusterTlsSource } from "../components/eks/kong-release";
import { DataPlaneRedis } from "../components/eks/redis";
import type { PluginImageRef } from "../components/kong/plugins";
import { controlPlaneSettings, dataPlaneSettings } from "../components/kong/settings";
import { PORTS } from "../components/network/ports";
import type { PrivateCa } from "../components/private-ca";
import type { StackKey } from "../components/kms";
import type { Vpc } from "../components/vpc";
import type { StackConfig } from "./config";
import { createClusterPki, createDatabase } from "./control-plane";
import { createDataPlanes, EDGE_NAME, groupComponentName } from "./data-plane";
import { drawSecurityGroupTable, type GroupArrows, type SecurityGroupTable } from "./network";
import { createEksControlPlaneObservability } from "./observability";
import { platformOutputs } from "./outputs";
import { createPluginImage } from "./plugins";

// Config → the EKS runtime: the cluster and its controllers, Kong's CP release (controlPlaneRuntime
// eks) and one release per eks DP group, each role's pods in its own security group. The arrows
// between those groups are drawn by stacks/network.ts like the ECS ones; a public eks group joins
// the shared ALB through its own target group (the edge's, weighted), which the Load Balancer
// Controller fills with pod IPs (TargetGroupBinding).

/** The Secret the CP's database credentials are copied into (from the RDS managed secret). */
export const CP_DATABASE_SECRET = "kong-cp-db";

/** A CP on EKS before its release exists: its data, CA, pod security group and the contract the DPs read. */
export interface EksControlPlaneData {
    database: Database;
    pki: PrivateCa;
    hostname: string;
    podSecurityGroup: aws.ec2.SecurityGroup;
    contract: ControlPlaneContract;
}

/** The pods' security group of one role: no rules here; stacks/network.ts and KongRelease draw them. */
function newPodSecurityGroup(name: string, vpcId: pulumi.Input<string>, description: string, tags: Record<string, string>): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(name, { vpcId, description, tags: { ...tags, Name: name } });
}

/**
 * The CP's pod group and its contract: DPs dial the CP's cluster Service inside the cluster and
 * check the name its certificate carries (the same hostname as on ECS).
 */
export function eksControlPlaneData(cfg: StackConfig, a: { network: NetworkRefs; database: Database; pki: PrivateCa; hostname: string }): EksControlPlaneData {
    const podSecurityGroup = newPodSecurityGroup(`${cfg.name}-cp-pods`, a.network.vpcId, `Kong CP pods ${cfg.name} (security group for pods)`, { ...cfg.tags });
    return {
        ...a,
        podSecurityGroup,
        contract: {
            clusterAddress: controlPlaneClusterAddress(),
            serverName: a.hostname,
            kong: cfg.kong.controlPlane,
            caCertificatePem: a.pki.caCertificatePem,
            securityGroupId: podSecurityGroup.id,
        },
    };
}

export interface EksRuntimeArgs {
    network: NetworkRefs;
    kmsKeyArn: pulumi.Input<string>;
    region: string;
    pki: PrivateCa;
    /** The shared edge: a public eks group forwards from its target group. */
    edge: Edge;
    /** The CP: on EKS (its data and pod group), or elsewhere in the VPC (its contract). */
    controlPlane: { runtime: "eks"; data: EksControlPlaneData } | { runtime: "ecs"; contract: ControlPlaneContract };
    /** The stack's plugin image (kongPluginsDir): every Kong release runs it, the nodes may pull it. */
    pluginImage?: PluginImageRef;
}

export interface EksRuntime {
    cluster: EksCluster;
    addons: ClusterAddons;
    /** The CP's release (controlPlaneRuntime eks). */
    controlPlane?: KongRelease;
    /** Each eks DP group by component name (dp-public, ...). */
    groups: Record<string, KongRelease>;
    /** Each eks group's place in the security-group table. */
    arrows: GroupArrows[];
    /** The CP's row of the table (controlPlaneRuntime eks). */
    controlPlaneRow?: SecurityGroupTable["controlPlane"];
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** The cluster certificate of a role: PEMs of the PrivateCa (self-managed), or cert-manager with the PCA issuer. */
export function clusterTls(cfg: StackConfig, role: "controlPlane" | "dataPlane", pki: PrivateCa, hostname: string, issuerName?: string): ClusterTlsSource {
    if (cfg.ca.mode === "acm-pca") {
        if (!issuerName) throw new Error("EKS runtime: acm-pca mode without the AWSPCAClusterIssuer");
        return { mode: "acm-pca", issuerName, controlPlaneHostname: hostname };
    }
    return {
        mode: "self-managed",
        certificatePem: role === "controlPlane" ? pki.controlPlaneCertificatePem : pki.dataPlaneCertificatePem,
        privateKeyPem: role === "controlPlane" ? pki.controlPlanePrivateKeyPem : pki.dataPlanePrivateKeyPem,
        caCertificatePem: pki.caCertificatePem,
    };
}

export function createEksRuntime(cfg: StackConfig, a: EksRuntimeArgs): EksRuntime {
    if (!cfg.eks) throw new Error("createEksRuntime: the stack config has no EKS settings");
    const tags = { ...cfg.tags };
    const eksGroups = cfg.dataPlanes.filter(g => g.runtime === "eks");
    const cpOnEks = a.controlPlane.runtime === "eks" ? a.controlPlane.data : undefined;
    const contract = cpOnEks ? cpOnEks.contract : (a.controlPlane as { contract: ControlPlaneContract }).contract;
    const hostname = contract.serverName;
    const targetGroupOf = (g: (typeof eksGroups)[number]) => a.edge.targetGroups[groupComponentName(g)].arn;
    // Only Enterprise images read a licence; the chart refuses one for open-source Kong.
    const licence = (kong: typeof cfg.kong.controlPlane) => (kong.edition === "enterprise" ? cfg.kong.licenseSecretArn : undefined);
    const licences = [cpOnEks ? licence(cfg.kong.controlPlane) : undefined, ...eksGroups.map(g => licence(g.kong))].filter((x): x is string => !!x);

    const cluster = new EksCluster(`${cfg.name}-eks`, {
        network: a.network,
        kmsKeyArn: a.kmsKeyArn,
        publicAccessCidrs: [...cfg.eks.publicAccessCidrs],
        adminPrincipalArns: [...cfg.eks.adminPrincipalArns],
        nodeGroups: [cfg.eks.nodeGroup],
        imageRepositoryArns: a.pluginImage ? [a.pluginImage.repositoryArn] : [],
        targetGroupArns: eksGroups.filter(g => g.exposure === "public").map(targetGroupOf),
        privateCaArn: cfg.ca.mode === "acm-pca" ? a.pki.caArn : undefined,
        // External Secrets reads exactly these: the CP's Aurora credentials and the licence.
        syncedSecretArns: [...(cpOnEks ? [cpOnEks.database.masterSecretArn] : []), ...new Set(licences)],
        logRetentionDays: cfg.logs.retentionDays,
        production: cfg.production,
        tags,
    });
    const namespaces = [...(cpOnEks ? [namespaceOf("control_plane")] : []), ...eksGroups.map(g => namespaceOf("data_plane", g.name))];
    const addons = new ClusterAddons(`${cfg.name}-eks`, {
        clusterName: cluster.clusterName,
        vpcId: a.network.vpcId,
        region: a.region,
        provider: cluster.provider,
        clusterReady: cluster.ready,
        loadBalancerController: eksGroups.some(g => g.exposure === "public"),
        privateCaArn: cfg.ca.mode === "acm-pca" ? a.pki.caArn : undefined,
        kongNamespaces: namespaces,
    });
    // With plugins, every release runs the plugin image (built FROM its kong image) and names them in `plugins`.
    const customPlugins = a.pluginImage?.pluginNames;
    const common = {
        image: a.pluginImage?.imageRef,
        provider: cluster.provider,
        nodeSecurityGroupId: cluster.nodeSecurityGroupId,
        vpcCidr: a.network.vpcCidr,
        dependsOn: addons.ready,
        tags,
    };

    let controlPlane: KongRelease | undefined;
    let controlPlaneRow: SecurityGroupTable["controlPlane"];
    if (cpOnEks) {
        const cp = cfg.eks.controlPlane;
        const db = cpOnEks.database;
        controlPlane = new KongRelease(`${cfg.name}-cp`, {
            ...common,
            role: "control_plane",
            kong: cfg.kong.controlPlane,
            settings: pulumi.all([db.endpoint, db.masterSecretArn]).apply(([host, credentialsSecretArn]) => controlPlaneSettings({
                vcpus: cp.cpuMillis / 1000,
                database: { host, port: PORTS.postgres, name: DATABASE_NAME, credentialsSecretArn },
                customPlugins,
            })),
            syncedSecrets: [{ name: CP_DATABASE_SECRET, secretArn: db.masterSecretArn, data: [{ secretKey: "username", property: "username" }, { secretKey: "password", property: "password" }] }],
            licenceSecretArn: licence(cfg.kong.controlPlane),
            clusterTls: clusterTls(cfg, "controlPlane", a.pki, hostname, addons.issuerName),
            cpuMillis: cp.cpuMillis, memoryMiB: cp.memoryMiB, memoryLimitMiB: cp.memoryLimitMiB,
            scaling: { replicas: cp.replicas },
            podSecurityGroupId: cpOnEks.podSecurityGroup.id,
            dataPlaneNamespaces: eksGroups.map(g => namespaceOf("data_plane", g.name)),
        });
        controlPlaneRow = {
            name: `${cfg.name}-cp`, component: controlPlane,
            securityGroupId: cpOnEks.podSecurityGroup.id, databaseSecurityGroupId: db.securityGroupId, httpsEgress: false,
        };
    }

    const groups: Record<string, KongRelease> = {};
    const arrows: GroupArrows[] = [];
    for (const g of eksGroups) {
        const name = groupComponentName(g);
        const sizing = g.eks!;
        const pods = newPodSecurityGroup(`${name}-pods`, a.network.vpcId, `Kong DP group ${g.name} pods (security group for pods)`, tags);
        const release = new KongRelease(name, {
            ...common,
            role: "data_plane",
            group: g.name,
            kong: g.kong,
            settings: dataPlaneSettings({
                vcpus: sizing.cpuMillis / 1000,
                clusterAddress: contract.clusterAddress,
                serverName: contract.serverName,
                // The ALB's nodes sit in the VPC: only they may set X-Forwarded-For.
                trustedIps: [a.network.vpcCidr],
                customPlugins,
            }),
            licenceSecretArn: licence(g.kong),
            clusterTls: clusterTls(cfg, "dataPlane", a.pki, hostname, addons.issuerName),
            cpuMillis: sizing.cpuMillis, memoryMiB: sizing.memoryMiB, memoryLimitMiB: sizing.memoryLimitMiB,
            scaling: { minReplicas: g.minCount, maxReplicas: g.maxCount, targetCpuPercent: sizing.targetCpuPercent },
            podSecurityGroupId: pods.id,
            targetGroupArn: targetGroupOf(g),
        });
        groups[name] = release;
        arrows.push({
            name, component: release, securityGroupId: pods.id, loadBalancer: { kind: "edge" },
            upstreamEgressCidrs: cfg.dataPlane.upstreamEgressCidrs, upstreamEgressPorts: cfg.dataPlane.upstreamEgressPorts,
        });
    }

    return {
        cluster, addons, controlPlane, groups, arrows, controlPlaneRow,
        outputs: {
            eksClusterName: cluster.clusterName,
            eksKubeconfigCommand: pulumi.interpolate`aws eks update-kubeconfig --region ${a.region} --name ${cluster.clusterName}`,
        },
    };
}

/** The optional Redis for DP plugins, reachable from every DP group's security group (ECS tasks and EKS pods). */
export function createDataPlaneRedis(cfg: StackConfig, a: { network: NetworkRefs; kmsKeyArn: pulumi.Input<string>; groups: readonly GroupArrows[] }): Record<string, pulumi.Input<unknown>> {
    if (!cfg.redis) return {};
    const redis = new DataPlaneRedis(`${cfg.name}-redis`, {
        vpcId: a.network.vpcId,
        subnetIds: a.network.isolatedSubnetIds,
        kmsKeyArn: a.kmsKeyArn,
        dataPlaneSecurityGroupIds: a.groups.map(g => g.securityGroupId),
        nodes: cfg.redis.nodes,
        nodeType: cfg.redis.nodeType,
        production: cfg.production,
        tags: { ...cfg.tags },
    });
    return { redisHost: redis.endpoint.host, redisPort: redis.endpoint.port, redisAuthTokenSecretArn: redis.endpoint.authTokenSecretArn };
}

/**
 * The workshop topology: the CP and every DP group as Kong releases on one EKS cluster, Aurora
 * still the CP's database, the groups behind the same shared ALB as on ECS.
 */
export function buildEksControlPlaneStack(cfg: StackConfig, p: { key: StackKey; vpc: Vpc; availabilityZones: string[] }): Record<string, pulumi.Input<unknown>> {
    const { key, vpc } = p;
    const { hostname, pki } = createClusterPki(cfg, key.arn);
    const database = createDatabase(cfg, { network: vpc.refs, kmsKeyArn: key.arn, availabilityZones: p.availabilityZones });
    const cpData = eksControlPlaneData(cfg, { network: vpc.refs, database, pki, hostname });
    // The edge only: every group is an EKS group.
    const dp = createDataPlanes(cfg, {
        network: vpc.refs, kmsKeyArn: key.arn, accountId: aws.getCallerIdentityOutput().accountId,
    }, cpData.contract, pki);
    const eks = createEksRuntime(cfg, {
        network: vpc.refs, kmsKeyArn: key.arn, region: cfg.region, pki, edge: dp.edge, controlPlane: { runtime: "eks", data: cpData },
        pluginImage: createPluginImage(cfg, key.arn),
    });
    drawSecurityGroupTable({
        vpcCidr: cfg.network.vpcCidr,
        edge: { name: EDGE_NAME, securityGroupId: dp.edge.securityGroupId, httpRedirect: cfg.edge.httpRedirect },
        groups: eks.arrows,
        controlPlane: eks.controlPlaneRow,
        tags: { ...cfg.tags },
    });
    // The same watch as an ECS stack's (topic, DP/Aurora/certificate/WAF alarms, dashboard); the
    // CP is watched through its Aurora connections (stacks/observability.ts).
    const watch = createEksControlPlaneObservability(cfg, { kmsKeyArn: key.arn, database, dataPlanes: dp });
    // No adminApiUrl/adminKeyCommand: the ECS CP's admin bootstrap (decK, key-auth on /kong-admin)
    // has no EKS counterpart yet; the Admin API is a ClusterIP Service (kubectl port-forward).
    const { adminApiUrl: _admin, ...edgeOutputs } = dp.outputs;
    return {
        ...platformOutputs(cfg, vpc, key),
        controlPlaneHostname: hostname,
        clusterEndpoint: cpData.contract.clusterAddress,
        controlPlaneKongImage: cfg.kong.controlPlane.image,
        controlPlaneSecurityGroupId: cpData.podSecurityGroup.id,
        databaseEndpoint: database.endpoint,
        caCertificatePem: pki.caCertificatePem,
        ...(pki.caArn ? { caArn: pki.caArn } : {}),
        ...edgeOutputs,
        alarmTopicArn: watch.topicArn,
        dashboardName: watch.dashboardName,
        ...eks.outputs,
        ...createDataPlaneRedis(cfg, { network: vpc.refs, kmsKeyArn: key.arn, groups: eks.arrows }),
    };
}
