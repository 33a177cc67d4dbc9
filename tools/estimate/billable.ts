// Every resource type a plan can hold, and whether the cost estimate prices it, why it is free, or
// why it is too small to price. A type missing from this table is reported as not priced (and
// test/billable.spec.ts fails on the stacks' plans), so a new billable type is never free by accident.

import type { Plan } from "../../policy/offline";

export type Billing = "priced" | "free" | "negligible";

export interface TypeBilling {
    billing: Billing;
    /** One line: what is paid, or why nothing is. */
    why: string;
    /** Priced types: the estimate line(s) that carry the cost. */
    line?: RegExp;
    /** Priced types billed only in some configurations: whether this resource's inputs are (default: always). */
    when?: (inputs: Record<string, any>) => boolean;
}

const free = (why: string): TypeBilling => ({ billing: "free", why });
const negligible = (why: string): TypeBilling => ({ billing: "negligible", why });
const priced = (line: RegExp, why: string, when?: TypeBilling["when"]): TypeBilling => ({ billing: "priced", why, line, ...(when ? { when } : {}) });

export const RESOURCE_TYPES: Readonly<Record<string, TypeBilling>> = {
    // ── Compute ─────────────────────────────────────────────────────────────────────────────
    "aws:ecs/service:Service": priced(/^Fargate: /, "Fargate vCPU and GB hours of its tasks"),
    "aws:ecs/taskDefinition:TaskDefinition": free("a template; its tasks are priced with their service"),
    "aws:ecs/cluster:Cluster": priced(/^CloudWatch Container Insights /, "the cluster is free; Container Insights, when on, bills custom metrics",
        i => (Array.isArray(i.settings) ? i.settings : []).some((x: any) => x?.name === "containerInsights" && x?.value !== "disabled")),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": free("a setting of the cluster"),
    "aws:appautoscaling/target:Target": free("Application Auto Scaling has no charge of its own"),
    "aws:appautoscaling/policy:Policy": priced(/^CloudWatch alarms of target tracking policies/, "a target tracking policy creates two CloudWatch alarms",
        i => i.policyType === "TargetTrackingScaling"),
    "aws:ec2/instance:Instance": priced(/^EC2 /, "instance hours and its root volume (the NAT instance)"),
    "aws:ec2/launchTemplate:LaunchTemplate": free("a template; the volumes it describes are priced with the EKS nodes"),
    "aws:lambda/function:Function": priced(/^Lambda /, "invocations and GB-seconds of its schedule"),
    "aws:lambda/permission:Permission": free("a resource policy statement"),
    "aws:sfn/stateMachine:StateMachine": negligible("Standard workflows: 4,000 state transitions a month free; the CP redeploy runs a few times a month"),
    // ── Kubernetes on EKS ───────────────────────────────────────────────────────────────────
    "aws:eks/cluster:Cluster": priced(/^EKS cluster |^CloudWatch Logs: EKS control plane /, "control-plane hours, and its control-plane logs in CloudWatch"),
    "aws:eks/nodeGroup:NodeGroup": priced(/^EKS nodes |^EBS: EKS nodes /, "node instance hours and their EBS volumes"),
    "aws:eks/addon:Addon": free("EKS add-ons cost nothing; their pods run on the priced nodes"),
    "aws:eks/accessEntry:AccessEntry": free("IAM access configuration"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": free("IAM access configuration"),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": free("IAM access configuration"),
    "kubernetes:helm.sh/v3:Release": free("pods on the priced nodes"),
    "kubernetes:core/v1:Namespace": free("a Kubernetes object"),
    "kubernetes:core/v1:Secret": free("a Kubernetes object (etcd, in the EKS cluster price)"),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": free("enforced by the VPC CNI on the nodes"),
    "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy": free("security groups for pods: branch ENIs have no charge"),
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": free("registers pods in the priced ALB's target group"),
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": free("a Kubernetes object"),
    "kubernetes:external-secrets.io/v1:ExternalSecret": negligible("Secrets Manager reads: $0.05 per 10,000 calls; one refresh an hour is ~730 calls a month"),
    "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAClusterIssuer": free("a Kubernetes object; the certificates it issues are priced"),
    "kubernetes:cert-manager.io/v1:Certificate": priced(/^ACM Private CA certificates issued by cert-manager/, "each issue and renewal from the Private CA is a certificate",
        i => i.spec?.issuerRef?.kind === "AWSPCAClusterIssuer"),
    // ── Network ─────────────────────────────────────────────────────────────────────────────
    "aws:ec2/vpc:Vpc": free("VPCs have no charge"),
    "aws:ec2/subnet:Subnet": free("no charge"),
    "aws:ec2/routeTable:RouteTable": free("no charge"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": free("no charge"),
    "aws:ec2/route:Route": free("no charge"),
    "aws:ec2/internetGateway:InternetGateway": free("no charge; data transfer out is priced at load"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": free("no charge"),
    "aws:ec2/securityGroup:SecurityGroup": free("no charge"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": free("no charge"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": free("no charge"),
    "aws:ec2/natGateway:NatGateway": priced(/^NAT gateway /, "gateway hours and GB processed"),
    "aws:ec2/eip:Eip": priced(/^Public IPv4: /, "a public IPv4 address-hour"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": priced(/^Interface VPC endpoints/, "interface endpoints bill per AZ-hour; gateway endpoints (S3) are free",
        i => i.vpcEndpointType === "Interface"),
    "aws:ec2/flowLog:FlowLog": priced(/^CloudWatch Logs: VPC flow logs/, "flow log records ingested and kept in CloudWatch Logs"),
    "aws:lb/loadBalancer:LoadBalancer": priced(/^ALB /, "ALB hours and LCUs, and its public IPv4 addresses"),
    "aws:lb/listener:Listener": free("part of the ALB's price"),
    "aws:lb/targetGroup:TargetGroup": free("part of the ALB's price"),
    "aws:route53/record:Record": negligible("$0.40 per million standard queries; alias queries to AWS resources are free"),
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": priced(/^Route 53 hosted zones/, "a Route 53 private hosted zone"),
    "aws:servicediscovery/service:Service": priced(/^Cloud Map registered instances/, "its registered instances (the CP tasks)"),
    // ── Edge ────────────────────────────────────────────────────────────────────────────────
    "aws:acm/certificate:Certificate": free("public ACM certificates are free"),
    "aws:acm/certificateValidation:CertificateValidation": free("waits for validation; no AWS object"),
    "aws:wafv2/webAcl:WebAcl": priced(/^WAF /, "web ACL and rule months, requests inspected"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": free("part of the web ACL's price"),
    "aws:wafv2/ipSet:IpSet": free("IP sets have no charge; the rule using one is priced with the web ACL"),
    // ── Data ────────────────────────────────────────────────────────────────────────────────
    "aws:rds/cluster:Cluster": priced(/^Aurora /, "ACU hours, storage and I/O"),
    "aws:rds/clusterInstance:ClusterInstance": priced(/^Aurora Serverless v2 /, "its ACU hours (provisioned instances are reported as not priced)"),
    "aws:rds/subnetGroup:SubnetGroup": free("no charge"),
    "aws:elasticache/replicationGroup:ReplicationGroup": priced(/^ElastiCache /, "node hours"),
    "aws:elasticache/subnetGroup:SubnetGroup": free("no charge"),
    "aws:s3/bucket:Bucket": priced(/^S3: /, "access logs stored (at load); the CP config export is a few KB"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": free("a bucket setting (it bounds the priced storage)"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": free("a bucket setting"),
    "aws:s3/bucketPolicy:BucketPolicy": free("a bucket setting"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": free("a bucket setting"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": free("a bucket setting (SSE-S3 is free)"),
    "aws:s3/bucketVersioning:BucketVersioning": negligible("old versions of a few-KB config export"),
    "aws:ecr/repository:Repository": priced(/^ECR storage: repository /, "image storage, $0.10/GB-month"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": free("a repository setting (it bounds the priced storage)"),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": priced(/^ECR storage: pull-through cache /, "the cached images' storage"),
    "docker-build:index:Image": free("built on the deploying machine; pushed to the priced repository"),
    // ── Keys, secrets, certificates ─────────────────────────────────────────────────────────
    "aws:kms/key:Key": priced(/^KMS /, "a customer managed key-month"),
    "aws:kms/alias:Alias": free("no charge"),
    "aws:secretsmanager/secret:Secret": priced(/^Secrets Manager /, "a secret-month"),
    "aws:secretsmanager/secretVersion:SecretVersion": free("part of the secret's price"),
    "aws:ssm/parameter:Parameter": free("standard parameters are free"),
    "aws:acmpca/certificateAuthority:CertificateAuthority": priced(/^ACM Private CA /, "a CA-month"),
    "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate": free("installs the CA's own certificate"),
    "aws:acmpca/certificate:Certificate": priced(/^ACM Private CA certificates /, "each certificate issued"),
    "aws:iam/role:Role": free("IAM has no charge"),
    "aws:iam/rolePolicy:RolePolicy": free("IAM has no charge"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": free("IAM has no charge"),
    // ── Observability ───────────────────────────────────────────────────────────────────────
    "aws:cloudwatch/logGroup:LogGroup": priced(/^CloudWatch Logs: /, "GB ingested and kept"),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": priced(/^CloudWatch custom metrics from log metric filters/,
        "a custom metric; without a default value it publishes only on a match (admin writes): negligible", i => i.metricTransformation?.defaultValue !== undefined),
    "aws:cloudwatch/metricAlarm:MetricAlarm": priced(/^CloudWatch alarms × /, "an alarm metric-month"),
    "aws:cloudwatch/dashboard:Dashboard": priced(/^CloudWatch dashboards/, "a dashboard-month"),
    "aws:cloudwatch/eventRule:EventRule": free("EventBridge rules on the default bus: AWS service events and schedules are delivered free"),
    "aws:cloudwatch/eventTarget:EventTarget": free("part of its rule"),
    "aws:sns/topic:Topic": negligible("first 1M publishes a month free; alarms publish a few"),
    "aws:sns/topicSubscription:TopicSubscription": negligible("first 1,000 email deliveries a month free"),
    // ── Computed locally ────────────────────────────────────────────────────────────────────
    "tls:index/privateKey:PrivateKey": free("computed by the provider on the deploying machine"),
    "tls:index/selfSignedCert:SelfSignedCert": free("computed by the provider on the deploying machine"),
    "tls:index/certRequest:CertRequest": free("computed by the provider on the deploying machine"),
    "tls:index/locallySignedCert:LocallySignedCert": free("computed by the provider on the deploying machine"),
    "random:index/randomPassword:RandomPassword": free("computed by the provider on the deploying machine"),
    "random:index/randomId:RandomId": free("computed by the provider on the deploying machine"),
};

/** Component resources (kong:*, the stack) and providers are logical: no cloud object of their own. */
const LOGICAL: TypeBilling = free("a component or provider: a grouping in the program, no cloud object");

/** A plan step's billing, or undefined when the table does not know its type. */
export function billingOf(type: string, custom: boolean): TypeBilling | undefined {
    if (!custom || type.startsWith("pulumi:providers:")) return LOGICAL;
    return RESOURCE_TYPES[type];
}

/** The resource types of a plan, with their inputs (one entry per resource). */
export function planResourceTypes(plan: Plan): { type: string; custom: boolean; inputs: Record<string, any> }[] {
    return plan.steps.flatMap(step => {
        const st = step.newState ?? step.oldState;
        return st ? [{ type: st.type, custom: st.custom !== false, inputs: (st.inputs ?? {}) as Record<string, any> }] : [];
    });
}

/** Types in a plan the table does not classify: a billable type the estimate would silently count as free. */
export function unclassifiedTypes(plan: Plan): string[] {
    return [...new Set(planResourceTypes(plan).filter(r => !billingOf(r.type, r.custom)).map(r => r.type))].sort();
}
