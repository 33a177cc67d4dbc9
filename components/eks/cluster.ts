import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs } from "../contracts";
import { ecrPullStatements, type PolicyDocument } from "../ecs/task-iam";
import { PORTS } from "../network/ports";

// An EKS cluster for Kong, from plain aws.eks/aws.iam/aws.ec2 resources rather than @pulumi/eks:
// eks.Cluster is a remote component (one opaque resource under mocks and to policies), it creates a
// cluster security group with all-protocol egress to 0.0.0.0/0 unless told not to, a default node
// group and an aws-auth ConfigMap, and its kubeconfig needs a CLI version check. Here every
// security-relevant piece (roles, security groups, access entries, encryption, add-ons, Pod
// Identity) is a resource the tests and the policy pack see. See components/eks/README.md.

/** Kubernetes version and managed add-on versions, pinned (aws eks describe-addon-versions --kubernetes-version 1.33). */
export const EKS_VERSIONS = {
    kubernetes: "1.33",
    addons: {
        "vpc-cni": "v1.20.0-eksbuild.1",
        "kube-proxy": "v1.33.0-eksbuild.2",
        coredns: "v1.12.1-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
    },
} as const;
export type AddonName = keyof typeof EKS_VERSIONS.addons;

/**
 * The controllers that call AWS, their namespace and service account: the Pod Identity
 * associations and the Helm releases (addons.ts) read the names from here.
 */
export const CONTROLLERS = {
    loadBalancerController: { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" },
    privateCaIssuer: { namespace: "aws-privateca-issuer", serviceAccount: "aws-privateca-issuer" },
    externalSecrets: { namespace: "external-secrets", serviceAccount: "external-secrets" },
} as const;
export type ControllerName = keyof typeof CONTROLLERS;

/**
 * vpc-cni settings: NetworkPolicy enforcement (off by default; without it NetworkPolicies do nothing),
 * branch ENIs for security groups for pods, and `standard` enforcing so kubelet probes and
 * Service traffic still reach pods that have their own security group
 * (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html).
 */
export const VPC_CNI_CONFIGURATION = {
    enableNetworkPolicy: "true",
    env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
    // Required for liveness/readiness probes of pods using branch ENIs (same AWS page).
    init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
} as const;

export interface NodeGroupSpec {
    /** Suffix of the node group's name. */
    name: string;
    /** EC2 instance types; they must support ENI trunking for security groups for pods (Nitro, not t-family). */
    instanceTypes: string[];
    /** @default "BOTTLEROCKET_ARM_64" */
    amiType?: "BOTTLEROCKET_ARM_64" | "BOTTLEROCKET_x86_64";
    minSize: number;
    maxSize: number;
    /** @default minSize */
    desiredSize?: number;
    /** Data volume (/dev/xvdb on Bottlerocket) in GiB. @default 50 */
    diskSizeGiB?: number;
}

export const DEFAULT_NODE_GROUP: NodeGroupSpec = { name: "kong", instanceTypes: ["m7g.large"], amiType: "BOTTLEROCKET_ARM_64", minSize: 2, maxSize: 4 };

/** The image platform a node group's pods run (its AMI's architecture). */
export function nodePlatform(g: Pick<NodeGroupSpec, "amiType">): "linux/arm64" | "linux/amd64" {
    return (g.amiType ?? DEFAULT_NODE_GROUP.amiType) === "BOTTLEROCKET_ARM_64" ? "linux/arm64" : "linux/amd64";
}

export interface EksClusterArgs {
    /** VPC and the private subnets the control plane ENIs and nodes use. */
    network: Pick<NetworkRefs, "vpcId" | "vpcCidr" | "privateSubnetIds">;
    /** The stack's KMS key: envelope-encrypts Kubernetes Secrets and the control plane log group. */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Networks that may reach the public API endpoint (the CI runner's egress). Empty: private
     * endpoint only. Never 0.0.0.0/0. Refused when empty in production (CI could not deploy).
     */
    publicAccessCidrs: string[];
    /** IAM principals with cluster-admin access entries (the deployer's role first). At least one. */
    adminPrincipalArns: pulumi.Input<string>[];
    /** @default [DEFAULT_NODE_GROUP] */
    nodeGroups?: NodeGroupSpec[];
    /** The stack's own ECR repositories the kubelets pull workload images from (the plugin image). @default [] */
    imageRepositoryArns?: pulumi.Input<string>[];
    /** Target groups the Load Balancer Controller may register pods in (TargetGroupBinding). @default [] */
    targetGroupArns?: pulumi.Input<string>[];
    /** The ACM Private CA aws-privateca-issuer may issue from. @default none (no issuer role) */
    privateCaArn?: pulumi.Input<string>;
    /** Secrets Manager secrets External Secrets may read, and the keys that encrypt them. @default [] */
    syncedSecretArns?: pulumi.Input<string>[];
    syncedSecretKmsKeyArns?: pulumi.Input<string>[];
    /** Control plane log retention in days. @default 30 */
    logRetentionDays?: number;
    /** Production: refuses a cluster without a public CIDR list. @default false */
    production?: boolean;
    /** @default {} */
    tags?: Record<string, string>;
}

// ── Pure parts ──────────────────────────────────────────────────────────────────────────────

/** The endpoint settings for a CIDR list, or the reason it is refused (one line, naming the value). */
export function endpointAccess(cidrs: readonly string[], production: boolean): { endpointPrivateAccess: true; endpointPublicAccess: boolean; publicAccessCidrs?: string[] } {
    const world = cidrs.filter(c => /^(0\.0\.0\.0|::)\/0$/.test(c));
    if (world.length > 0) throw new Error(`EksCluster: publicAccessCidrs ${JSON.stringify(cidrs)} opens the Kubernetes API to the internet; list the CI runner's egress networks`);
    if (cidrs.length === 0 && production) {
        throw new Error("EksCluster: publicAccessCidrs is [] in production; list the CI runner's egress networks (a private-only endpoint needs a runner inside the VPC)");
    }
    return cidrs.length === 0
        ? { endpointPrivateAccess: true, endpointPublicAccess: false }
        : { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...cidrs] };
}

/** Trust of a role assumed by a service principal, with the confused-deputy guard when given. */
function serviceTrust(service: string, actions: string[], condition?: object): PolicyDocument {
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions, ...(condition ? { Condition: condition } : {}) }] };
}

/** EKS itself (cluster role). */
export function clusterTrustPolicy(account: string): PolicyDocument {
    return serviceTrust("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:SourceAccount": account } });
}

/** EC2 instances of the node groups. */
export function nodeTrustPolicy(): PolicyDocument {
    return serviceTrust("ec2.amazonaws.com", ["sts:AssumeRole"]);
}

/**
 * Pods of this cluster through EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html):
 * sts:TagSession is required; the conditions keep other clusters and accounts out.
 */
export function podIdentityTrustPolicy(account: string, clusterArn: string): PolicyDocument {
    return serviceTrust("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"], {
        StringEquals: { "aws:SourceAccount": account },
        ArnEquals: { "aws:SourceArn": clusterArn },
    });
}

function refuseWildcards(what: string, arns: string[]): string[] {
    for (const a of arns) if (a.includes("*")) throw new Error(`${what}: refusing wildcard resource ${a}`);
    if (arns.length === 0) throw new Error(`${what}: needs at least one resource ARN`);
    return [...new Set(arns)].sort();
}

/** EKS envelope-encrypts Secrets with the stack key, as the cluster role. */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "EncryptKubernetesSecrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey", "kms:CreateGrant"], Resource: refuseWildcards("cluster KMS policy", [keyArn]) }],
    };
}

/**
 * The Load Balancer Controller registers Kong DP pods as IP targets of the given target groups
 * (TargetGroupBinding without `networking`: it edits no security group). Describe calls have no
 * resource-level permissions, so IAM accepts only "*" for them.
 */
export function loadBalancerControllerPolicy(targetGroupArns: string[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "RegisterPodsInTheseTargetGroups", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: refuseWildcards("Load Balancer Controller", targetGroupArns) },
            {
                Sid: "DescribeOnly", Effect: "Allow", Resource: "*",
                Action: [
                    "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTags",
                    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeAvailabilityZones",
                ],
            },
        ],
    };
}

/** aws-privateca-issuer's minimal policy on one CA (https://github.com/cert-manager/aws-privateca-issuer#configuration). */
export function privateCaIssuerPolicy(caArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "IssueFromThisCa", Effect: "Allow", Action: ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:IssueCertificate"], Resource: refuseWildcards("aws-privateca-issuer", [caArn]) }],
    };
}

/** External Secrets reads exactly these secrets, decrypting only through Secrets Manager. */
export function externalSecretsPolicy(secretArns: string[], kmsKeyArns: string[], region: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadTheseSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: refuseWildcards("External Secrets", secretArns) },
            {
                Sid: "DecryptThroughSecretsManager", Effect: "Allow", Action: "kms:Decrypt", Resource: refuseWildcards("External Secrets keys", kmsKeyArns),
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
            },
        ],
    };
}

/**
 * The kubelets pull the stack's own images from exactly these repositories. The managed pull
 * policy (any repository) stays for the AWS-owned add-on images; this names what Kong's pods need.
 */
export function nodeImagePullPolicy(repositoryArns: string[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: ecrPullStatements(refuseWildcards("node image pull", repositoryArns)) };
}

/** A kubeconfig that gets a token from the AWS CLI on each call (`aws eks get-token`): nothing long-lived in the state. */
export function kubeconfig(c: { name: string; endpoint: string; certificateAuthority: string; region: string }): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: c.name, cluster: { server: c.endpoint, "certificate-authority-data": c.certificateAuthority } }],
        contexts: [{ name: c.name, context: { cluster: c.name, user: c.name } }],
        "current-context": c.name,
        users: [{
            name: c.name,
            user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["--region", c.region, "eks", "get-token", "--cluster-name", c.name, "--output", "json"] } },
        }],
    });
}

// ── Resources ───────────────────────────────────────────────────────────────────────────────

type Parent = { parent: pulumi.Resource };

interface Rule { from: number; to: number; protocol: "tcp" | "udp" | "-1"; description: string }

function groupRule(name: string, kind: "ingress" | "egress", sg: pulumi.Input<string>, peer: pulumi.Input<string>, r: Rule, tags: Record<string, string>, parent: Parent) {
    const common = { securityGroupId: sg, referencedSecurityGroupId: peer, ipProtocol: r.protocol, description: r.description, tags,
        ...(r.protocol === "-1" ? {} : { fromPort: r.from, toPort: r.to }) };
    return kind === "ingress"
        ? new aws.vpc.SecurityGroupIngressRule(name, common, parent)
        : new aws.vpc.SecurityGroupEgressRule(name, common, parent);
}

/**
 * The cluster's additional security group and the nodes' group, without inline rules or the
 * default allow-all egress, and the arrows between them (the minimum AWS documents for
 * managed nodes with their own security group: https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html).
 */
export function createClusterSecurityGroups(name: string, args: EksClusterArgs, tags: Record<string, string>, parent: Parent) {
    const cluster = new aws.ec2.SecurityGroup(`${name}-cluster-sg`, {
        vpcId: args.network.vpcId,
        description: `EKS ${name} control plane ENIs: API from the nodes, to kubelets and webhooks`,
        tags: { ...tags, Name: `${name}-cluster` },
    }, parent);
    const nodes = new aws.ec2.SecurityGroup(`${name}-node-sg`, {
        vpcId: args.network.vpcId,
        description: `EKS ${name} nodes: kubelet and webhooks from the control plane, node to node`,
        tags: { ...tags, Name: `${name}-nodes` },
    }, parent);
    const pair = (suffix: string, from: pulumi.Input<string>, to: pulumi.Input<string>, r: Rule) => {
        groupRule(`${name}-${suffix}-egress`, "egress", from, to, r, tags, parent);
        groupRule(`${name}-${suffix}-ingress`, "ingress", to, from, r, tags, parent);
    };
    pair("nodes-to-api", nodes.id, cluster.id, { from: 443, to: 443, protocol: "tcp", description: "Kubelets and pods to the Kubernetes API" });
    pair("api-to-kubelet", cluster.id, nodes.id, { from: 10250, to: 10250, protocol: "tcp", description: "Kubernetes API to kubelets (logs, exec)" });
    pair("api-to-webhooks", cluster.id, nodes.id, { from: 443, to: 443, protocol: "tcp", description: "Kubernetes API to admission webhooks on 443" });
    pair("api-to-webhooks-high", cluster.id, nodes.id, { from: 1025, to: 65535, protocol: "tcp", description: "Kubernetes API to webhooks and API services on high ports" });
    pair("node-to-node", nodes.id, nodes.id, { from: 0, to: 0, protocol: "-1", description: "Pods on different nodes, CoreDNS (only this group, no CIDR)" });
    const cidrEgress = (suffix: string, cidr: string, r: Rule) => new aws.vpc.SecurityGroupEgressRule(`${name}-${suffix}`, {
        securityGroupId: nodes.id, cidrIpv4: cidr, ipProtocol: r.protocol, fromPort: r.from, toPort: r.to, description: r.description, tags,
    }, parent);
    cidrEgress("nodes-https", "0.0.0.0/0", { from: PORTS.https, to: PORTS.https, protocol: "tcp", description: "Nodes to image registries, AWS APIs and the EKS endpoint" });
    cidrEgress("nodes-dns-udp", args.network.vpcCidr, { from: 53, to: 53, protocol: "udp", description: "CoreDNS to the VPC resolver" });
    cidrEgress("nodes-dns-tcp", args.network.vpcCidr, { from: 53, to: 53, protocol: "tcp", description: "CoreDNS to the VPC resolver (large answers)" });
    return { cluster, nodes };
}

/** Cluster role: EKS's managed policy, the VPC resource controller (branch ENIs for pod security groups), the key. */
export function createClusterRole(name: string, account: pulumi.Input<string>, partition: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, tags: Record<string, string>, parent: Parent) {
    const role = new aws.iam.Role(`${name}-cluster-role`, {
        description: `EKS ${name} control plane`,
        assumeRolePolicy: pulumi.output(account).apply(a => JSON.stringify(clusterTrustPolicy(a))),
        tags,
    }, parent);
    for (const policy of ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"]) {
        new aws.iam.RolePolicyAttachment(`${name}-cluster-${policy}`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, parent);
    }
    new aws.iam.RolePolicy(`${name}-cluster-kms`, { role: role.id, policy: pulumi.output(kmsKeyArn).apply(k => JSON.stringify(clusterKmsPolicy(k))) }, parent);
    return role;
}

/**
 * Node role: what a kubelet and the VPC CNI need (AWS managed policies) and the pull of the stack's
 * own images; nothing for workloads (they use Pod Identity).
 */
export function createNodeRole(name: string, partition: pulumi.Input<string>, tags: Record<string, string>, parent: Parent, imageRepositoryArns: pulumi.Input<string>[] = []) {
    const role = new aws.iam.Role(`${name}-node-role`, {
        description: `EKS ${name} nodes (workloads get their own roles through Pod Identity)`,
        assumeRolePolicy: JSON.stringify(nodeTrustPolicy()),
        tags,
    }, parent);
    for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"]) {
        new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, parent);
    }
    const imagePull = imageRepositoryArns.length > 0
        ? new aws.iam.RolePolicy(`${name}-node-images`, { role: role.id, policy: pulumi.all(imageRepositoryArns).apply(arns => JSON.stringify(nodeImagePullPolicy(arns))) }, parent)
        : undefined;
    return { role, imagePull };
}

/** One controller's role, policy and Pod Identity association. */
function podIdentity(name: string, controller: ControllerName, cluster: aws.eks.Cluster, account: pulumi.Input<string>, policy: pulumi.Input<string>, tags: Record<string, string>, parent: Parent) {
    const { namespace, serviceAccount } = CONTROLLERS[controller];
    const role = new aws.iam.Role(`${name}-${controller}-role`, {
        description: `EKS ${name}: ${namespace}/${serviceAccount} through Pod Identity`,
        assumeRolePolicy: pulumi.all([account, cluster.arn]).apply(([a, c]) => JSON.stringify(podIdentityTrustPolicy(a, c))),
        tags,
    }, parent);
    new aws.iam.RolePolicy(`${name}-${controller}-policy`, { role: role.id, policy }, parent);
    const association = new aws.eks.PodIdentityAssociation(`${name}-${controller}`, { clusterName: cluster.name, namespace, serviceAccount, roleArn: role.arn, tags }, parent);
    return { role, association };
}

export class EksCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** The additional security group of the control plane ENIs. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The nodes' security group (pods without a SecurityGroupPolicy use it too). */
    public readonly nodeSecurityGroupId: pulumi.Output<string>;
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** Pod Identity roles by controller (absent when the controller has nothing to act on). */
    public readonly controllerRoleArns: Partial<Record<ControllerName, pulumi.Output<string>>>;
    /** Kubernetes provider for this cluster; the Helm releases and objects use it. */
    public readonly provider: k8s.Provider;
    /** Resources that must exist before workloads (add-ons, node groups): dependsOn for releases. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:eks:EksCluster", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const access = endpointAccess(args.publicAccessCidrs, args.production ?? false);
        if (args.adminPrincipalArns.length === 0) throw new Error("EksCluster: adminPrincipalArns is []; with authenticationMode API and no bootstrap admin, nobody could manage the cluster");
        const nodeGroups = args.nodeGroups ?? [DEFAULT_NODE_GROUP];
        for (const g of nodeGroups) {
            if (!(g.minSize >= 1 && g.minSize <= g.maxSize)) throw new Error(`EksCluster: node group "${g.name}" minSize ${g.minSize} must be from 1 to maxSize ${g.maxSize}`);
            const t = g.instanceTypes.find(i => /^t\d/.test(i));
            if (t) throw new Error(`EksCluster: node group "${g.name}" instance type ${t} has no ENI trunking; security groups for pods need Nitro types such as m7g.large`);
        }
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;

        const sgs = createClusterSecurityGroups(name, args, tags, parent);
        const clusterRole = createClusterRole(name, identity.accountId, partition, args.kmsKeyArn, tags, parent);
        const { role: nodeRole, imagePull } = createNodeRole(name, partition, tags, parent, args.imageRepositoryArns);

        // EKS writes to /aws/eks/<name>/cluster: own it, so retention and encryption are ours.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/eks/${name}/cluster`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn, tags,
        }, parent);
        const cluster = new aws.eks.Cluster(`${name}-cluster`, {
            name,
            version: EKS_VERSIONS.kubernetes,
            roleArn: clusterRole.arn,
            vpcConfig: { subnetIds: args.network.privateSubnetIds, securityGroupIds: [sgs.cluster.id], ...access },
            // API only: access entries, no aws-auth ConfigMap; the creator gets no hidden admin.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { provider: { keyArn: args.kmsKeyArn }, resources: ["secrets"] },
            // No self-managed vpc-cni/kube-proxy/CoreDNS: the managed add-ons below, pinned.
            bootstrapSelfManagedAddons: false,
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            // Extended support costs six times the hourly price; at the end of standard support EKS
            // upgrades the control plane instead (raise EKS_VERSIONS before then).
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: args.production ?? false,
            tags,
        }, { parent: this, dependsOn: [logGroup] });

        const accessEntries = args.adminPrincipalArns.map((principalArn, i) => {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
            return new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
                clusterName: cluster.name, principalArn: entry.principalArn,
                policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                accessScope: { type: "cluster" },
            }, parent);
        });

        const addon = (addonName: AddonName, deps: pulumi.Resource[], configurationValues?: object) => new aws.eks.Addon(`${name}-${addonName}`, {
            clusterName: cluster.name,
            addonName,
            addonVersion: EKS_VERSIONS.addons[addonName],
            ...(configurationValues ? { configurationValues: JSON.stringify(configurationValues) } : {}),
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
        }, { parent: this, dependsOn: deps });
        // Networking add-ons first: nodes join only once the CNI runs (the DaemonSets wait for nodes).
        const beforeNodes = [
            addon("vpc-cni", [], VPC_CNI_CONFIGURATION),
            addon("kube-proxy", []),
            addon("eks-pod-identity-agent", []),
        ];

        const groups = nodeGroups.map(g => {
            // A launch template only to put the nodes in our security group, close IMDS to pods and
            // encrypt the data volume (no AMI: EKS keeps choosing the Bottlerocket release).
            const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-${g.name}-nodes`, {
                description: `EKS ${name} managed nodes ${g.name}`,
                vpcSecurityGroupIds: [sgs.nodes.id],
                // Hop limit 1: pods (one hop further) cannot take the node role's credentials.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                // Bottlerocket's data volume holds images and pod storage.
                blockDeviceMappings: [{ deviceName: "/dev/xvdb", ebs: { volumeSize: g.diskSizeGiB ?? 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
                updateDefaultVersion: true,
                tagSpecifications: [{ resourceType: "instance", tags: { ...tags, Name: `${name}-${g.name}` } }],
                tags,
            }, parent);
            return new aws.eks.NodeGroup(`${name}-${g.name}`, {
                clusterName: cluster.name,
                nodeGroupName: `${name}-${g.name}`,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.network.privateSubnetIds,
                amiType: g.amiType ?? "BOTTLEROCKET_ARM_64",
                instanceTypes: g.instanceTypes,
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                scalingConfig: { minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize ?? g.minSize },
                updateConfig: { maxUnavailable: 1 },
                labels: { "kong-hybrid/node-group": g.name },
                tags,
            }, { parent: this, dependsOn: beforeNodes, ignoreChanges: ["scalingConfig.desiredSize"] });
        });
        const coredns = addon("coredns", groups);

        const roles: Partial<Record<ControllerName, { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation }>> = {};
        const targetGroups = args.targetGroupArns ?? [];
        if (targetGroups.length > 0) {
            roles.loadBalancerController = podIdentity(name, "loadBalancerController", cluster, identity.accountId,
                pulumi.all(targetGroups).apply(tgs => JSON.stringify(loadBalancerControllerPolicy(tgs))), tags, parent);
        }
        if (args.privateCaArn) {
            roles.privateCaIssuer = podIdentity(name, "privateCaIssuer", cluster, identity.accountId,
                pulumi.output(args.privateCaArn).apply(ca => JSON.stringify(privateCaIssuerPolicy(ca))), tags, parent);
        }
        if ((args.syncedSecretArns ?? []).length > 0) {
            roles.externalSecrets = podIdentity(name, "externalSecrets", cluster, identity.accountId,
                pulumi.all([pulumi.all(args.syncedSecretArns ?? []), pulumi.all(args.syncedSecretKmsKeyArns ?? [args.kmsKeyArn]), region])
                    .apply(([s, k, r]) => JSON.stringify(externalSecretsPolicy(s, k, r))), tags, parent);
        }

        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority, region])
                .apply(([n, endpoint, ca, r]) => kubeconfig({ name: n, endpoint, certificateAuthority: ca.data ?? "", region: r })),
            // Server-side apply: field managers instead of client-side last-applied annotations.
            enableServerSideApply: true,
        }, { parent: this, dependsOn: accessEntries });

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.endpoint = cluster.endpoint;
        this.clusterSecurityGroupId = sgs.cluster.id;
        this.nodeSecurityGroupId = sgs.nodes.id;
        this.nodeRoleArn = nodeRole.arn;
        this.controllerRoleArns = Object.fromEntries(Object.entries(roles).map(([k, r]) => [k, r!.role.arn]));
        // Controllers read their credentials at start: their associations come before the releases;
        // so does the nodes' pull of the stack's images.
        this.ready = [...beforeNodes, ...groups, coredns, ...accessEntries, ...Object.values(roles).map(r => r!.association), ...(imagePull ? [imagePull] : [])];
        this.registerOutputs({
            clusterName: this.clusterName, clusterArn: this.clusterArn, endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId, nodeSecurityGroupId: this.nodeSecurityGroupId, nodeRoleArn: this.nodeRoleArn,
        });
    }
}
