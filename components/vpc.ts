import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs } from "./contracts";

// Built from @pulumi/aws resources, not awsx: awsx's VPC is one opaque resource under mocks, so
// neither the tests nor the policy pack could see its subnets and routes.

export type NatMode = "gateway-per-az" | "gateway-single" | "instance" | "none";

/** The one source of each VPC default (see DATA_PLANE_DEFAULTS in data-plane.ts). */
export const VPC_DEFAULTS = { natMode: "gateway-single", natInstanceType: "t4g.nano", interfaceEndpoints: [] as readonly string[] } as const;

export interface VpcArgs {
    /** IPv4 block of the VPC. */
    cidr: string;
    /** Availability zone names, one per subnet of each tier. */
    availabilityZones: string[];
    /** One block per AZ: load balancers and NAT. */
    publicSubnetCidrs: readonly string[];
    /** One block per AZ: Kong tasks. Egress through NAT (unless natMode is none). */
    privateSubnetCidrs: readonly string[];
    /** One block per AZ: Aurora. No route to the internet. */
    isolatedSubnetCidrs: readonly string[];
    /**
     * How the private tier reaches the internet: a NAT gateway per AZ (survives an AZ outage),
     * one NAT gateway (cheaper, $33/month each), a NAT instance (a few dollars, no HA), or none
     * (private tier then needs interface endpoints for ECR, logs and Secrets Manager). @default "gateway-single"
     */
    natMode?: NatMode;
    /** Instance type of the NAT instance. @default "t4g.nano" */
    natInstanceType?: string;
    /** Interface endpoints by service suffix (ecr.api, ecr.dkr, logs, secretsmanager, kms, ...). @default [] */
    interfaceEndpoints?: readonly string[];
    /** VPC flow logs (all traffic) to a KMS-encrypted log group. @default undefined (off) */
    flowLogs?: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number };
    tags: Record<string, string>;
}

type Tier = "public" | "private" | "isolated";

/** Which AZ's NAT each private route table uses: its own, the first one, or none. */
export function natIndexFor(mode: NatMode, azIndex: number): number | undefined {
    switch (mode) {
        case "gateway-per-az": return azIndex;
        case "gateway-single":
        case "instance": return 0;
        case "none": return undefined;
    }
}

export function natCount(mode: NatMode, azCount: number): number {
    return mode === "gateway-per-az" ? azCount : mode === "none" ? 0 : 1;
}

/** NAT instance boot script: forward and masquerade traffic from the VPC (Amazon Linux 2023). */
export function natInstanceUserData(vpcCidr: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "dnf install -y iptables-services",
        "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf",
        "sysctl --system",
        "iface=$(ip route show default | awk '{print $5}')",
        `iptables -t nat -A POSTROUTING -o "$iface" -s ${vpcCidr} -j MASQUERADE`,
        "iptables -F FORWARD",
        "service iptables save",
        "systemctl enable --now iptables",
    ].join("\n");
}

export class Vpc extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly isolatedSubnetIds: pulumi.Output<string>[];
    readonly privateRouteTableIds: pulumi.Output<string>[];
    /** What other components take to deploy into this network. */
    readonly refs: NetworkRefs;

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:network:Vpc", name, {}, opts);
        const parent = { parent: this };
        const natMode = args.natMode ?? VPC_DEFAULTS.natMode;
        const azs = args.availabilityZones;
        const tags = (extra: Record<string, string>) => ({ ...args.tags, ...extra });

        const vpc = new aws.ec2.Vpc(`${name}`, {
            cidrBlock: args.cidr,
            // Cloud Map private DNS and interface endpoints' private DNS need both.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: tags({ Name: name }),
        }, parent);
        // The default SG allows all traffic between its members; nothing should use it, so empty it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tags({ Name: `${name}-default-unused` }) }, parent);

        const subnets = (tier: Tier, cidrs: readonly string[]) => cidrs.map((cidr, i) =>
            new aws.ec2.Subnet(`${name}-${tier}-${i + 1}`, {
                vpcId: vpc.id,
                cidrBlock: cidr,
                availabilityZone: azs[i],
                // No instance in this VPC should get a public IP by accident; the NAT instance asks for one explicitly.
                mapPublicIpOnLaunch: false,
                tags: tags({ Name: `${name}-${tier}-${azs[i]}`, Tier: tier }),
            }, parent));
        const publicSubnets = subnets("public", args.publicSubnetCidrs);
        const privateSubnets = subnets("private", args.privateSubnetCidrs);
        const isolatedSubnets = subnets("isolated", args.isolatedSubnetCidrs);

        // Public tier → internet gateway.
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags({ Name: `${name}-igw` }) }, parent);
        const publicRt = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: tags({ Name: `${name}-public`, Tier: "public" }) }, parent);
        new aws.ec2.Route(`${name}-public-internet`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);
        publicSubnets.forEach((s, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id }, parent));

        // NAT: gateways (with an Elastic IP each) or one instance, in the public tier.
        const natTargets: { natGatewayId?: pulumi.Output<string>; networkInterfaceId?: pulumi.Output<string> }[] = [];
        if (natMode === "gateway-per-az" || natMode === "gateway-single") {
            for (let i = 0; i < natCount(natMode, azs.length); i++) {
                const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: "vpc", tags: tags({ Name: `${name}-nat-${azs[i]}` }) }, parent);
                const nat = new aws.ec2.NatGateway(`${name}-nat-${i + 1}`, {
                    allocationId: eip.id,
                    subnetId: publicSubnets[i].id,
                    tags: tags({ Name: `${name}-nat-${azs[i]}` }),
                }, { parent: this, dependsOn: [igw] });
                natTargets.push({ natGatewayId: nat.id });
            }
        } else if (natMode === "instance") {
            natTargets.push({ networkInterfaceId: this.natInstance(name, args, vpc, publicSubnets[0], tags) });
        }

        // Private tier → NAT, one route table per AZ so gateway-per-az keeps traffic in its AZ.
        const privateRts = privateSubnets.map((s, i) => {
            const rt = new aws.ec2.RouteTable(`${name}-private-${i + 1}`, { vpcId: vpc.id, tags: tags({ Name: `${name}-private-${azs[i]}`, Tier: "private" }) }, parent);
            const natIndex = natIndexFor(natMode, i);
            if (natIndex !== undefined) {
                new aws.ec2.Route(`${name}-private-${i + 1}-internet`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", ...natTargets[natIndex] }, parent);
            }
            new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: s.id, routeTableId: rt.id }, parent);
            return rt;
        });

        // Isolated tier: only the VPC's local route. Aurora needs nothing else.
        const isolatedRt = new aws.ec2.RouteTable(`${name}-isolated`, { vpcId: vpc.id, tags: tags({ Name: `${name}-isolated`, Tier: "isolated" }) }, parent);
        isolatedSubnets.forEach((s, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-isolated-${i + 1}`, { subnetId: s.id, routeTableId: isolatedRt.id }, parent));

        // S3 gateway endpoint: free, and ECR image layers come from S3, so pulls skip the NAT charge.
        const region = aws.getRegionOutput({}, parent).region;
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRts.map(rt => rt.id),
            tags: tags({ Name: `${name}-s3` }),
        }, parent);

        const endpoints = args.interfaceEndpoints ?? VPC_DEFAULTS.interfaceEndpoints;
        if (endpoints.length > 0) {
            const sg = new aws.ec2.SecurityGroup(`${name}-endpoints`, {
                vpcId: vpc.id,
                description: "Interface VPC endpoints: HTTPS from inside the VPC",
                tags: tags({ Name: `${name}-endpoints` }),
            }, parent);
            new aws.vpc.SecurityGroupIngressRule(`${name}-endpoints-https`, {
                securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: args.cidr,
                description: "AWS API calls from tasks in this VPC",
                tags: tags({ Name: `${name}-endpoints-https` }),
            }, parent);
            for (const service of endpoints) {
                new aws.ec2.VpcEndpoint(`${name}-${service.replace(/\./g, "-")}`, {
                    vpcId: vpc.id,
                    serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: privateSubnets.map(s => s.id),
                    securityGroupIds: [sg.id],
                    tags: tags({ Name: `${name}-${service}` }),
                }, parent);
            }
        }

        if (args.flowLogs) this.flowLogs(name, args.flowLogs, vpc, tags);

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map(s => s.id);
        this.privateSubnetIds = privateSubnets.map(s => s.id);
        this.isolatedSubnetIds = isolatedSubnets.map(s => s.id);
        this.privateRouteTableIds = privateRts.map(rt => rt.id);
        this.refs = {
            vpcId: this.vpcId,
            vpcCidr: args.cidr,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        };
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        });
    }

    /** A small NAT instance: the cheapest outbound path for dev stacks (no HA). Returns its ENI. */
    private natInstance(name: string, args: VpcArgs, vpc: aws.ec2.Vpc, subnet: aws.ec2.Subnet, tags: (e: Record<string, string>) => Record<string, string>) {
        const parent = { parent: this };
        const sg = new aws.ec2.SecurityGroup(`${name}-nat`, {
            vpcId: vpc.id,
            description: "NAT instance: forwards traffic from the VPC to the internet",
            tags: tags({ Name: `${name}-nat` }),
        }, parent);
        new aws.vpc.SecurityGroupIngressRule(`${name}-nat-from-vpc`, {
            securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: args.cidr, description: "Traffic to forward, from inside the VPC only", tags: tags({}),
        }, parent);
        new aws.vpc.SecurityGroupEgressRule(`${name}-nat-to-internet`, {
            securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "Forwarded traffic to the internet", tags: tags({}),
        }, parent);
        const ami = aws.ssm.getParameterOutput({ name: "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64" }, parent);
        const instance = new aws.ec2.Instance(`${name}-nat`, {
            ami: ami.value,
            instanceType: args.natInstanceType ?? VPC_DEFAULTS.natInstanceType,
            subnetId: subnet.id,
            vpcSecurityGroupIds: [sg.id],
            associatePublicIpAddress: true,
            // A NAT forwards packets that are not addressed to it.
            sourceDestCheck: false,
            userData: natInstanceUserData(args.cidr),
            userDataReplaceOnChange: true,
            metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
            rootBlockDevice: { encrypted: true, volumeSize: 8, volumeType: "gp3" },
            tags: tags({ Name: `${name}-nat` }),
        }, { parent: this, ignoreChanges: ["ami"] });
        return instance.primaryNetworkInterfaceId;
    }

    private flowLogs(name: string, f: NonNullable<VpcArgs["flowLogs"]>, vpc: aws.ec2.Vpc, tags: (e: Record<string, string>) => Record<string, string>) {
        const parent = { parent: this };
        const group = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            retentionInDays: f.retentionInDays,
            kmsKeyId: f.kmsKeyArn,
            tags: tags({ Name: `${name}-flow-logs` }),
        }, parent);
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const role = new aws.iam.Role(`${name}-flow-logs`, {
            assumeRolePolicy: account.apply(a => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": a } },
                }],
            })),
            tags: tags({ Name: `${name}-flow-logs` }),
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: role.id,
            policy: group.arn.apply(arn => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                }],
            })),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-logs`, {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags: tags({ Name: `${name}-flow-logs` }),
        }, parent);
    }
}
