// How long a deploy takes, from the plan: the first `pulumi up` along the critical path of the
// dependency graph (the engine creates a resource as soon as everything it depends on exists),
// and a Data Plane rolling update, all read from the plan: on ECS from the deployment settings, the
// target group's deregistration delay and health checks and the container's stop timeout; on EKS
// from the Kong Helm release's values (over the chart's defaults) and its TargetGroupBinding's target group.

import type { Plan, PlanState } from "../../policy/offline";
import { T, K } from "../../policy/lib/types";
import { json, list, num, plain, str } from "../../policy/lib/values";
import { kongReleases, on } from "../../policy/lib/kube";
import { serviceName, targetGroupsOf, viewPlan, type PlanView } from "./plan-view";
import type { EcsService } from "../../policy/lib/topology";

export interface Duration { minutes: number; why: string }

/**
 * Typical create time per resource type, in minutes. Community-measured, not SLAs: a deploy can
 * take longer (ACM DNS validation has been seen above an hour).
 */
export const CREATE_MINUTES: Readonly<Record<string, Duration>> = {
    "aws:rds/cluster:Cluster": { minutes: 3, why: "cluster + first db.serverless instance take ~8-15 min together (https://github.com/tungbq/aws-lab-with-terraform/issues/100)" },
    "aws:rds/clusterInstance:ClusterInstance": { minutes: 8, why: "the instance is most of Aurora's ~8-15 min (same source)" },
    "aws:ec2/natGateway:NatGateway": { minutes: 2, why: "~1-3 min (https://github.com/terraform-aws-modules/terraform-aws-vpc/issues/999)" },
    "aws:lb/loadBalancer:LoadBalancer": { minutes: 3, why: "~2-3 min until active (https://github.com/DataBiosphere/azul/pull/5780)" },
    "aws:acm/certificateValidation:CertificateValidation": { minutes: 3, why: "usually minutes with Route 53 DNS; Terraform allows 75 (https://github.com/hashicorp/terraform-provider-aws/issues/9338)" },
    "aws:acmpca/certificateAuthority:CertificateAuthority": { minutes: 0.1, why: "CreateCertificateAuthority returns in ~1 s (https://github.com/hashicorp/terraform-provider-aws/issues/37592)" },
    "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate": { minutes: 0.5, why: "issue + import the root: seconds to a minute (same source)" },
    "aws:acmpca/certificate:Certificate": { minutes: 0.5, why: "IssueCertificate is asynchronous; seconds (same source)" },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { minutes: 1.5, why: "an ENI per AZ then 'available'; about a minute or two (estimate, not measured here)" },
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": { minutes: 1, why: "an asynchronous operation that creates a Route 53 private zone (estimate)" },
    "aws:route53/record:Record": { minutes: 1, why: "ChangeResourceRecordSets reaches INSYNC within ~60 s (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html)" },
    "aws:wafv2/webAclAssociation:WebAclAssociation": { minutes: 0.5, why: "the association retries until the new ACL has propagated (estimate)" },
    "aws:eks/cluster:Cluster": { minutes: 12, why: "~9-15 min (https://github.com/aws/containers-roadmap/issues/1227)" },
    "aws:eks/nodeGroup:NodeGroup": { minutes: 4, why: "2-5 min; failures surface only at ~20 min (https://github.com/terraform-aws-modules/terraform-aws-eks/issues/1910)" },
    "aws:ec2/instance:Instance": { minutes: 1, why: "running within about a minute (estimate)" },
    "aws:eks/addon:Addon": { minutes: 1.5, why: "CreateAddon, then the provider waits for ACTIVE: its DaemonSet or Deployment rolled out (~1-2 min, estimate)" },
    // Kong's own releases: KONG_RELEASE_MINUTES.
    "kubernetes:helm.sh/v3:Release": { minutes: 1.5, why: "skipAwait false: helm waits for the chart's Deployments to be ready: image pulls on fresh nodes, a controller starting (estimate)" },
};

/** Kong's Helm releases wait for readiness (skipAwait false) and do more than a controller chart. */
export const KONG_RELEASE_MINUTES: Readonly<Record<"control_plane" | "data_plane", Duration>> = {
    control_plane: { minutes: 5, why: "Kong image pull (~1 min), the init-migrations Job's `kong migrations bootstrap` against Aurora (~1-2 min), then the readiness probe (estimate)" },
    data_plane: { minutes: 3, why: "Kong image pull (~1 min), then /status/ready only once the CP has pushed a configuration, then the readiness probe (estimate)" },
};
/** Any other AWS resource: one API call and a little eventual consistency. */
export const API_CALL_MINUTES = 0.1;
/** tls:*, random:*: computed locally by the provider. */
const LOCAL_PROVIDERS = /^(tls|random):/;

/** ENI attach, image pull (Docker Hub through NAT) and Kong start: 30-60 s + ~10 s (estimate from Fargate start logs). */
export const TASK_START_MINUTES = 1;
/** A run-to-completion container the main one waits for (the CP's `kong migrations`): seconds to half a minute. */
export const ONE_SHOT_CONTAINER_MINUTES = 0.5;
/** ECS's default stopTimeout when a container sets none (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html). */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

export interface CriticalPath {
    minutes: number;
    /** The resources on the longest path, first created first, with each one's minutes. */
    path: { urn: string; type: string; minutes: number }[];
}

/**
 * Minutes from a first `pulumi up` until the gateway serves: the longest chain of create times
 * through the dependency graph, ECS services counted until their tasks are healthy.
 */
export function firstDeploy(plan: Plan): CriticalPath {
    const view = viewPlan(plan);
    const states = new Map<string, PlanState>();
    for (const step of plan.steps) {
        const st = step.newState ?? step.oldState;
        if (st) states.set(st.urn ?? step.urn, st);
    }
    // A dependency on a component waits for everything inside it.
    const children = new Map<string, string[]>();
    for (const st of states.values()) if (st.parent) children.set(st.parent, [...(children.get(st.parent) ?? []), st.urn]);
    const customUnder = (urn: string): string[] => {
        const st = states.get(urn);
        if (!st) return [];
        return st.custom ? [urn] : (children.get(urn) ?? []).flatMap(customUnder);
    };
    const ecsMinutes = new Map(view.services.map(s => [s.service.urn, serviceStartMinutes(view, s)]));
    // Readiness the engine does not see: a CP task is healthy only once its database answers, and a
    // DP is ready (/status/ready) only once the CP has sent it a configuration.
    const dbInstances = view.ofType(T.rdsClusterInstance).map(r => r.urn);
    const cpUrns = view.cpServices.map(s => s.service.urn);
    // On EKS the same: the CP release's migrations need Aurora, a DP release's pods need a CP.
    const kong = kongReleases(view.graph).filter(k => k.role === "control_plane" || k.role === "data_plane");
    const kongRole = new Map(kong.map(k => [k.release.urn, k.role as "control_plane" | "data_plane"]));
    const cpReleases = kong.filter(k => k.role === "control_plane").map(k => k.release.urn);
    const runtimeDeps = new Map<string, string[]>([
        ...view.cpServices.map(s => [s.service.urn, dbInstances] as [string, string[]]),
        ...view.dpServices.map(s => [s.service.urn, [...cpUrns, ...cpReleases]] as [string, string[]]),
        ...kong.map(k => [k.release.urn, k.role === "control_plane" ? dbInstances : [...cpUrns, ...cpReleases]] as [string, string[]]),
    ]);
    const own = (st: PlanState): number => {
        if (!st.custom || st.type.startsWith("pulumi:providers:") || LOCAL_PROVIDERS.test(st.type)) return 0;
        const role = kongRole.get(st.urn);
        return ecsMinutes.get(st.urn) ?? (role ? releaseMinutes(st, KONG_RELEASE_MINUTES[role].minutes) : undefined)
            ?? CREATE_MINUTES[st.type]?.minutes ?? API_CALL_MINUTES;
    };
    const finish = new Map<string, { minutes: number; via?: string }>();
    const visiting = new Set<string>();
    const done = (urn: string): number => {
        const known = finish.get(urn);
        if (known) return known.minutes;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        const st = states.get(urn)!;
        const declared = [...(st.dependencies ?? []), ...Object.values(st.propertyDependencies ?? {}).flat(), ...(runtimeDeps.get(urn) ?? [])];
        const deps = new Set(declared.flatMap(customUnder));
        let best: { minutes: number; via?: string } = { minutes: 0 };
        for (const d of deps) {
            if (d === urn || !states.has(d)) continue;
            const m = done(d);
            if (m > best.minutes) best = { minutes: m, via: d };
        }
        const result = { minutes: best.minutes + own(st), via: best.via };
        visiting.delete(urn);
        finish.set(urn, result);
        return result.minutes;
    };
    let last: string | undefined;
    for (const urn of states.keys()) if (states.get(urn)!.custom && (last === undefined || done(urn) > done(last))) last = urn;
    // Before walking the path: a plan of one resource never compared it, so never computed it.
    const total = last ? done(last) : 0;
    const path: CriticalPath["path"] = [];
    for (let u = last; u; u = finish.get(u)!.via) {
        const st = states.get(u)!;
        path.unshift({ urn: u, type: st.type, minutes: round1(own(st)) });
    }
    return { minutes: round1(total), path };
}

/** A Helm release waits at most its `timeout` (seconds) before failing. */
function releaseMinutes(st: PlanState, minutes: number): number {
    const timeout = num(plain(st.inputs?.timeout));
    return timeout && timeout > 0 ? Math.min(minutes, timeout / 60) : minutes;
}

/** Minutes from CreateService until a service's tasks are running and, behind an ALB, healthy. */
export function serviceStartMinutes(view: PlanView, s: EcsService): number {
    return TASK_START_MINUTES + oneShotMinutes(view, s) + healthyMinutes(view, s);
}

/** A new target is healthy after `healthyThreshold` checks `interval` apart. */
function healthyMinutes(view: PlanView, s: EcsService): number {
    const tgs = targetGroupsOf(view, s);
    if (tgs.length === 0) {
        // Not behind a load balancer: the container health check (first check after `interval`).
        const checks = containers(view, s).map(c => num(c.healthCheck?.interval)).filter((n): n is number => n !== undefined);
        return checks.length ? Math.max(...checks) / 60 : 0;
    }
    return Math.max(...tgs.map(tg => targetHealthyMinutes(view.props(tg))));
}

/** A new target is healthy after `healthyThreshold` ALB checks `interval` apart (defaults 30 s and 5). */
function targetHealthyMinutes(tg: Record<string, any>): number {
    const hc = tg.healthCheck ?? {};
    return (num(hc.interval) ?? 30) * (num(hc.healthyThreshold) ?? 5) / 60;
}

function oneShotMinutes(view: PlanView, s: EcsService): number {
    const waits = containers(view, s).some(c => list(c.dependsOn).some((d: any) => d?.condition === "SUCCESS" || d?.condition === "COMPLETE"));
    return waits ? ONE_SHOT_CONTAINER_MINUTES : 0;
}

function containers(view: PlanView, s: EcsService): any[] {
    return s.taskDefinitions.flatMap(td => list(json(view.props(td).containerDefinitions)));
}

/** One Data Plane group's rolling update: its minutes, or why they could not be estimated. */
export type GroupUpdate =
    | { service: string; runtime: "ecs"; minutes: number; waves: number; minutesPerWave: number }
    | { service: string; runtime: "eks"; minutes: number; waves: number; minutesPerWave: number; tailMinutes: number }
    | { service: string; runtime: "ecs" | "eks"; minutes?: undefined; notEstimated: string };

export interface RollingUpdate {
    /** The slowest group; undefined when any group (or the plan as a whole) could not be estimated. */
    minutes?: number;
    /** Why `minutes` is undefined. */
    notEstimated?: string;
    perService: GroupUpdate[];
}

/**
 * Minutes to replace every Data Plane task or pod (a new image or setting), for the ECS services
 * and the Kong Helm releases on EKS. Groups update in parallel; the slowest decides. A group whose
 * settings the plan does not hold makes the whole figure "not estimated": a maximum over the
 * groups that could be read would pass for one over all of them.
 */
export function dpRollingUpdate(plan: Plan): RollingUpdate {
    const view = viewPlan(plan);
    const perService: GroupUpdate[] = [...view.dpServices.map(s => ecsRollingUpdate(view, s)), ...eksRollingUpdates(view)];
    if (perService.length === 0) return { notEstimated: "no Data Plane group found in the plan", perService };
    const missing = perService.filter(g => g.minutes === undefined);
    if (missing.length > 0) {
        return { notEstimated: missing.map(g => `${g.service}: ${"notEstimated" in g ? g.notEstimated : "not estimated"}`).join("; "), perService };
    }
    return { minutes: round1(Math.max(...perService.map(g => g.minutes!))), perService };
}

/**
 * ECS starts a wave of new tasks within deploymentMaximumPercent, waits until they pass the ALB
 * health checks, then deregisters old ones (connections drain for the deregistration delay) and
 * stops them (SIGTERM, then stopTimeout).
 */
function ecsRollingUpdate(view: PlanView, s: EcsService): GroupUpdate {
    const p = view.props(s.service);
    const desired = Math.max(1, num(p.desiredCount) ?? 1);
    const maxPercent = num(p.deploymentMaximumPercent) ?? 200;
    const minPercent = num(p.deploymentMinimumHealthyPercent) ?? 100;
    // Tasks replaced per wave: the room above the healthy floor (ECS rounds the max down, the min up).
    const perWave = Math.max(1, Math.floor(desired * maxPercent / 100) - Math.ceil(desired * minPercent / 100));
    const waves = Math.ceil(desired / Math.min(desired, perWave));
    const drain = Math.max(0, ...targetGroupsOf(view, s).map(tg => num(view.props(tg).deregistrationDelay) ?? DEFAULT_DEREGISTRATION_DELAY_SECONDS)) / 60;
    const stop = Math.max(0, ...containers(view, s).map(c => num(c.stopTimeout) ?? DEFAULT_STOP_TIMEOUT_SECONDS)) / 60;
    const minutesPerWave = round1(TASK_START_MINUTES + healthyMinutes(view, s) + drain + stop);
    return { service: serviceName(s), runtime: "ecs", waves, minutesPerWave, minutes: round1(waves * minutesPerWave) };
}

/** A target group's default deregistration delay (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay). */
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

/**
 * Kong chart 3.4.1's defaults for what a rollout waits on, used when the values leave them out
 * (https://github.com/Kong/charts/blob/kong-3.4.1/charts/kong/values.yaml): `updateStrategy: {}`
 * leaves the Deployment's own strategy, readinessProbe on /status/ready, a preStop hook
 * `kong quit --wait=15`, terminationGracePeriodSeconds 30, replicaCount 1, autoscaling.minReplicas 2.
 */
export const KONG_CHART_ROLLOUT_DEFAULTS = Object.freeze({
    replicaCount: 1,
    autoscalingMinReplicas: 2,
    readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 1 },
    preStop: ["kong", "quit", "--wait=15"],
    terminationGracePeriodSeconds: 30,
});

/** A Deployment's RollingUpdate defaults when the chart renders no strategy (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment). */
export const DEPLOYMENT_ROLLING_DEFAULTS = Object.freeze({ maxSurge: "25%", maxUnavailable: "25%" });

/** `kong quit` waits `--wait` seconds, then up to its default 10 s timeout (stated next to the preStop hook in https://github.com/Kong/charts/blob/kong-3.4.1/charts/kong/values.yaml). */
export const KONG_QUIT_TIMEOUT_SECONDS = 10;

/**
 * The rolling update of each Kong Data Plane release on EKS. The Deployment surges new pods
 * (maxSurge, rounded up) and removes old ones (maxUnavailable, rounded down) per wave; a wave
 * ends when the new pods pass the kubelet's readiness probe (without the load balancer
 * controller's pod readiness gates, which this project does not inject, the Deployment does not
 * wait for the ALB). After the last wave the ALB still drains the old targets for the target
 * group's deregistration delay while the pods stop (preStop, bounded by the grace period), and
 * the last new pods pass the ALB's health checks.
 */
function eksRollingUpdates(view: PlanView): GroupUpdate[] {
    const releases = kongReleases(view.graph);
    const bindings = view.ofType(K.targetGroupBinding);
    return releases.filter(k => k.role !== "control_plane" && k.role !== "traditional").map(k => {
        const service = `${k.name ?? k.release.name} (EKS)`;
        const fail = (why: string): GroupUpdate => ({ service, runtime: "eks", notEstimated: why });
        if (!k.values) return fail("the Helm release's values are not known in the plan");
        const v = k.values;
        const autoscaling = plain(v.autoscaling) ?? {};
        const scaled = autoscaling.enabled === undefined ? false : on(autoscaling.enabled);
        const replicasKey = scaled ? "autoscaling.minReplicas" : "replicaCount";
        const replicas = read(scaled ? autoscaling.minReplicas : v.replicaCount, scaled ? KONG_CHART_ROLLOUT_DEFAULTS.autoscalingMinReplicas : KONG_CHART_ROLLOUT_DEFAULTS.replicaCount);
        if (replicas === undefined || replicas < 1) return fail(`${replicasKey} ${JSON.stringify(scaled ? autoscaling.minReplicas : v.replicaCount)} is not a known replica count`);

        const strategy = plain(v.updateStrategy) ?? {};
        const type = strategy.type === undefined ? "RollingUpdate" : str(strategy.type);
        if (type !== "RollingUpdate") return fail(`updateStrategy.type ${JSON.stringify(strategy.type)}: only RollingUpdate replaces pods without dropping requests`);
        const rolling = plain(strategy.rollingUpdate) ?? {};
        const surge = podCount(rolling.maxSurge ?? DEPLOYMENT_ROLLING_DEFAULTS.maxSurge, replicas, Math.ceil);
        const unavailable = podCount(rolling.maxUnavailable ?? DEPLOYMENT_ROLLING_DEFAULTS.maxUnavailable, replicas, Math.floor);
        if (surge === undefined || unavailable === undefined) return fail(`updateStrategy.rollingUpdate ${JSON.stringify(rolling)} is not a known count or percentage`);
        // 0 and 0 as written is rejected; percentages that both round to 0 let one pod be unavailable
        // (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go, ResolveFenceposts).
        const perWave = Math.max(1, surge + unavailable);
        const waves = Math.ceil(replicas / Math.min(replicas, perWave));

        const probe = plain(v.readinessProbe) ?? {};
        const d = KONG_CHART_ROLLOUT_DEFAULTS.readinessProbe;
        const [delay, period, successes] = [read(probe.initialDelaySeconds, d.initialDelaySeconds), read(probe.periodSeconds, d.periodSeconds), read(probe.successThreshold, d.successThreshold)];
        if (delay === undefined || period === undefined || successes === undefined) return fail(`readinessProbe ${JSON.stringify(probe)} has timings that are not known`);
        // The first probe at initialDelaySeconds is taken to be early (a DP is ready only once the CP
        // has sent it a configuration), so `successThreshold` more probes `periodSeconds` apart.
        const ready = (delay + period * successes + read(plain(v.deployment)?.minReadySeconds, 0)!) / 60;
        const minutesPerWave = round1(TASK_START_MINUTES + ready);

        const grace = read(v.terminationGracePeriodSeconds, KONG_CHART_ROLLOUT_DEFAULTS.terminationGracePeriodSeconds);
        if (grace === undefined) return fail(`terminationGracePeriodSeconds ${JSON.stringify(v.terminationGracePeriodSeconds)} is not a number of seconds`);
        const preStop = v.lifecycle === undefined ? KONG_CHART_ROLLOUT_DEFAULTS.preStop : list(plain(plain(plain(v.lifecycle)?.preStop)?.exec)?.command).map(plain);
        // The kubelet kills the pod at the grace period whatever the hook still does.
        const stop = Math.min(grace, preStopSeconds(preStop) ?? grace) / 60;

        let tail = stop;
        const tgbs = bindings.filter(b => k.namespace !== undefined && str(plain(plain(b.props)?.metadata)?.namespace) === k.namespace);
        for (const b of tgbs) {
            const tgs = view.graph.refs(b, "spec", [T.targetGroup], plain(plain(b.props)?.spec)?.targetGroupARN).targets;
            if (tgs.length === 0) return fail(`the target group of TargetGroupBinding ${b.name} is not in the plan`);
            for (const tg of tgs) {
                const p = view.props(tg);
                const drain = num(p.deregistrationDelay) ?? (p.deregistrationDelay === undefined ? DEFAULT_DEREGISTRATION_DELAY_SECONDS : undefined);
                if (drain === undefined) return fail(`the deregistration delay of target group ${tg.name} is not known`);
                tail = Math.max(tail, drain / 60, targetHealthyMinutes(p));
            }
        }
        const tailMinutes = round1(tail);
        return { service, runtime: "eks", waves, minutesPerWave, tailMinutes, minutes: round1(waves * minutesPerWave + tailMinutes) };
    });
}

/** A known number of seconds or count, the default when absent, undefined when written but unreadable. */
function read(v: unknown, byDefault: number): number | undefined {
    const p = plain(v);
    return p === undefined || p === null ? byDefault : num(p);
}

/** maxSurge / maxUnavailable: a count, or a percentage of the replicas (surge rounded up, unavailable down). */
export function podCount(v: unknown, replicas: number, round: (n: number) => number): number | undefined {
    const p = plain(v);
    if (typeof p === "number" && Number.isInteger(p) && p >= 0) return p;
    const m = typeof p === "string" ? /^(\d+)%$/.exec(p.trim()) : null;
    return m ? round(replicas * Number(m[1]) / 100) : undefined;
}

/** Seconds a preStop command holds the pod: `kong quit --wait=N` (plus Kong's quit timeout) or `sleep N`; undefined when unknown. */
export function preStopSeconds(command: unknown[]): number | undefined {
    if (command.length === 0) return 0;
    const words = command.map(w => String(w)).join(" ").trim();
    const quit = /^(?:\S*\/)?kong quit(?:\s+--wait[= ](\d+))?(?:\s|$)/.exec(words);
    if (quit) return Number(quit[1] ?? 0) + KONG_QUIT_TIMEOUT_SECONDS;
    const sleep = /^(?:\S*\/)?sleep (\d+)$/.exec(words) ?? /^(?:\S*\/)?(?:ba)?sh -c sleep (\d+)$/.exec(words);
    return sleep ? Number(sleep[1]) : undefined;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
