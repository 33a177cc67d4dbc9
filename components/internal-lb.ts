import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs } from "./contracts";
import { dataPlaneTargetGroup, DEFAULT_SSL_POLICY, kongAlbArgs } from "./edge";

// The load balancer of an internal DP group: an internal ALB in the private subnets that only the
// VPC reaches. It serves HTTPS with the stack's gateway certificate, like the public edge: the
// policy pack allows no plain-HTTP listener on any ALB (edge-https-only), and traffic between
// hosts stays encrypted inside the VPC too. No WAF (nothing from the internet reaches it); access
// logs go to the edge's bucket. Its security-group arrows are drawn in stacks/network.ts.

export interface InternalLoadBalancerArgs {
    /** Private subnets (the ALB) and the VPC id. */
    network: NetworkRefs;
    /** The stack's gateway certificate (the edge's). Clients send its name as SNI and Host. */
    certificateArn: pulumi.Input<string>;
    /** @default DEFAULT_SSL_POLICY */
    sslPolicy?: string;
    /** The edge's access-log bucket and what must exist before the ALB logs into it. */
    accessLogs: { bucketId: pulumi.Input<string>; ready: pulumi.Resource[] };
    /** Deletion protection. @default false */
    production?: boolean;
    /** @default {} */
    tags?: Record<string, string>;
}

export class InternalLoadBalancer extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The DP service waits for it (ECS rejects a target group without a listener). */
    public readonly httpsListener: aws.lb.Listener;

    constructor(name: string, args: InternalLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:edge:InternalLoadBalancer", name, {}, opts);
        // ALB and target-group names are at most 32 characters; Pulumi appends 8 ("-" + 7 random).
        if (`${name}-alb`.length > 24) throw new Error(`InternalLoadBalancer "${name}": the name is too long for an ALB name (${name}-alb + 8 random characters > 32)`);
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.network.vpcId,
            description: "Kong internal ALB: HTTPS from the VPC, to its Data Plane group only",
            tags: { ...tags, Name: name },
        }, parent);
        const alb = new aws.lb.LoadBalancer(`${name}-alb`, kongAlbArgs({
            internal: true, subnets: args.network.privateSubnetIds, securityGroupId: sg.id, accessLogBucket: args.accessLogs.bucketId,
            production: args.production ?? false, tags,
        }), { parent: this, dependsOn: args.accessLogs.ready });
        const tg = dataPlaneTargetGroup(`${name}-tg`, args.network.vpcId, tags, parent);
        this.httpsListener = new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy ?? DEFAULT_SSL_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
            tags,
        }, parent);
        this.securityGroupId = sg.id;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.targetGroupArn = tg.arn;
        this.targetGroupArnSuffix = tg.arnSuffix;
        this.registerOutputs({ securityGroupId: this.securityGroupId, dnsName: this.dnsName, targetGroupArn: this.targetGroupArn });
    }
}
