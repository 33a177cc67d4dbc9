import type { MockContext } from "./mock-cloud";

// Computed outputs of the EKS runtime's resource types (components/eks/*): what AWS or the
// Kubernetes API fills in that the program reads. Merged into OUTPUTS by offline/mock-cloud.ts.

type OutputFn = (name: string, inputs: Record<string, any>, ctx: MockContext) => Record<string, any>;

const arn = (c: MockContext, service: string, resource: string) => `arn:aws:${service}:${c.region}:${c.account}:${resource}`;

export const EKS_OUTPUTS: Record<string, OutputFn> = {
    "aws:eks/cluster:Cluster": (_n, i, c) => {
        const id = c.hash.slice(0, 32).toUpperCase();
        return {
            arn: arn(c, "eks", `cluster/${i.name ?? c.physicalName}`),
            endpoint: `https://${id}.gr7.${c.region}.eks.amazonaws.com`,
            // A base64 PEM stand-in: the provider only writes it into the kubeconfig.
            certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\n${id}\n-----END CERTIFICATE-----\n`).toString("base64") },
            status: "ACTIVE",
            platformVersion: "eks.1",
            // EKS also creates its own cluster security group; it is reported, not managed.
            vpcConfig: { ...i.vpcConfig, clusterSecurityGroupId: `sg-0${c.hash.slice(32, 48)}`, vpcId: "vpc-from-subnets" },
        };
    },
    "aws:eks/nodeGroup:NodeGroup": (_n, i, c) => ({ arn: arn(c, "eks", `nodegroup/${i.clusterName}/${i.nodeGroupName ?? c.physicalName}/${c.hash.slice(0, 8)}`), status: "ACTIVE" }),
    "aws:eks/addon:Addon": (_n, i, c) => ({ arn: arn(c, "eks", `addon/${i.clusterName}/${i.addonName}/${c.hash.slice(0, 8)}`) }),
    "aws:eks/accessEntry:AccessEntry": (_n, i, c) => ({ accessEntryArn: arn(c, "eks", `access-entry/${i.clusterName}/role/${c.account}/${c.hash.slice(0, 8)}`) }),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (_n, i, c) => ({
        associationArn: arn(c, "eks", `podidentityassociation/${i.clusterName}/a-${c.hash.slice(0, 17)}`), associationId: `a-${c.hash.slice(0, 17)}`,
    }),
    "aws:ec2/launchTemplate:LaunchTemplate": (_n, _i, c) => ({ arn: arn(c, "ec2", `launch-template/lt-0${c.hash.slice(0, 16)}`), latestVersion: 1, defaultVersion: 1 }),
    "aws:elasticache/subnetGroup:SubnetGroup": (_n, i, c) => ({ arn: arn(c, "elasticache", `subnetgroup:${i.name ?? c.physicalName}`) }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (_n, i, c) => {
        const id = i.replicationGroupId ?? c.physicalName;
        return {
            arn: arn(c, "elasticache", `replicationgroup:${id}`),
            primaryEndpointAddress: `master.${id}.${c.hash.slice(0, 6)}.${c.region.replace(/-/g, "")}.cache.amazonaws.com`,
            readerEndpointAddress: `replica.${id}.${c.hash.slice(0, 6)}.${c.region.replace(/-/g, "")}.cache.amazonaws.com`,
            port: i.port ?? 6379,
        };
    },
    // helm.v3.Release: the provider reports what it installed.
    "kubernetes:helm.sh/v3:Release": (_n, i) => ({
        status: { name: i.name, namespace: i.namespace, chart: i.chart, version: i.version, status: "deployed", revision: 1 },
    }),
};
