// The dated price table the cost estimate reads: us-east-1 on-demand list prices in USD, each with
// the public AWS pricing page it comes from. One month is 730 hours (AWS's own convention).
//
// Region differences: every stack is priced at these us-east-1 rates, whatever its aws:region, and
// the targets are judged on the us-east-1 figure. dev and prod deploy to eu-west-1; as of
// 2026-11-30 no eu-west-1 figure for the lines that dominate them (ALB hour and LCU, Fargate ARM
// vCPU/GB, public IPv4, NAT gateway, t4g.nano, Aurora ACU) could be checked against a public AWS
// price source from the search tools this project's estimate was written with, so the table holds
// us-east-1 only and `npm run plan` says so (regionLine). Read the region's tab on each page below before
// budgeting for another region. Prices change rarely but do change: re-check them and update PRICES_AS_OF.

export const PRICES_AS_OF = "2026-10";
export const PRICE_REGION = "us-east-1";
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export interface Price {
    usd: number;
    unit: string;
    source: string;
    note?: string;
}

const FARGATE = "https://aws.amazon.com/fargate/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const AURORA = "https://aws.amazon.com/rds/aurora/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const SECRETS = "https://aws.amazon.com/secrets-manager/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const WAF = "https://aws.amazon.com/waf/pricing/";
const PCA = "https://aws.amazon.com/private-ca/pricing/";
const ROUTE53 = "https://aws.amazon.com/route53/pricing/";
const CLOUD_MAP = "https://aws.amazon.com/cloud-map/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const EKS = "https://aws.amazon.com/eks/pricing/";
const ELASTICACHE = "https://aws.amazon.com/elasticache/pricing/";
const ECR = "https://aws.amazon.com/ecr/pricing/";

export const PRICES = {
    fargateVcpuHourX86: { usd: 0.04048, unit: "vCPU-hour (Linux/x86)", source: FARGATE },
    fargateGbHourX86: { usd: 0.004445, unit: "GB-hour (Linux/x86)", source: FARGATE },
    fargateVcpuHourArm: { usd: 0.03238, unit: "vCPU-hour (Linux/ARM)", source: FARGATE },
    fargateGbHourArm: { usd: 0.00356, unit: "GB-hour (Linux/ARM)", source: FARGATE },
    fargateSpotDiscount: {
        usd: 0.7, unit: "fraction off on-demand (Fargate Spot)", source: FARGATE,
        note: "AWS advertises 'up to 70%'; the Spot price floats per region and AZ, so this is an assumption",
    },
    albHour: { usd: 0.0225, unit: "ALB-hour", source: ELB },
    albLcuHour: { usd: 0.008, unit: "LCU-hour", source: ELB },
    natGatewayHour: { usd: 0.045, unit: "NAT gateway-hour", source: VPC },
    natGatewayGb: { usd: 0.045, unit: "GB processed by a NAT gateway", source: VPC },
    publicIpv4Hour: { usd: 0.005, unit: "public IPv4 address-hour (in use or idle)", source: VPC },
    interfaceEndpointAzHour: { usd: 0.01, unit: "interface endpoint-hour per AZ", source: "https://aws.amazon.com/privatelink/pricing/" },
    interfaceEndpointGb: { usd: 0.01, unit: "GB processed by an interface endpoint", source: "https://aws.amazon.com/privatelink/pricing/" },
    dataTransferOutGb: { usd: 0.09, unit: "GB out to the internet (first 10 TB/month)", source: EC2, note: "the account-wide 100 GB/month free tier is ignored" },
    ebsGp3GbMonth: { usd: 0.08, unit: "gp3 GB-month", source: EBS },
    auroraAcuHour: { usd: 0.12, unit: "ACU-hour (Aurora Serverless v2, Aurora Standard)", source: AURORA },
    auroraStorageGbMonth: { usd: 0.1, unit: "GB-month (Aurora Standard)", source: AURORA },
    auroraIoMillion: { usd: 0.2, unit: "million I/O requests (Aurora Standard)", source: AURORA },
    kmsKeyMonth: { usd: 1, unit: "customer managed key-month", source: KMS },
    secretMonth: { usd: 0.4, unit: "secret-month (RDS-managed secrets count too)", source: SECRETS },
    logsIngestGb: { usd: 0.5, unit: "GB ingested (CloudWatch Logs, standard class)", source: CLOUDWATCH },
    logsStorageGbMonth: { usd: 0.03, unit: "GB-month archived (CloudWatch Logs)", source: CLOUDWATCH },
    alarmMetricMonth: { usd: 0.1, unit: "standard-resolution alarm metric-month (a metric math alarm pays for each metric it reads)", source: CLOUDWATCH, note: "the account-wide 10 free alarms are ignored" },
    dashboardMonth: { usd: 3, unit: "dashboard-month", source: CLOUDWATCH, note: "the account-wide 3 free dashboards are ignored" },
    wafWebAclMonth: { usd: 5, unit: "web ACL-month", source: WAF },
    wafRuleMonth: { usd: 1, unit: "rule-month (a managed rule group counts as one rule)", source: WAF },
    wafRequestsMillion: { usd: 0.6, unit: "million requests inspected", source: WAF, note: "up to 1,500 WCU per ACL; Bot Control, ATP and ACFP cost extra" },
    pcaGeneralPurposeMonth: { usd: 400, unit: "general-purpose private CA-month", source: PCA },
    pcaGeneralPurposeCert: { usd: 0.75, unit: "certificate issued (first 1,000/month, general-purpose)", source: PCA },
    pcaShortLivedMonth: { usd: 50, unit: "short-lived-certificate private CA-month", source: PCA },
    pcaShortLivedCert: { usd: 0.058, unit: "certificate issued (short-lived mode)", source: PCA },
    route53ZoneMonth: { usd: 0.5, unit: "hosted zone-month (a Cloud Map DNS namespace is one)", source: ROUTE53 },
    cloudMapInstanceMonth: { usd: 0.1, unit: "registered service instance-month", source: CLOUD_MAP },
    s3StandardGbMonth: { usd: 0.023, unit: "GB-month (S3 Standard, first 50 TB)", source: S3 },
    s3PutThousand: { usd: 0.005, unit: "1,000 PUT requests", source: S3 },
    lambdaRequestsMillion: { usd: 0.2, unit: "million invocations", source: LAMBDA },
    lambdaGbSecondArm: { usd: 0.0000133334, unit: "GB-second (arm64)", source: LAMBDA },
    lambdaGbSecondX86: { usd: 0.0000166667, unit: "GB-second (x86)", source: LAMBDA },
    customMetricMonth: {
        usd: 0.3, unit: "custom metric-month (first 10,000), prorated by the hour it is published", source: CLOUDWATCH,
        note: "the account-wide 10 free custom metrics are ignored",
    },
    getMetricDataThousand: { usd: 0.01, unit: "1,000 metrics requested with GetMetricData", source: CLOUDWATCH },
    ecrStorageGbMonth: { usd: 0.1, unit: "GB-month stored in a private repository (pull-through cache repositories too)", source: ECR },
    eksClusterHour: { usd: 0.1, unit: "EKS cluster-hour (standard support)", source: EKS, note: "$0.60/hour once the Kubernetes version is in extended support" },
} satisfies Record<string, Price>;

/** One line for `npm run plan`: the stack's own region next to the us-east-1 figure the targets are judged on. */
export function regionLine(region: string, idleUsd: number): string {
    const idle = `$${idleUsd.toFixed(2)} idle`;
    if (region === PRICE_REGION) return `  region ${region}: the price table's own region (${idle} at its list prices)`;
    return `  region ${region}: not in the price table (no ${region} price verified from a public AWS source); ` +
        `the targets are judged on the ${PRICE_REGION} figure above (${idle})`;
}

/** On-demand Linux EC2 prices per hour, for NAT instances and (later) EKS nodes. */
export const EC2_HOURLY: Readonly<Record<string, Price>> = {
    "t4g.nano": { usd: 0.0042, unit: "instance-hour", source: EC2 },
    "t4g.micro": { usd: 0.0084, unit: "instance-hour", source: EC2 },
    "t4g.small": { usd: 0.0168, unit: "instance-hour", source: EC2 },
    "t4g.medium": { usd: 0.0336, unit: "instance-hour", source: EC2 },
    "t3.nano": { usd: 0.0052, unit: "instance-hour", source: EC2 },
    "t3.micro": { usd: 0.0104, unit: "instance-hour", source: EC2 },
    "t3.large": { usd: 0.0832, unit: "instance-hour", source: EC2 },
    "m7g.large": { usd: 0.0816, unit: "instance-hour", source: EC2 },
    "m6i.large": { usd: 0.096, unit: "instance-hour", source: EC2 },
};

/**
 * On-demand ElastiCache (Redis OSS) node prices per hour, for the DP plugins' Redis (redisNodes).
 * Not checked against the pricing page here (its node table did not load in the stored copy):
 * re-read the page's us-east-1 Redis OSS tab before relying on these; Valkey nodes list ~20% lower.
 */
export const ELASTICACHE_NODE_HOURLY: Readonly<Record<string, Price>> = {
    "cache.t4g.micro": { usd: 0.016, unit: "node-hour (Redis OSS)", source: ELASTICACHE },
    "cache.t4g.small": { usd: 0.032, unit: "node-hour (Redis OSS)", source: ELASTICACHE },
    "cache.t4g.medium": { usd: 0.065, unit: "node-hour (Redis OSS)", source: ELASTICACHE },
};

/**
 * Usage the plan cannot know, stated so a reader can disagree with a number and change it.
 * Each is a modelling assumption, not a price.
 */
export const ASSUMPTIONS = {
    /** Kong's access log line and the ALB access log entry, bytes per request. */
    accessLogBytesPerRequest: 300,
    /** Logs a running task writes with no traffic (start-up, health checks, config sync), GB per task-month. */
    idleLogGbPerTaskMonth: 0.05,
    /** VPC flow log records with no traffic (health checks, sync, NAT), GB per month. */
    idleFlowLogGbMonth: 1,
    /** Flow log bytes per proxied request (client and upstream flows). */
    flowLogBytesPerRequest: 200,
    /** New client connections per request: clients keep connections alive for ~10 requests. */
    newConnectionsPerRequest: 0.1,
    /** Requests one DP vCPU serves before autoscaling adds a task (Kong with a few plugins). */
    requestsPerSecondPerDpVcpu: 500,
    /** Kong's database is small: configuration only. */
    auroraStorageGb: 1,
    /** CP polling and config writes, I/O requests per month. */
    auroraIoMillionsPerMonth: 2,
    /** While the CP is connected Aurora does not pause: a 0-ACU minimum runs at 0.5 ACU. */
    auroraActiveFloorAcu: 0.5,
    /** A NAT instance's root volume. */
    natInstanceRootGb: 8,
    /**
     * One run of a scheduled function, seconds: the scale-to-zero controller makes six short AWS
     * calls (ECS, ELB, CloudWatch, S3, SSM) per tick.
     */
    scheduledFunctionSeconds: 0.3,
    /** Log bytes per run of a scheduled function: Lambda's START/END/REPORT lines and one JSON record. */
    scheduledFunctionLogBytes: 1000,
    /**
     * EKS control-plane logs a small cluster writes a month, GB per log type. Audit dominates: every
     * controller (cert-manager, the load balancer controller, external-secrets, reloader,
     * metrics-server, CoreDNS, kube-controller-manager) renews its leader-election lease every few
     * seconds and each renewal is an audit event of ~1-2 KB. Not measured here: read the log group's
     * IncomingBytes after a week and replace these.
     */
    eksControlPlaneLogGbMonth: { api: 2, audit: 15, authenticator: 0.5, controllerManager: 2, scheduler: 0.5 } as Readonly<Record<string, number>>,
    /** Bottlerocket's OS (root) volume, 2 GiB in its AMIs, next to the data volume the launch template sizes (https://github.com/bottlerocket-os/bottlerocket, README: two volumes). */
    bottlerocketRootGb: 2,
    /** A managed node group's disk when no launch template sizes it (aws_eks_node_group disk_size default). */
    nodeGroupDefaultDiskGb: 20,
    /**
     * Container Insights (ECS, not enhanced) publishes metrics per cluster, per service and per task
     * definition family, each billed as a custom metric
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html,
     * the Fargate rows): CPU, memory, ephemeral storage (reserved and used), network and storage bytes,
     * plus task/service counts at cluster level and desired/running/pending/deployment/task-set counts
     * per service. The counts are this reading of that table, an assumption to re-check there.
     */
    containerInsightsMetrics: { perCluster: 12, perService: 15, perTaskFamily: 11 },
    /** Container Insights' performance log events (one per task a minute, ~1 KB), GB per task-month. */
    containerInsightsLogGbPerTaskMonth: 0.05,
    /** Alarms a target tracking scaling policy creates for itself, one metric each (high and low). */
    targetTrackingAlarms: 2,
    /** A private repository of plugin images: a few Kong images of ~0.15 GB compressed (what the lifecycle policy keeps). */
    ecrRepositoryGb: 0.5,
    /** A pull-through cache: the Kong image versions pulled, ~0.15 GB compressed each. */
    ecrPullThroughCacheGb: 0.3,
} as const;
