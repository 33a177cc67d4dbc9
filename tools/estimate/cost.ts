// Monthly cost of a plan, idle and at a stated load, line by line, from the dated price table in
// prices.ts. A pure function of the plan JSON and the stated usage: what the plan fixes (task
// sizes and counts, NAT mode, endpoints, Aurora ACUs, CA mode, WAF rules, log retention) is read
// from it; what only traffic decides is an input (Load) or a stated assumption (ASSUMPTIONS).

import type { Plan } from "../../policy/offline";
import type { Resource } from "../../policy/lib/resolver";
import type { EcsService } from "../../policy/lib/topology";
import { T } from "../../policy/lib/types";
import { json, list, num, plain, str } from "../../policy/lib/values";
import { kongReleases } from "../../policy/lib/kube";
import { unclassifiedTypes } from "./billable";
import { ASSUMPTIONS, EC2_HOURLY, ELASTICACHE_NODE_HOURLY, HOURS_PER_MONTH, PRICES, SECONDS_PER_MONTH } from "./prices";
import { serviceName, viewPlan, type PlanView } from "./plan-view";
import { ENVIRONMENT_NAMES, READS_PER_RUN } from "../../components/cp-scaler/contract";

export interface Load {
    /** Requests per second through the public ALB, averaged over the month. */
    requestsPerSecond: number;
    /** Bytes per request and response together, proxied to the upstream and back to the client. */
    bytesPerRequest: number;
    /** Share of upstream traffic that leaves through NAT (upstreams on the internet): 0 to 1. */
    upstreamViaNat: number;
}

export const DEFAULT_LOAD: Load = { requestsPerSecond: 10, bytesPerRequest: 10_000, upstreamViaNat: 1 };

export interface CostOptions {
    load?: Partial<Load>;
    /** Hours a month the Control Plane runs; below 730 models a CP that sleeps (scale to zero). */
    cpRunningHoursPerMonth?: number;
    /** Where cpRunningHoursPerMonth comes from, for the assumptions line (e.g. a replayed trace). */
    cpHoursSource?: string;
}

export interface CostLine {
    item: string;
    /** "idle" lines are paid with no traffic; "load" lines are what the stated load adds. */
    kind: "idle" | "load";
    monthlyUsd: number;
}

export interface CostEstimate {
    monthlyUsd: { idle: number; load: number };
    lines: CostLine[];
    load: Load;
    cpRunningHoursPerMonth: number;
    /** Items the plan holds that the table has no price for (say so rather than count them as free). */
    unpriced: string[];
}

const NODE_TYPES = { eksCluster: "aws:eks/cluster:Cluster", eksNodeGroup: "aws:eks/nodeGroup:NodeGroup", ec2Instance: "aws:ec2/instance:Instance" };
const GB = 1e9;

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** The cost lines of a plan; totals are the sums of the lines (idle: the idle lines; load: all). */
export function estimateCost(plan: Plan, opts: CostOptions = {}): CostEstimate {
    const load: Load = { ...DEFAULT_LOAD, ...opts.load };
    const cpHours = opts.cpRunningHoursPerMonth ?? HOURS_PER_MONTH;
    for (const [key, value, max] of [["requestsPerSecond", load.requestsPerSecond, Infinity], ["bytesPerRequest", load.bytesPerRequest, Infinity],
        ["upstreamViaNat", load.upstreamViaNat, 1], ["cpRunningHoursPerMonth", cpHours, HOURS_PER_MONTH]] as const) {
        if (!(typeof value === "number" && value >= 0 && value <= max)) {
            throw new RangeError(`${key} = ${JSON.stringify(value)}: must be a number from 0 to ${max === Infinity ? "any" : max}`);
        }
    }
    const view = viewPlan(plan);
    const lines: CostLine[] = [];
    const unpriced: string[] = [];
    const add = (kind: CostLine["kind"], item: string, usd: number) => {
        if (usd > 0) lines.push({ item, kind, monthlyUsd: round2(usd) });
    };
    const requestsPerMonth = load.requestsPerSecond * SECONDS_PER_MONTH;
    const trafficGb = requestsPerMonth * load.bytesPerRequest / GB;

    // ── Fargate ────────────────────────────────────────────────────────────────────────────
    for (const s of view.cpServices) {
        const t = taskShape(view, s);
        const count = num(view.props(s.service).desiredCount) ?? 1;
        add("idle", `Fargate: Control Plane ${serviceName(s)} (${count} × ${t.label}, ${cpHours} h/month)`, count * t.hourly * spotFactor(view, s, count) * cpHours);
    }
    for (const s of view.dpServices) {
        const t = taskShape(view, s);
        const count = num(view.props(s.service).desiredCount) ?? 1;
        const factor = spotFactor(view, s, count);
        const spot = factor === 1 ? "" : factor <= 1 - PRICES.fargateSpotDiscount.usd ? ", on Spot" : ", part on Spot";
        add("idle", `Fargate: Data Plane ${serviceName(s)} (${count} × ${t.label}${spot})`, count * t.hourly * factor * HOURS_PER_MONTH);
        // Autoscaling adds tasks when the load needs more vCPU than the minimum gives.
        const max = scalingMax(view, s) ?? count;
        const needed = Math.min(max, Math.max(count, Math.ceil(load.requestsPerSecond / (ASSUMPTIONS.requestsPerSecondPerDpVcpu * t.vcpu))));
        if (needed > count) add("load", `Fargate: Data Plane ${serviceName(s)} scaled out to ${needed} tasks`, (needed - count) * t.hourly * HOURS_PER_MONTH);
    }

    // ── Load balancers ─────────────────────────────────────────────────────────────────────
    for (const lb of view.ofType(T.loadBalancer)) {
        const p = view.props(lb);
        const azs = list(p.subnets).length || list(p.subnetMappings).length || 1;
        add("idle", `ALB ${lb.name} (hours)`, PRICES.albHour.usd * HOURS_PER_MONTH);
        if (p.internal !== true) add("idle", `Public IPv4: ALB ${lb.name} (${azs} AZs)`, azs * PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH);
        // An LCU is the largest of: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed, 1,000 rule evaluations/s.
        const gbPerHour = trafficGb / HOURS_PER_MONTH;
        const lcu = Math.max(load.requestsPerSecond * ASSUMPTIONS.newConnectionsPerRequest / 25, gbPerHour / 1);
        add("load", `ALB ${lb.name} LCUs (${round2(lcu)} LCU)`, lcu * PRICES.albLcuHour.usd * HOURS_PER_MONTH);
        if (plainEnabled(p.accessLogs)) {
            const gb = requestsPerMonth * ASSUMPTIONS.accessLogBytesPerRequest / GB;
            const days = accessLogRetentionDays(view) ?? 30;
            add("load", `S3: ALB ${lb.name} access logs (${round2(gb)} GB/month kept ${days} days)`, gb * (days / 30) * PRICES.s3StandardGbMonth.usd);
        }
    }
    if (view.ofType(T.loadBalancer).length > 0) add("load", `Data transfer out to clients (${round2(trafficGb)} GB)`, trafficGb * PRICES.dataTransferOutGb.usd);

    // ── Network ────────────────────────────────────────────────────────────────────────────
    const nats = view.ofType(T.natGateway);
    if (nats.length > 0) {
        add("idle", `NAT gateway × ${nats.length} (hours)`, nats.length * PRICES.natGatewayHour.usd * HOURS_PER_MONTH);
        add("load", `NAT gateway data processed (${round2(trafficGb * load.upstreamViaNat)} GB to upstreams)`, trafficGb * load.upstreamViaNat * PRICES.natGatewayGb.usd);
    }
    const eips = view.ofType("aws:ec2/eip:Eip").length;
    if (eips > 0) add("idle", `Public IPv4: ${eips} Elastic IP${eips > 1 ? "s" : ""} (NAT)`, eips * PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH);
    for (const i of view.ofType(NODE_TYPES.ec2Instance)) {
        const type = str(view.props(i).instanceType) ?? "?";
        const price = EC2_HOURLY[type];
        if (!price) { unpriced.push(`EC2 instance ${i.name} (${type})`); continue; }
        const rootGb = num(view.props(i).rootBlockDevice?.volumeSize) ?? ASSUMPTIONS.natInstanceRootGb;
        add("idle", `EC2 ${type} ${i.name} (with ${rootGb} GB gp3)`, price.usd * HOURS_PER_MONTH + rootGb * PRICES.ebsGp3GbMonth.usd);
        if (view.props(i).associatePublicIpAddress === true) add("idle", `Public IPv4: EC2 ${i.name}`, PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH);
    }
    const endpoints = view.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter(e => view.props(e).vpcEndpointType === "Interface");
    if (endpoints.length > 0) {
        const azHours = endpoints.reduce((n, e) => n + Math.max(1, list(view.props(e).subnetIds).length), 0) * HOURS_PER_MONTH;
        const names = endpoints.map(e => String(view.props(e).serviceName ?? e.name).split(".").slice(3).join(".")).join(", ");
        add("idle", `Interface VPC endpoints × ${endpoints.length} (${names})`, azHours * PRICES.interfaceEndpointAzHour.usd);
    }

    // ── Database ───────────────────────────────────────────────────────────────────────────
    for (const c of view.ofType(T.rdsCluster)) {
        const p = view.props(c);
        const scaling = p.serverlessv2ScalingConfiguration ?? {};
        const min = num(scaling.minCapacity) ?? 0.5;
        const instances = view.ofType(T.rdsClusterInstance).filter(i => view.graph.refs(i, "clusterIdentifier", [T.rdsCluster]).targets.includes(c));
        const serverless = instances.filter(i => view.props(i).instanceClass === "db.serverless").length;
        // A connected CP keeps the cluster awake; with the CP asleep a 0-ACU cluster pauses.
        const awake = Math.max(min, ASSUMPTIONS.auroraActiveFloorAcu);
        const acuHours = serverless * (awake * cpHours + min * (HOURS_PER_MONTH - cpHours));
        add("idle", `Aurora Serverless v2 ${c.name} (${serverless} instance${serverless === 1 ? "" : "s"}, ${min}-${num(scaling.maxCapacity) ?? "?"} ACU)`, acuHours * PRICES.auroraAcuHour.usd);
        add("idle", `Aurora storage and I/O ${c.name}`, ASSUMPTIONS.auroraStorageGb * PRICES.auroraStorageGbMonth.usd + ASSUMPTIONS.auroraIoMillionsPerMonth * PRICES.auroraIoMillion.usd);
        if (instances.length > serverless) unpriced.push(`provisioned Aurora instances of ${c.name}`);
    }

    // ── Cache: the DP plugins' Redis (redisNodes) ──────────────────────────────────────────
    for (const g of view.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
        const p = view.props(g);
        const type = str(p.nodeType) ?? "?";
        const nodes = num(p.numCacheClusters) ?? 1;
        const price = ELASTICACHE_NODE_HOURLY[type];
        if (!price) { unpriced.push(`ElastiCache ${g.name} (${type})`); continue; }
        add("idle", `ElastiCache ${g.name} (${nodes} × ${type})`, nodes * price.usd * HOURS_PER_MONTH);
    }

    // ── Keys, secrets, certificates ────────────────────────────────────────────────────────
    const keys = view.ofType("aws:kms/key:Key").length;
    add("idle", `KMS customer managed key × ${keys}`, keys * PRICES.kmsKeyMonth.usd);
    const rdsSecrets = view.ofType(T.rdsCluster).filter(c => view.props(c).manageMasterUserPassword === true).length;
    const secrets = view.ofType("aws:secretsmanager/secret:Secret").length + rdsSecrets;
    add("idle", `Secrets Manager secrets × ${secrets}${rdsSecrets ? ` (incl. ${rdsSecrets} RDS-managed)` : ""}`, secrets * PRICES.secretMonth.usd);
    for (const ca of view.ofType("aws:acmpca/certificateAuthority:CertificateAuthority")) {
        const shortLived = view.props(ca).usageMode === "SHORT_LIVED_CERTIFICATE";
        add("idle", `ACM Private CA ${ca.name} (${shortLived ? "short-lived" : "general-purpose"})`, shortLived ? PRICES.pcaShortLivedMonth.usd : PRICES.pcaGeneralPurposeMonth.usd);
        const certs = view.ofType("aws:acmpca/certificate:Certificate").filter(x => view.graph.refs(x, "certificateAuthorityArn", [ca.type]).targets.includes(ca));
        // Each certificate is re-issued once per validity period: amortised per month.
        const perMonth = certs.reduce((n, x) => n + 30 / reissueDays(view, x), 0);
        add("idle", `ACM Private CA certificates (${round2(perMonth)} issued/month)`, perMonth * (shortLived ? PRICES.pcaShortLivedCert.usd : PRICES.pcaGeneralPurposeCert.usd));
    }

    // ── Edge: WAF, DNS ─────────────────────────────────────────────────────────────────────
    for (const acl of view.ofType("aws:wafv2/webAcl:WebAcl")) {
        const rules = list(view.props(acl).rules).length;
        add("idle", `WAF web ACL ${acl.name} (${rules} rules)`, PRICES.wafWebAclMonth.usd + rules * PRICES.wafRuleMonth.usd);
        add("load", `WAF requests (${round2(requestsPerMonth / 1e6)} M)`, requestsPerMonth / 1e6 * PRICES.wafRequestsMillion.usd);
    }
    const zones = view.ofType("aws:route53/zone:Zone").length + view.ofType("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").length;
    add("idle", `Route 53 hosted zones × ${zones} (incl. Cloud Map namespaces)`, zones * PRICES.route53ZoneMonth.usd);
    const registered = view.cpServices.filter(s => view.props(s.service).serviceRegistries)
        .reduce((n, s) => n + (num(view.props(s.service).desiredCount) ?? 1), 0);
    add("idle", `Cloud Map registered instances × ${registered}`, registered * PRICES.cloudMapInstanceMonth.usd * (cpHours / HOURS_PER_MONTH));

    // ── Logs ───────────────────────────────────────────────────────────────────────────────
    // Only ECS tasks (the awslogs driver) and the EKS control plane write to CloudWatch Logs here:
    // Kong's pods on EKS log to stdout on the node and nothing ships those lines to CloudWatch.
    const groups = view.ofType(T.logGroup);
    const retention = (g: Resource) => num(view.props(g).retentionInDays) ?? 30;
    const keep = (gb: number, days: number) => gb * PRICES.logsIngestGb.usd + gb * (days / 30) * PRICES.logsStorageGbMonth.usd;
    const eksGroups = new Map(view.ofType(NODE_TYPES.eksCluster).map(c => [c, groups.find(g => str(view.props(g).name) === `/aws/eks/${str(view.props(c).name)}/cluster`)]));
    for (const [c, g] of eksGroups) {
        const types = list(view.props(c).enabledClusterLogTypes).map(t => String(t));
        if (types.length === 0) continue;
        // Without a group of ours EKS creates one that never expires: priced as a year kept.
        const days = g ? retention(g) : 365;
        const gb = types.reduce((n, t) => n + (ASSUMPTIONS.eksControlPlaneLogGbMonth[t] ?? 0), 0);
        add("idle", `CloudWatch Logs: EKS control plane ${c.name} (${types.join(", ")}: ~${gb} GB/month, kept ${days} days)`, keep(gb, days));
    }
    const flowGroups = new Set(view.ofType("aws:ec2/flowLog:FlowLog").flatMap(f => view.graph.refs(f, "logDestination", [T.logGroup]).targets));
    const ecsGroups = groups.filter(g => !flowGroups.has(g) && ![...eksGroups.values()].includes(g));
    if (ecsGroups.length > 0 && view.services.length > 0) {
        const cpTaskMonths = view.cpServices.reduce((n, s) => n + (num(view.props(s.service).desiredCount) ?? 1), 0) * cpHours / HOURS_PER_MONTH;
        const dpTasks = view.dpServices.reduce((n, s) => n + (num(view.props(s.service).desiredCount) ?? 1), 0);
        const taskDays = Math.max(...ecsGroups.map(retention));
        add("idle", `CloudWatch Logs: Kong containers (${ecsGroups.length} groups, kept ${taskDays} days)`,
            keep((cpTaskMonths + dpTasks) * ASSUMPTIONS.idleLogGbPerTaskMonth, taskDays));
        // The load is taken to split evenly over the DP groups; only the ECS groups' access logs reach CloudWatch.
        const eksDpGroups = kongReleases(view.graph).filter(k => k.role === "data_plane").length;
        const ecsShare = view.dpServices.length / Math.max(1, view.dpServices.length + eksDpGroups);
        const share = ecsShare === 1 ? "" : ` (the ${view.dpServices.length} ECS of ${view.dpServices.length + eksDpGroups} DP groups)`;
        add("load", `CloudWatch Logs: Kong access logs${share}`, keep(ecsShare * requestsPerMonth * ASSUMPTIONS.accessLogBytesPerRequest / GB, taskDays));
    }
    for (const g of flowGroups) {
        add("idle", `CloudWatch Logs: VPC flow logs ${g.name} (kept ${retention(g)} days)`, keep(ASSUMPTIONS.idleFlowLogGbMonth, retention(g)));
        add("load", `CloudWatch Logs: VPC flow logs ${g.name} at load`, keep(requestsPerMonth * ASSUMPTIONS.flowLogBytesPerRequest / GB, retention(g)));
    }

    // ── Alarms and dashboards ──────────────────────────────────────────────────────────────
    const alarms = view.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    if (alarms.length > 0) {
        const metrics = alarms.reduce((n, a) => n + Math.max(1, list(view.props(a).metricQueries).filter(q => q?.metric).length), 0);
        add("idle", `CloudWatch alarms × ${alarms.length} (${metrics} metrics)`, metrics * PRICES.alarmMetricMonth.usd);
    }
    const tracking = view.ofType("aws:appautoscaling/policy:Policy").filter(p => view.props(p).policyType === "TargetTrackingScaling").length;
    add("idle", `CloudWatch alarms of target tracking policies × ${tracking} (${ASSUMPTIONS.targetTrackingAlarms} each)`,
        tracking * ASSUMPTIONS.targetTrackingAlarms * PRICES.alarmMetricMonth.usd);
    const dashboards = view.ofType("aws:cloudwatch/dashboard:Dashboard").length;
    add("idle", `CloudWatch dashboards × ${dashboards}`, dashboards * PRICES.dashboardMonth.usd);

    // ── Container Insights (ECS clusters with it on) ───────────────────────────────────────
    for (const cluster of view.ofType("aws:ecs/cluster:Cluster")) {
        const insights = list(view.props(cluster).settings).find(x => x?.name === "containerInsights")?.value;
        if (insights !== "enabled" && insights !== "enhanced") continue;
        if (insights === "enhanced") { unpriced.push(`Container Insights with enhanced observability on ${cluster.name} (priced per observation)`); continue; }
        const services = view.services.filter(s => view.graph.refs(s.service, "cluster", [cluster.type]).targets.includes(cluster));
        const families = new Set(services.flatMap(s => s.taskDefinitions.map(td => str(view.props(td).family) ?? td.name))).size;
        // Metrics per cluster, per service and per task definition family (not per task).
        const m = ASSUMPTIONS.containerInsightsMetrics;
        const metrics = m.perCluster + services.length * m.perService + families * m.perTaskFamily;
        const tasks = services.reduce((n, s) => n + (num(view.props(s.service).desiredCount) ?? 1) * (s.roles.has("control_plane") ? cpHours / HOURS_PER_MONTH : 1), 0);
        add("idle", `CloudWatch Container Insights ${cluster.name} (${metrics} metrics)`,
            metrics * PRICES.customMetricMonth.usd + tasks * ASSUMPTIONS.containerInsightsLogGbPerTaskMonth * PRICES.logsIngestGb.usd);
    }

    // ── Scheduled functions (the scale-to-zero controller) ─────────────────────────────────
    for (const fn of view.ofType("aws:lambda/function:Function")) {
        const p = view.props(fn);
        const schedules = view.ofType("aws:cloudwatch/eventTarget:EventTarget")
            .filter(t => view.graph.refs(t, "arn", [fn.type]).targets.includes(fn))
            .flatMap(t => view.graph.refs(t, "rule", ["aws:cloudwatch/eventRule:EventRule"]).targets)
            .map(r => str(view.props(r).scheduleExpression))
            .filter((x): x is string => !!x);
        if (schedules.length === 0) continue;
        const perMonth = schedules.map(runsPerMonth);
        if (perMonth.some(n => n === undefined)) { unpriced.push(`Lambda ${fn.name} (schedule ${schedules.join(", ")})`); continue; }
        const runs = (perMonth as number[]).reduce((n, x) => n + x, 0);
        const gb = (num(p.memorySize) ?? 128) / 1024;
        const arm = list(p.architectures).includes("arm64");
        const compute = runs * ASSUMPTIONS.scheduledFunctionSeconds * gb * (arm ? PRICES.lambdaGbSecondArm.usd : PRICES.lambdaGbSecondX86.usd);
        add("idle", `Lambda ${fn.name} (${round2(runs / 1000)}k runs/month at ${gb * 1024} MB)`, runs / 1e6 * PRICES.lambdaRequestsMillion.usd + compute);
        add("idle", `CloudWatch Logs: Lambda ${fn.name}`, runs * ASSUMPTIONS.scheduledFunctionLogBytes / GB * (PRICES.logsIngestGb.usd + PRICES.logsStorageGbMonth.usd));
        // The controller (it has a metric namespace): GetMetricData each run, and its own metric published every hour.
        if (json(p.environment)?.variables?.[ENVIRONMENT_NAMES.metricNamespace] === undefined) continue;
        // One metric a run but in the 15 minutes after each stop (≈ 1,000 runs a month with dev's trace): cents.
        add("idle", `CloudWatch GetMetricData: ${fn.name} (${READS_PER_RUN} metric${READS_PER_RUN === 1 ? "" : "s"} a run)`, runs * READS_PER_RUN / 1000 * PRICES.getMetricDataThousand.usd);
    }
    // A metric filter with a defaultValue publishes every hour its log group is written to; without
    // one, only in hours with a match (admin writes, refused admin calls: not an idle cost).
    const continuous = new Set(view.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")
        .map(f => json(view.props(f).metricTransformation) ?? {})
        .filter(t => t.defaultValue !== undefined)
        .map(t => `${t.namespace}/${t.name}`));
    add("idle", `CloudWatch custom metrics from log metric filters × ${continuous.size} (with a default value)`, continuous.size * PRICES.customMetricMonth.usd);

    // ── Kubernetes (EKS topologies) ────────────────────────────────────────────────────────
    for (const c of view.ofType(NODE_TYPES.eksCluster)) add("idle", `EKS cluster ${c.name}`, PRICES.eksClusterHour.usd * HOURS_PER_MONTH);
    for (const ng of view.ofType(NODE_TYPES.eksNodeGroup)) {
        const p = view.props(ng);
        const type = str(list(p.instanceTypes)[0]) ?? "?";
        const size = num(p.scalingConfig?.desiredSize) ?? num(p.scalingConfig?.minSize) ?? 1;
        const price = EC2_HOURLY[type];
        if (!price) { unpriced.push(`EKS node group ${ng.name} (${type})`); continue; }
        add("idle", `EKS nodes ${ng.name} (${size} × ${type})`, size * price.usd * HOURS_PER_MONTH);
        const gb = nodeDiskGb(view, ng);
        add("idle", `EBS: EKS nodes ${ng.name} (${size} × ${gb} GB gp3)`, size * gb * PRICES.ebsGp3GbMonth.usd);
    }
    // cert-manager certificates from the Private CA (AWSPCAClusterIssuer): one issue per renewal.
    const pcaIssued = view.ofType("kubernetes:cert-manager.io/v1:Certificate").filter(c => plain(view.props(c).spec?.issuerRef)?.kind === "AWSPCAClusterIssuer");
    if (pcaIssued.length > 0) {
        const cas = view.ofType("aws:acmpca/certificateAuthority:CertificateAuthority");
        const shortLived = cas.length > 0 && cas.every(ca => view.props(ca).usageMode === "SHORT_LIVED_CERTIFICATE");
        const perMonth = pcaIssued.reduce((n, c) => n + HOURS_PER_MONTH / certManagerReissueHours(view.props(c).spec ?? {}), 0);
        add("idle", `ACM Private CA certificates issued by cert-manager (${round2(perMonth)}/month)`, perMonth * (shortLived ? PRICES.pcaShortLivedCert.usd : PRICES.pcaGeneralPurposeCert.usd));
    }

    // ── Images (ECR) ───────────────────────────────────────────────────────────────────────
    for (const r of view.ofType("aws:ecr/repository:Repository")) {
        add("idle", `ECR storage: repository ${r.name} (~${ASSUMPTIONS.ecrRepositoryGb} GB)`, ASSUMPTIONS.ecrRepositoryGb * PRICES.ecrStorageGbMonth.usd);
    }
    for (const r of view.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")) {
        add("idle", `ECR storage: pull-through cache ${r.name} (~${ASSUMPTIONS.ecrPullThroughCacheGb} GB)`, ASSUMPTIONS.ecrPullThroughCacheGb * PRICES.ecrStorageGbMonth.usd);
    }

    // A billable type the estimate does not know would otherwise be free: name it.
    unpriced.push(...unclassifiedTypes(plan).map(t => `${t} (not in tools/estimate/billable.ts)`));

    const idle = round2(lines.filter(l => l.kind === "idle").reduce((n, l) => n + l.monthlyUsd, 0));
    const atLoad = round2(lines.reduce((n, l) => n + l.monthlyUsd, 0));
    return { monthlyUsd: { idle, load: atLoad }, lines, load, cpRunningHoursPerMonth: cpHours, unpriced };
}

/** What running the CP only `hours` a month saves against running it all month. */
export function cpSleepSavings(plan: Plan, hours: number, opts: CostOptions = {}): number {
    const always = estimateCost(plan, { ...opts, cpRunningHoursPerMonth: HOURS_PER_MONTH });
    const sleeping = estimateCost(plan, { ...opts, cpRunningHoursPerMonth: hours });
    return round2(always.monthlyUsd.idle - sleeping.monthlyUsd.idle);
}

interface TaskShape { vcpu: number; gb: number; arm: boolean; hourly: number; label: string }

function taskShape(view: PlanView, s: EcsService): TaskShape {
    const td = s.taskDefinitions[0];
    const p = td ? view.props(td) : {};
    const vcpu = (num(p.cpu) ?? 256) / 1024;
    const gb = (num(p.memory) ?? 512) / 1024;
    const arm = String(p.runtimePlatform?.cpuArchitecture ?? "X86_64").toUpperCase() === "ARM64";
    const hourly = arm
        ? vcpu * PRICES.fargateVcpuHourArm.usd + gb * PRICES.fargateGbHourArm.usd
        : vcpu * PRICES.fargateVcpuHourX86.usd + gb * PRICES.fargateGbHourX86.usd;
    return { vcpu, gb, arm, hourly, label: `${vcpu} vCPU/${gb} GB ${arm ? "ARM" : "x86"}` };
}

/**
 * Average price factor of a service's tasks: ECS places `base` tasks on the first provider, the
 * rest by weight; Spot tasks cost (1 - discount).
 */
export function spotFactor(view: PlanView, s: EcsService, count: number): number {
    const strategies = list(view.props(s.service).capacityProviderStrategies);
    if (strategies.length === 0 || count === 0) return 1;
    let spot = 0;
    let remaining = count;
    for (const st of strategies) {
        const base = Math.min(remaining, num(st.base) ?? 0);
        if (st.capacityProvider === "FARGATE_SPOT") spot += base;
        remaining -= base;
    }
    const totalWeight = strategies.reduce((n, st) => n + (num(st.weight) ?? 0), 0);
    const spotWeight = strategies.filter(st => st.capacityProvider === "FARGATE_SPOT").reduce((n, st) => n + (num(st.weight) ?? 0), 0);
    if (totalWeight > 0) spot += remaining * spotWeight / totalWeight;
    return 1 - (spot / count) * PRICES.fargateSpotDiscount.usd;
}

function scalingMax(view: PlanView, s: EcsService): number | undefined {
    // resourceId is "service/<cluster>/<service>": the engine's dependencies name the service.
    const target = view.ofType("aws:appautoscaling/target:Target")
        .find(t => view.graph.refs(t, "resourceId", [T.ecsService]).targets.includes(s.service));
    return target ? num(view.props(target).maxCapacity) : undefined;
}

/** Runs a month of an EventBridge `rate(...)` schedule; undefined for cron and anything else. */
export function runsPerMonth(expression: string): number | undefined {
    const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
    if (!m) return undefined;
    const minutes = Number(m[1]) * ({ minute: 1, hour: 60, day: 1440 } as const)[m[2].replace(/s$/, "") as "minute" | "hour" | "day"];
    return minutes > 0 ? HOURS_PER_MONTH * 60 / minutes : undefined;
}

function plainEnabled(v: unknown): boolean {
    const o = json(v);
    return !!o && o.enabled !== false;
}

function accessLogRetentionDays(view: PlanView): number | undefined {
    for (const lc of view.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")) {
        for (const rule of list(view.props(lc).rules)) {
            const days = num(rule?.expiration?.days);
            if (days !== undefined && rule.status !== "Disabled") return days;
        }
    }
    return undefined;
}

/** A node's disks: the launch template's EBS volumes (plus Bottlerocket's OS volume), else the node group's disk size. */
function nodeDiskGb(view: PlanView, ng: Resource): number {
    const p = view.props(ng);
    const lt = view.graph.refs(ng, "launchTemplate", ["aws:ec2/launchTemplate:LaunchTemplate"]).targets[0];
    const volumes = lt ? list(view.props(lt).blockDeviceMappings).map(m => num(m?.ebs?.volumeSize) ?? 0) : [];
    if (volumes.length === 0) return num(p.diskSize) ?? ASSUMPTIONS.nodeGroupDefaultDiskGb;
    const os = String(p.amiType ?? "").startsWith("BOTTLEROCKET") ? ASSUMPTIONS.bottlerocketRootGb : 0;
    return volumes.reduce((n, v) => n + v, 0) + os;
}

/** Hours between issues of a cert-manager Certificate: duration - renewBefore (cert-manager's defaults 2160h and 1/3 of it). */
export function certManagerReissueHours(spec: Record<string, any>): number {
    const hours = (v: unknown) => {
        const m = typeof v === "string" ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v) : null;
        return m && v ? Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600 : undefined;
    };
    const duration = hours(spec.duration) ?? 2160;
    const renewBefore = hours(spec.renewBefore) ?? duration / 3;
    return Math.max(1, duration - renewBefore);
}

/** Days between issues of a PCA certificate: its validity, or the renewal clock it ends with. */
function reissueDays(view: PlanView, cert: Resource): number {
    const validity = view.props(cert).validity ?? {};
    const value = num(validity.value);
    switch (String(validity.type ?? "").toUpperCase()) {
        case "YEARS": return (value ?? 1) * 365;
        case "MONTHS": return (value ?? 12) * 30;
        case "DAYS": return value ?? 365;
    }
    // END_DATE from a renewal clock (a tls.SelfSignedCert): `pulumi up` re-issues when the clock's
    // early-renewal window opens, i.e. every validityPeriodHours - earlyRenewalHours.
    const clock = view.graph.refs(cert, "validity", ["tls:index/selfSignedCert:SelfSignedCert"]).targets[0];
    const hours = clock ? (num(view.props(clock).validityPeriodHours) ?? 0) - (num(view.props(clock).earlyRenewalHours) ?? 0) : 0;
    return hours > 0 ? hours / 24 : 365;
}
