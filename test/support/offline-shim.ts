import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { configString, parseConfig, PROJECT, type StackConfig } from "../../stacks/config";

// TEMPORARY stand-in for the lead's offline runtime (offline/harness.ts + offline/mock-cloud.ts on
// `main`), with the same API (runProgram, byType, stackConfig) so that the specs switch by changing
// one import when main lands. Delete this file then and move OUTPUTS/INVOKES into offline/mock-cloud.ts.

export interface PlannedResource {
    urn: string; type: string; name: string; custom: boolean; parent?: string; id?: string;
    inputs: Record<string, any>; outputs: Record<string, any>;
    dependencies: string[];
    /** Resource options a real engine acts on (the mocks' newResource does not see them). */
    ignoreChanges: string[];
}
export interface ProgramRun { resources: PlannedResource[]; outputs: Record<string, any>; }

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
let serial = 0;
const hex = () => (++serial).toString(16).padStart(8, "0") + "a1b2c3d4e5f6";
const arn = (svc: string, rest: string) => `arn:aws:${svc}:${REGION}:${ACCOUNT}:${rest}`;

type Ctx = { id: string };
/** Computed outputs per resource type (what AWS fills in after create). */
export const OUTPUTS: Record<string, (name: string, inputs: any, ctx: Ctx) => Record<string, any>> = {
    "aws:ec2/securityGroup:SecurityGroup": (_n, _i, c) => ({ arn: arn("ec2", `security-group/${c.id}`) }),
    "aws:lb/loadBalancer:LoadBalancer": (n) => {
        const suffix = `app/${n.slice(0, 24)}/${hex().slice(0, 16)}`;
        return { arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`), arnSuffix: suffix, dnsName: `${n}-1234567890.${REGION}.elb.amazonaws.com`, zoneId: "Z32O12XQLNTSW2" };
    },
    "aws:lb/targetGroup:TargetGroup": (n) => {
        const suffix = `targetgroup/${n.slice(0, 24)}/${hex().slice(0, 16)}`;
        return { arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix };
    },
    "aws:lb/listener:Listener": (_n, _i, c) => ({ arn: arn("elasticloadbalancing", `listener/app/x/${c.id}`) }),
    "aws:acm/certificate:Certificate": (_n, i, c) => ({
        arn: arn("acm", `certificate/${c.id}`),
        domainName: i.domainName ?? "imported.example",
        domainValidationOptions: i.domainName ? [{
            domainName: i.domainName,
            resourceRecordName: `_3f2a.${i.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_9c1d.xyzabc.acm-validations.aws.",
        }] : [],
    }),
    "aws:acm/certificateValidation:CertificateValidation": (_n, i) => ({ certificateArn: i.certificateArn }),
    "aws:route53/record:Record": (_n, i) => ({ fqdn: String(i.name).replace(/\.$/, "") }),
    "aws:s3/bucket:Bucket": (n) => { const b = `${n}-${hex().slice(0, 7)}`; return { bucket: b, arn: `arn:aws:s3:::${b}` }; },
    "aws:wafv2/ipSet:IpSet": (n, _i, c) => ({ arn: arn("wafv2", `regional/ipset/${n}/${c.id}`) }),
    "aws:wafv2/webAcl:WebAcl": (n, _i, c) => ({ arn: arn("wafv2", `regional/webacl/${n}/${c.id}`) }),
    "aws:cloudwatch/logGroup:LogGroup": (n, i) => ({ arn: arn("logs", `log-group:${i.name ?? n}`) }),
    "aws:iam/role:Role": (n) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${n}` }),
    "aws:ecs/taskDefinition:TaskDefinition": (_n, i) => ({ arn: arn("ecs", `task-definition/${i.family}:1`), revision: 1 }),
    "aws:ecs/service:Service": (n, i) => ({ name: i.name ?? n, arn: arn("ecs", `service/cluster/${i.name ?? n}`) }),
    "aws:ecs/cluster:Cluster": (n) => ({ arn: arn("ecs", `cluster/${n}`), name: n }),
    "aws:kms/key:Key": (_n, _i, c) => ({ arn: arn("kms", `key/${c.id}`) }),
    "aws:secretsmanager/secret:Secret": (n) => ({ arn: arn("secretsmanager", `secret:${n}-AbCdEf`) }),
    "tls:index/privateKey:PrivateKey": () => ({ privateKeyPem: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n" }),
    "tls:index/selfSignedCert:SelfSignedCert": () => ({ certPem: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n" }),
};

const ID_PREFIX: Record<string, string> = {
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
};

export const INVOKES: Record<string, (inputs: any) => Record<string, any>> = {
    "aws:route53/getZone:getZone": i => ({ id: "Z0123456789ABCDEFGHIJ", zoneId: "Z0123456789ABCDEFGHIJ", name: i.name, privateZone: false }),
};

export async function runProgram(
    program: () => Promise<Record<string, any>> | Record<string, any>,
    opts: { stack?: string } = {},
): Promise<ProgramRun> {
    const resources: PlannedResource[] = [];
    const requests = new Map<string, { parent?: string; dependencies: string[]; ignoreChanges: string[] }>();
    const stack = opts.stack ?? "test";
    await pulumi.runtime.setMocks({
        newResource(a) {
            const id = a.custom ? `${ID_PREFIX[a.type] ?? ""}${hex()}` : undefined;
            const outputs = { ...a.inputs, ...(OUTPUTS[a.type]?.(a.name, a.inputs, { id: id ?? "" }) ?? {}) };
            const req = requests.get(`${a.type}::${a.name}`) ?? { dependencies: [], ignoreChanges: [] };
            resources.push({ urn: `urn:pulumi:${stack}::${PROJECT}::${a.type}::${a.name}`, type: a.type, name: a.name, custom: !!a.custom, id, inputs: a.inputs, outputs, ...req });
            return { id, state: outputs };
        },
        call(a) {
            const f = INVOKES[a.token];
            if (!f) { console.error(`mock cloud: unknown invoke ${a.token}`); throw new Error(`unknown invoke ${a.token}`); }
            return f(a.inputs);
        },
    }, PROJECT, stack, false);
    // The options travel in the RegisterResource request, not in the mocks' arguments: note them first.
    const monitor: any = pulumi.runtime.getMonitor();
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: any) => {
        requests.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent() || undefined,
            dependencies: req.getDependenciesList(),
            ignoreChanges: req.getIgnorechangesList(),
        });
        return registerResource(req, cb);
    };
    const outputs = (await pulumi.runtime.runInPulumiStack(async () => await program())) ?? {};
    await pulumi.runtime.disconnect();
    const urns = resources.map(r => r.urn);
    const dup = urns.filter((u, i) => urns.indexOf(u) !== i);
    if (dup.length > 0) throw new Error(`duplicate URNs (a real preview fails): ${dup.join(", ")}`);
    return { resources, outputs };
}

export function byType(run: ProgramRun, type: string): PlannedResource[] {
    return run.resources.filter(r => r.type === type);
}

/** Raw config of Pulumi.<stack>.yaml with overrides (undefined deletes a key). */
export function stackConfig(stack: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8"));
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config ?? {})) raw[k] = configString(v);
    for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete raw[k];
        else raw[k] = v;
    }
    return raw;
}

export function loadStack(stack: string, overrides: Record<string, string | undefined> = {}): StackConfig {
    return parseConfig(stackConfig(stack, overrides), stack);
}
