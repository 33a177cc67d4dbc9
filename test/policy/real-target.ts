// Finds the architecture's resources in a real plan (the program's `npm run plan --json` output)
// by structure, the way an operator would read it: the internet-facing ALB, the services whose
// containers run KONG_ROLE=control_plane / data_plane, the cluster's SG and subnet group, ...
// A name that the plan does not have yet throws Missing, so a mutation row that needs it is
// skipped (pending) rather than passing vacuously.

import type { Plan, PlanState } from "../../policy/offline";
import { addToPlan } from "./helpers";
import type { Target } from "./mutations";

export class Missing extends Error {}

const nameOf = (s: PlanState) => s.urn.slice(s.urn.lastIndexOf("::") + 2);

export function realTarget(plan: Plan): Target {
    const states = plan.steps.map(s => s.newState!).filter(Boolean);
    const ofType = (t: string) => states.filter(s => s.type === t);
    const byRef = (ref: unknown) => states.find(s => s.custom && ref && (s.id === ref || s.outputs?.id === ref || s.outputs?.arn === ref || s.inputs?.name === ref || s.outputs?.name === ref));
    const need = <T>(v: T | undefined, what: string): T => { if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new Missing(`the plan has no ${what} yet`); return v; };
    const roleOf = (svc: PlanState) => {
        const td = byRef(svc.inputs.taskDefinition);
        try {
            const cs = JSON.parse(td?.inputs.containerDefinitions ?? "[]");
            return { td, role: cs.flatMap((c: any) => c.environment ?? []).find((e: any) => e.name === "KONG_ROLE")?.value };
        } catch { return { td, role: undefined }; }
    };
    const service = (role: string) => ofType("aws:ecs/service:Service").find(s => roleOf(s).role === role);
    const alb = () => need(ofType("aws:lb/loadBalancer:LoadBalancer").find(l => l.inputs.internal !== true && (l.inputs.loadBalancerType ?? "application") === "application"), "internet-facing ALB");
    const svcSg = (role: string) => nameOf(need(byRef(need(service(role), `${role} service`).inputs.networkConfiguration?.securityGroups?.[0]), `${role} security group`));
    const cluster = () => need(ofType("aws:rds/cluster:Cluster")[0], "Aurora cluster");
    const bucket = () => need([...ofType("aws:s3/bucket:Bucket"), ...ofType("aws:s3/bucketV2:BucketV2")][0], "S3 bucket");
    const onBucket = (type: string) => {
        const b = bucket();
        return nameOf(need(states.find(s => s.type.startsWith(type) && (byRef(s.inputs.bucket) === b)), `${type} for the bucket`));
    };
    const names: Target["names"] = {
        get albSg() { return nameOf(need(byRef(alb().inputs.securityGroups?.[0]), "ALB security group")); },
        get dpSg() { return svcSg("data_plane"); },
        get cpSg() { return svcSg("control_plane"); },
        get dbSg() { return nameOf(need(byRef(cluster().inputs.vpcSecurityGroupIds?.[0]), "database security group")); },
        get alb() { return nameOf(alb()); },
        get tg() { return nameOf(need(byRef(need(service("data_plane"), "DP service").inputs.loadBalancers?.[0]?.targetGroupArn), "DP target group")); },
        get httpsListener() { return nameOf(need(ofType("aws:lb/listener:Listener").find(l => l.inputs.protocol === "HTTPS"), "HTTPS listener")); },
        get wafAssociation() { return nameOf(need(ofType("aws:wafv2/webAclAssociation:WebAclAssociation")[0], "WAF association")); },
        get cpService() { return nameOf(need(service("control_plane"), "CP service")); },
        get dpService() { return nameOf(need(service("data_plane"), "DP service")); },
        get cpTd() { return nameOf(need(roleOf(need(service("control_plane"), "CP service")).td, "CP task definition")); },
        get dpTd() { return nameOf(need(roleOf(need(service("data_plane"), "DP service")).td, "DP task definition")); },
        get dbCluster() { return nameOf(cluster()); },
        get dbInstance() { return nameOf(need(ofType("aws:rds/clusterInstance:ClusterInstance")[0], "Aurora instance")); },
        get dbSubnetGroup() { return nameOf(need(byRef(cluster().inputs.dbSubnetGroupName), "DB subnet group")); },
        get logGroup() { return nameOf(need(ofType("aws:cloudwatch/logGroup:LogGroup")[0], "log group")); },
        get bucket() { return nameOf(bucket()); },
        get bucketPab() { return onBucket("aws:s3/bucketPublicAccessBlock"); },
        get bucketSse() { return onBucket("aws:s3/bucketServerSideEncryptionConfiguration"); },
        get rolePolicy() {
            return nameOf(need(ofType("aws:iam/rolePolicy:RolePolicy").find(p => { try { return Array.isArray(JSON.parse(p.inputs.policy).Statement); } catch { return false; } }), "IAM role policy with a JSON document"));
        },
        get kmsKey() { return nameOf(need(ofType("aws:kms/key:Key")[0], "KMS key")); },
        get publicSubnets() { return need((alb().inputs.subnets ?? []).map(byRef).filter(Boolean).map((s: PlanState) => nameOf(s)), "public subnets"); },
        get privateSubnets() { return need((need(service("control_plane"), "CP service").inputs.networkConfiguration?.subnets ?? []).map(byRef).filter(Boolean).map((s: PlanState) => nameOf(s)), "CP subnets"); },
    };
    return { plan, add: (type, name, inputs, deps) => addToPlan(plan, type, name, inputs, deps), names };
}
