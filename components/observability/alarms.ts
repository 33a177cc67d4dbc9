import type * as pulumi from "@pulumi/pulumi";
import { METRICS, START_PENDING_DIMENSION } from "../cp-scaler/contract";

// What breaks users, as CloudWatch alarm definitions: pure data over plain inputs (names, ARN
// suffixes), so the rules are read and tested in one place and the component only registers them.
// Metric names and dimensions: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Container-Insights-metrics-ECS.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.viewing.monitoring.html,
// https://docs.aws.amazon.com/acm/latest/userguide/cloudwatch-metrics.html, https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html

type In<T> = pulumi.Input<T>;

export interface DataPlaneGroupRef {
    /** The group's name in the stack, e.g. dp-public. */
    group: string;
    /**
     * The group's ECS service, when it runs on ECS: its task count is watched. A group on EKS has
     * none (its pods are the HPA's): see eks.
     */
    ecs?: {
        clusterName: In<string>;
        serviceName: In<string>;
        /** The autoscaling minimum: fewer running tasks is an outage in the making. */
        minTasks: number;
    };
    /**
     * The group's pods, when it runs on EKS: they are its target group's IP targets (the Load Balancer
     * Controller registers them), so the ALB's healthy targets count them against the HPA's minimum.
     */
    eks?: { minPods: number };
    /**
     * Behind a load balancer: its ARN suffixes (app/…/…, targetgroup/…/…), the dimensions
     * AWS/ApplicationELB uses, and the load balancer's name in the stack (groups behind the same one
     * share its alarm on the 5xx the ALB answers itself; @default the group's own name).
     */
    alb?: { loadBalancerArnSuffix: In<string>; targetGroupArnSuffix: In<string>; loadBalancer?: string };
}

/** A CP that runs as an ECS service. */
export interface EcsControlPlaneRef {
    runtime?: "ecs";
    clusterName: In<string>;
    serviceName: In<string>;
    /** Tasks when running (0: stopped on purpose, no alarm). */
    desiredCount: number;
    /** The scale-to-zero controller (components/cp-scaler), when it owns the CP's desired count. */
    scaler?: { metricNamespace: string; startTimeoutMinutes: number; logGroupName?: In<string> };
}

/**
 * A CP that runs as a Kong release on EKS: no ECS service, and without Container Insights for EKS
 * (a paid add-on) no CloudWatch metric counts its pods. Its one free signal is the stack's Aurora:
 * the CP is the database's only client (only the CP pods' security group reaches it), and a running
 * Kong CP always holds a connection (it polls cluster_events every db_update_frequency, 5 s, and
 * writes each DP's last_seen on every ping). No connection at all is a CP that is not running.
 * Kong: https://github.com/Kong/kong/blob/master/kong/init.lua (init_worker: cluster_events and cache on every database-backed node)
 * EKS's free metrics are the API server's and scheduler's, by ClusterName only: https://docs.aws.amazon.com/eks/latest/userguide/cloudwatch.html
 */
export interface EksControlPlaneRef {
    runtime: "eks";
    /** The release's replicas (eksCpReplicas): described, not counted (connections are per worker, not per pod). */
    replicas: number;
    /** No scale-to-zero controller: components/cp-scaler drives an ECS service's desired count. */
    scaler?: never;
}

export type ControlPlaneRef = EcsControlPlaneRef | EksControlPlaneRef;

export interface ObservedStack {
    /** Prefix of physical names, e.g. kong-dev. */
    namePrefix: string;
    region: string;
    /** ECS Container Insights on the cluster: gives RunningTaskCount per service (false without an ECS cluster). */
    containerInsights: boolean;
    dataPlanes: DataPlaneGroupRef[];
    controlPlane: ControlPlaneRef;
    database: { clusterIdentifier: In<string>; maxCapacity: number };
    /** ACM certificates in front of users (the ALB's). */
    certificates: { name: string; arn: In<string> }[];
    /** Regional web ACLs on the ALB, by name (the WebACL dimension is the name). */
    webAcls: { name: In<string> }[];
    thresholds?: Partial<Thresholds>;
}

export interface Thresholds {
    /** Percent of requests answered 5xx over a minute (by the targets, or by the ALB itself). */
    errorRatePercent: number;
    /** Days before expiry: ACM renews its own certificates 60 days ahead, so ≤ 30 means renewal is stuck. */
    certificateDaysToExpiry: number;
    /** Requests WAF blocks per 5 minutes. */
    wafBlockedPer5Minutes: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
    errorRatePercent: 5,
    certificateDaysToExpiry: 30,
    wafBlockedPer5Minutes: 500,
});

type MetricStat = { namespace: string; metricName: string; dimensions: Record<string, In<string>>; stat: string; period: number };

/** One alarm: either one metric, or metric math whose `expression` query returns the data. */
export interface AlarmSpec {
    /** Suffix of the resource and alarm name. */
    key: string;
    description: string;
    comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
    threshold: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: "breaching" | "notBreaching" | "missing" | "ignore";
    metric?: MetricStat;
    math?: { expression: string; label: string; inputs: Record<string, MetricStat> };
}

const ALB = "AWS/ApplicationELB";

function albDims(a: NonNullable<DataPlaneGroupRef["alb"]>): Record<string, In<string>> {
    return { LoadBalancer: a.loadBalancerArnSuffix, TargetGroup: a.targetGroupArnSuffix };
}

/** Running tasks of an ECS service: Container Insights counts them; without it, the ALB's healthy targets do. */
function runningTasks(insights: boolean, clusterName: In<string>, serviceName: In<string>, alb?: DataPlaneGroupRef["alb"]): MetricStat | undefined {
    if (insights) return { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: { ClusterName: clusterName, ServiceName: serviceName }, stat: "Minimum", period: 60 };
    if (alb) return { namespace: ALB, metricName: "HealthyHostCount", dimensions: albDims(alb), stat: "Minimum", period: 60 };
    return undefined;
}

/**
 * The connections to the Aurora writer, the role-based form AWS recommends alarming on
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/creating_alarms.html): the CP is the only client.
 */
function cpDatabaseConnections(clusterIdentifier: In<string>): MetricStat {
    return { namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: { DBClusterIdentifier: clusterIdentifier, Role: "WRITER" }, stat: "Maximum", period: 60 };
}

/**
 * The CP's state at a glance on the dashboard, whatever the alarms watch: its running tasks on ECS
 * (Container Insights, else the service's CPU samples), its database connections on EKS.
 */
export function controlPlaneState(s: Pick<ObservedStack, "controlPlane" | "containerInsights" | "database">): { title: string; metric: Omit<MetricStat, "period"> } {
    const cp = s.controlPlane;
    if (cp.runtime === "eks") {
        const { period: _, ...metric } = cpDatabaseConnections(s.database.clusterIdentifier);
        return { title: "Control Plane (EKS): connections to Aurora, its only client", metric };
    }
    const dimensions = { ClusterName: cp.clusterName, ServiceName: cp.serviceName };
    return {
        title: "Control Plane: running tasks",
        metric: s.containerInsights
            ? { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions, stat: "Maximum" }
            : { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions, stat: "SampleCount" },
    };
}

/** The WebACL dimension is the ACL's name: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id> → <name>. */
export function webAclNameFromArn(arn: string): string {
    const m = /:(?:regional|global)\/webacl\/([^/]+)\/[^/]+$/.exec(arn);
    if (!m) throw new Error(`web ACL ARN ${JSON.stringify(arn)}: expected arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>`);
    return m[1];
}

/** Refuses inputs no metric can watch, one line each. */
export function observedStackProblems(s: ObservedStack): string[] {
    const problems: string[] = [];
    for (const g of s.dataPlanes) {
        if (!g.ecs && !g.eks && !g.alb) problems.push(`Observability: DP group ${g.group} has neither an ECS service nor a target group: no metric watches it; give it its load balancer's ARN suffixes`);
        if (g.ecs && !s.containerInsights && !g.alb) problems.push(`Observability: DP group ${g.group} has no target group and Container Insights is off: no metric counts its tasks; turn Container Insights on for the cluster`);
        if (g.ecs && (!Number.isInteger(g.ecs.minTasks) || g.ecs.minTasks < 0)) problems.push(`Observability: DP group ${g.group} minTasks = ${g.ecs.minTasks}: must be a whole number of 0 or more`);
        if (g.eks && !g.alb) problems.push(`Observability: DP group ${g.group} runs on EKS without a target group: no free metric counts its pods; give it its load balancer's ARN suffixes`);
        if (g.eks && (!Number.isInteger(g.eks.minPods) || g.eks.minPods < 0)) problems.push(`Observability: DP group ${g.group} minPods = ${g.eks.minPods}: must be a whole number of 0 or more`);
    }
    if (s.database.maxCapacity <= 0) problems.push(`Observability: database maxCapacity = ${s.database.maxCapacity}: must be more than 0 ACU`);
    return problems;
}

/** The alarms of a stack, in a stable order. */
export function alarmSpecs(s: ObservedStack): AlarmSpec[] {
    const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...s.thresholds };
    const specs: AlarmSpec[] = [];
    for (const g of s.dataPlanes) {
        if (g.alb) {
            const dims = albDims(g.alb);
            const count = (metricName: string): MetricStat => ({ namespace: ALB, metricName, dimensions: dims, stat: "Sum", period: 60 });
            specs.push({
                key: `${g.group}-5xx-rate`,
                description: `DP group ${g.group}: more than ${t.errorRatePercent}% of requests answered 5xx by Kong or its upstreams (3 of 5 minutes)`,
                comparisonOperator: "GreaterThanThreshold", threshold: t.errorRatePercent, evaluationPeriods: 5, datapointsToAlarm: 3,
                // No requests is no error: the rate is 0 then, not missing.
                treatMissingData: "notBreaching",
                math: { expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx % of requests", inputs: { errors: count("HTTPCode_Target_5XX_Count"), requests: count("RequestCount") } },
            });
            specs.push({
                key: `${g.group}-unhealthy-targets`,
                description: `DP group ${g.group}: a target fails the ALB health check (/status/ready) for 3 of 5 minutes`,
                comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "notBreaching",
                metric: { namespace: ALB, metricName: "UnHealthyHostCount", dimensions: dims, stat: "Maximum", period: 60 },
            });
        }
        const running = g.ecs && runningTasks(s.containerInsights, g.ecs.clusterName, g.ecs.serviceName, g.alb);
        if (g.ecs && running && g.ecs.minTasks > 0) {
            specs.push({
                key: `${g.group}-tasks-below-minimum`,
                description: `DP group ${g.group}: fewer than ${g.ecs.minTasks} ${running.metricName === "HealthyHostCount" ? "healthy targets" : "running tasks"} for 3 minutes (Spot reclaims, failing starts, quota)`,
                comparisonOperator: "LessThanThreshold", threshold: g.ecs.minTasks, evaluationPeriods: 3, datapointsToAlarm: 3,
                // Neither metric is published for a service with no task: silence is the outage.
                treatMissingData: "breaching",
                metric: running,
            });
        }
        if (g.eks && g.alb && g.eks.minPods > 0) {
            specs.push({
                key: `${g.group}-pods-below-minimum`,
                description: `DP group ${g.group}: fewer than ${g.eks.minPods} healthy pods (the target group's healthy targets) for 3 minutes (failing starts, no node capacity, evictions)`,
                comparisonOperator: "LessThanThreshold", threshold: g.eks.minPods, evaluationPeriods: 3, datapointsToAlarm: 3,
                // The ALB publishes nothing for a target group with no target: silence is the outage.
                treatMissingData: "breaching",
                metric: { namespace: ALB, metricName: "HealthyHostCount", dimensions: albDims(g.alb), stat: "Minimum", period: 60 },
            });
        }
    }
    // The 5xx the ALB answers itself (no healthy target, a target that resets or times out: 502,
    // 503, 504) count in HTTPCode_ELB_5XX_Count per load balancer, never in the targets' count
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
    const seen = new Set<string>();
    for (const g of s.dataPlanes) {
        if (!g.alb) continue;
        const lb = g.alb.loadBalancer ?? g.group;
        if (seen.has(lb)) continue;
        seen.add(lb);
        const count = (metricName: string): MetricStat => ({ namespace: ALB, metricName, dimensions: { LoadBalancer: g.alb!.loadBalancerArnSuffix }, stat: "Sum", period: 60 });
        specs.push({
            key: `${lb}-elb-5xx-rate`,
            description: `Load balancer ${lb}: more than ${t.errorRatePercent}% of requests answered 5xx by the ALB itself (no healthy Kong task, resets, timeouts; 3 of 5 minutes)`,
            comparisonOperator: "GreaterThanThreshold", threshold: t.errorRatePercent, evaluationPeriods: 5, datapointsToAlarm: 3,
            treatMissingData: "notBreaching",
            math: { expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "ALB 5xx % of requests", inputs: { errors: count("HTTPCode_ELB_5XX_Count"), requests: count("RequestCount") } },
        });
    }
    const cp = s.controlPlane;
    if (cp.runtime === "eks") {
        specs.push({
            key: "cp-not-running",
            description: `Control Plane on EKS (${cp.replicas} replica(s)): no connection to its Aurora cluster for 3 minutes, so no CP pod is running (or none reaches the database); admin writes and new DPs wait`,
            comparisonOperator: "LessThanThreshold", threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 3,
            // A paused Aurora (0 ACU: nobody connected) may publish nothing: silence is the outage too.
            treatMissingData: "breaching",
            metric: cpDatabaseConnections(s.database.clusterIdentifier),
        });
    } else if (cp.scaler) {
        specs.push({
            key: "cp-not-running-while-awake",
            description: `Control Plane: the controller says awake but no task has run for ${cp.scaler.startTimeoutMinutes} min (image pull, migrations, Aurora resume?); admin writes and new DPs wait`,
            comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: cp.scaler.startTimeoutMinutes * 60, evaluationPeriods: 1, datapointsToAlarm: 1,
            // The controller writes the metric each minute; none while asleep or healthy is fine.
            treatMissingData: "notBreaching",
            // The stack's only alarm on the controller's start-pending metric (the CpScaler has none of its own).
            metric: { namespace: cp.scaler.metricNamespace, metricName: METRICS.startPending, dimensions: { [START_PENDING_DIMENSION]: cp.serviceName }, stat: "Maximum", period: 60 },
        });
    } else if (cp.desiredCount > 0) {
        // Without the controller the CP should always run. Without Container Insights, ECS publishes
        // service CPUUtilization only while a task runs: a missing sample is a stopped CP.
        specs.push({
            key: "cp-not-running",
            description: `Control Plane: fewer than ${s.containerInsights ? cp.desiredCount : 1} running task(s) for 3 minutes; admin writes and new DPs wait`,
            comparisonOperator: "LessThanThreshold", threshold: s.containerInsights ? cp.desiredCount : 1, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "breaching",
            metric: s.containerInsights
                ? runningTasks(true, cp.clusterName, cp.serviceName)!
                : { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: cp.clusterName, ServiceName: cp.serviceName }, stat: "SampleCount", period: 60 },
        });
    }
    specs.push({
        key: "db-at-max-acu",
        description: `Aurora at its maximum of ${s.database.maxCapacity} ACU for 10 minutes: it cannot grow; raise dbMaxCapacity`,
        comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: s.database.maxCapacity, evaluationPeriods: 10, datapointsToAlarm: 10, treatMissingData: "notBreaching",
        metric: { namespace: "AWS/RDS", metricName: "ServerlessDatabaseCapacity", dimensions: { DBClusterIdentifier: s.database.clusterIdentifier }, stat: "Maximum", period: 60 },
    });
    for (const c of s.certificates) {
        specs.push({
            key: `${c.name}-cert-expiry`,
            description: `Certificate ${c.name} expires within ${t.certificateDaysToExpiry} days: ACM renews 60 days ahead, so renewal is stuck (DNS validation record gone?) or the certificate is imported`,
            comparisonOperator: "LessThanOrEqualToThreshold", threshold: t.certificateDaysToExpiry, evaluationPeriods: 1, datapointsToAlarm: 1,
            // ACM publishes DaysToExpiry once a day.
            treatMissingData: "missing",
            metric: { namespace: "AWS/CertificateManager", metricName: "DaysToExpiry", dimensions: { CertificateArn: c.arn }, stat: "Minimum", period: 86400 },
        });
    }
    s.webAcls.forEach((w, i) => {
        specs.push({
            key: `waf-blocks-spiking${s.webAcls.length > 1 ? `-${i + 1}` : ""}`,
            description: `WAF blocked more than ${t.wafBlockedPer5Minutes} requests in 5 minutes: an attack, or a rule blocking real clients`,
            comparisonOperator: "GreaterThanThreshold", threshold: t.wafBlockedPer5Minutes, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching",
            metric: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: { WebACL: w.name, Region: s.region, Rule: "ALL" }, stat: "Sum", period: 300 },
        });
    });
    return specs;
}
