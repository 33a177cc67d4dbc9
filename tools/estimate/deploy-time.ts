// How long a deploy takes, from the plan: the first `pulumi up` along the critical path of the
// dependency graph (the engine creates a resource as soon as everything it depends on exists),
// and a Data Plane rolling update from the deployment settings, the target group's deregistration
// delay and health checks, and the container's stop timeout, all read from the plan.

import type { Plan, PlanState } from "../../policy/offline";
import { T } from "../../policy/lib/types";
import { json, list, num } from "../../policy/lib/values";
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
    const runtimeDeps = new Map<string, string[]>([
        ...view.cpServices.map(s => [s.service.urn, dbInstances] as [string, string[]]),
        ...view.dpServices.map(s => [s.service.urn, cpUrns] as [string, string[]]),
    ]);
    const own = (st: PlanState): number => {
        if (!st.custom || st.type.startsWith("pulumi:providers:") || LOCAL_PROVIDERS.test(st.type)) return 0;
        return ecsMinutes.get(st.urn) ?? CREATE_MINUTES[st.type]?.minutes ?? API_CALL_MINUTES;
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
    const path: CriticalPath["path"] = [];
    for (let u = last; u; u = finish.get(u)!.via) {
        const st = states.get(u)!;
        path.unshift({ urn: u, type: st.type, minutes: round1(own(st)) });
    }
    return { minutes: last ? round1(done(last)) : 0, path };
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
    return Math.max(...tgs.map(tg => {
        const hc = view.props(tg).healthCheck ?? {};
        return (num(hc.interval) ?? 30) * (num(hc.healthyThreshold) ?? 5) / 60;
    }));
}

function oneShotMinutes(view: PlanView, s: EcsService): number {
    const waits = containers(view, s).some(c => list(c.dependsOn).some((d: any) => d?.condition === "SUCCESS" || d?.condition === "COMPLETE"));
    return waits ? ONE_SHOT_CONTAINER_MINUTES : 0;
}

function containers(view: PlanView, s: EcsService): any[] {
    return s.taskDefinitions.flatMap(td => list(json(view.props(td).containerDefinitions)));
}

export interface RollingUpdate {
    minutes: number;
    perService: { service: string; waves: number; minutesPerWave: number }[];
}

/**
 * Minutes to replace every Data Plane task (a new image or setting): ECS starts a wave of new
 * tasks within deploymentMaximumPercent, waits until they pass the ALB health checks, then
 * deregisters old ones (connections drain for the deregistration delay) and stops them
 * (SIGTERM, then stopTimeout). Services update in parallel; the slowest decides.
 */
export function dpRollingUpdate(plan: Plan): RollingUpdate {
    const view = viewPlan(plan);
    const perService = view.dpServices.map(s => {
        const p = view.props(s.service);
        const desired = Math.max(1, num(p.desiredCount) ?? 1);
        const maxPercent = num(p.deploymentMaximumPercent) ?? 200;
        const minPercent = num(p.deploymentMinimumHealthyPercent) ?? 100;
        // Tasks replaced per wave: the room above the healthy floor (ECS rounds the max down, the min up).
        const perWave = Math.max(1, Math.floor(desired * maxPercent / 100) - Math.ceil(desired * minPercent / 100));
        const waves = Math.ceil(desired / Math.min(desired, perWave));
        const drain = Math.max(0, ...targetGroupsOf(view, s).map(tg => num(view.props(tg).deregistrationDelay) ?? 300)) / 60;
        const stop = Math.max(0, ...containers(view, s).map(c => num(c.stopTimeout) ?? DEFAULT_STOP_TIMEOUT_SECONDS)) / 60;
        const minutesPerWave = TASK_START_MINUTES + healthyMinutes(view, s) + drain + stop;
        return { service: serviceName(s), waves, minutesPerWave: round1(minutesPerWave) };
    });
    return { minutes: round1(Math.max(0, ...perService.map(s => s.waves * s.minutesPerWave))), perService };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
