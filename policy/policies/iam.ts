import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { isUnknown, json, list, plain, str } from "../lib/values";
import { config } from "./common";

// Least privilege (docs/facts/design.md §6: no * action, no * resource on Secrets Manager or KMS).
// Checked on every form a policy document takes: inline policies of a role, aws.iam.RolePolicy,
// aws.iam.Policy; plus AWS managed policies that grant everything.

const SCOPED_SERVICES = ["secretsmanager", "kms"];

/** Resource ARNs that name every secret or key of an account ("*", "…:secret:*", "…:key/*"). */
function isAllResources(resource: string): boolean {
    return resource === "*" || /^arn:[^:]*:(kms|secretsmanager):[^:]*:[^:]*:(\*|key\/\*|alias\/\*|secret:\*)$/.test(resource);
}

// Actions that let a principal give itself (or a compute resource) more power: pass or assume a
// role, write or attach a policy, rewrite a trust policy. On "*" they reach every role of the
// account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
export const ESCALATION_ACTIONS = [
    "iam:PassRole", "sts:AssumeRole", "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
    "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
];

/** IAM's action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
    const re = new RegExp(`^${pattern.split("").map(ch => ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join("")}$`, "i");
    return re.test(action);
}

/** The escalation actions an action pattern grants ("iam:*Policy*", "iam:Pass*", "*" …); any iam:…Policy… action counts. */
export function escalationActions(pattern: string): string[] {
    const hits = ESCALATION_ACTIONS.filter(a => actionMatches(pattern, a));
    if (hits.length === 0 && /^iam:[^*?]*policy/i.test(pattern)) hits.push(pattern);
    return hits;
}

/** A resource that names every role, user or policy: "*", "arn:aws:iam::123:role/*", "arn:aws:iam::123:*". */
function isAllPrincipals(resource: string): boolean {
    return resource === "*" || /^arn:[^:]*:(iam|sts)::[^:]*:(\*|(role|user|group|policy|assumed-role)\/\*)$/.test(resource);
}

/**
 * Only reads may name every resource: a few reads AWS defines without a resource type accept only
 * "*" (ecr:GetAuthorizationToken, elasticloadbalancing:DescribeTargetHealth, cloudwatch:GetMetricData:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * A write on "*" reaches every resource of the account the action applies to.
 */
const READ_ACTION = /^[a-z0-9-]+:(Describe|Get|List|BatchGet)[A-Za-z0-9]*$/i;

export function statementProblems(doc: any, allowedFullAccessActions: string[] = [], allowedUnscopedActions: string[] = []): string[] {
    const problems: string[] = [];
    for (const raw of list(Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [])) {
        const s = plain(raw) ?? {};
        if ((s.Effect ?? "Allow") !== "Allow") continue;
        const sid = s.Sid ? `statement ${s.Sid}` : "a statement";
        if (s.NotAction !== undefined) problems.push(`${sid} uses NotAction, which allows every other action`);
        const actions: string[] = (Array.isArray(s.Action) ? s.Action : s.Action === undefined ? [] : [s.Action]).map(String);
        for (const a of actions) {
            if (a === "*" || (/^[a-z0-9-]+:\*$/i.test(a) && !allowedFullAccessActions.includes(a.toLowerCase()))) {
                problems.push(`${sid} allows "${a}": name the actions`);
            }
        }
        const resources: string[] = (Array.isArray(s.Resource) ? s.Resource : s.Resource === undefined ? [] : [s.Resource]).map(String);
        const scoped = actions.filter(a => SCOPED_SERVICES.includes(a.split(":")[0].toLowerCase()) || a === "*");
        if (scoped.length && (s.NotResource !== undefined || resources.some(isAllResources))) {
            problems.push(`${sid} allows ${scoped.join(", ")} on ${s.NotResource !== undefined ? "NotResource" : resources.filter(isAllResources).join(", ")}: secrets and KMS keys must be named by ARN`);
        }
        // Writes on "*" (what the checks above and below do not already report).
        const unscopedWrites = actions.filter(a => a !== "*" && !/^[a-z0-9-]+:\*$/i.test(a) && !READ_ACTION.test(a)
            && !SCOPED_SERVICES.includes(a.split(":")[0].toLowerCase()) && escalationActions(a).length === 0
            && !allowedUnscopedActions.map(x => x.toLowerCase()).includes(a.toLowerCase()));
        if (unscopedWrites.length && (s.NotResource !== undefined || resources.includes("*"))) {
            problems.push(`${sid} allows ${unscopedWrites.join(", ")} on ${s.NotResource !== undefined ? "NotResource" : "*"}: only reads may name every resource; name the resources by ARN`);
        }
        const escalating = [...new Set(actions.flatMap(escalationActions))];
        if (escalating.length && (s.NotResource !== undefined || resources.some(isAllPrincipals))) {
            problems.push(`${sid} allows ${actions.filter(a => escalationActions(a).length).join(", ")} (privilege escalation: ${escalating.slice(0, 4).join(", ")}${escalating.length > 4 ? ", …" : ""}) on ${s.NotResource !== undefined ? "NotResource" : resources.filter(isAllPrincipals).join(", ")}: name the roles or policies by ARN`);
        }
    }
    return problems;
}

// Condition keys that narrow a broad principal to an account, organisation, source resource or
// network path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
// kms:CallerAccount: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html).
const NARROWING_KEYS = [
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths",
    "aws:sourcevpc", "aws:sourcevpce", "aws:userid", "kms:calleraccount",
];

/** True if the condition block pins a narrowing key to values that are not wildcards (positive operators only). */
function narrowed(condition: any): boolean {
    const c = plain(condition);
    if (!c || typeof c !== "object") return false;
    return Object.entries(c).some(([op, block]) => {
        if (/Not|^Null$/i.test(op) || !block || typeof block !== "object") return false;
        return Object.entries(plain(block) as object).some(([key, value]) => {
            const values = (Array.isArray(value) ? value : [value]).map(String);
            return NARROWING_KEYS.includes(key.toLowerCase()) && values.length > 0 && values.every(v => v !== "*" && v !== "" && !/^arn:[^:]*:[^:]*:[^:]*:\*/.test(v));
        });
    });
}

/** Allow statements whose principal is anyone ("*", {"AWS": "*"}, NotPrincipal) with no narrowing condition. */
export function broadPrincipalProblems(doc: any): string[] {
    const problems: string[] = [];
    for (const raw of list(Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [])) {
        const s = plain(raw) ?? {};
        if ((s.Effect ?? "Allow") !== "Allow") continue;
        const p = plain(s.Principal);
        const aws = p === "*" ? ["*"] : list(Array.isArray(p?.AWS) ? p.AWS : p?.AWS ? [p.AWS] : []).map(String);
        const anyone = aws.includes("*") || s.NotPrincipal !== undefined;
        if (anyone && !narrowed(s.Condition)) {
            const sid = s.Sid ? `statement ${s.Sid}` : "a statement";
            const actions = (Array.isArray(s.Action) ? s.Action : [s.Action ?? s.NotAction]).map(String).join(", ");
            problems.push(`${sid} allows ${actions} to ${s.NotPrincipal !== undefined ? "every principal but NotPrincipal" : "any AWS principal"} with no condition narrowing it to an account, organisation or source (aws:SourceAccount, aws:SourceArn, aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount…)`);
        }
    }
    return problems;
}

const BROAD_MANAGED = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "SecretsManagerReadWrite", "AWSKeyManagementServicePowerUser"];

function broadManaged(arn: unknown): string | undefined {
    const s = str(arn);
    const name = s?.match(/^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/)?.[1];
    return name && BROAD_MANAGED.includes(name) ? name : undefined;
}

export const iamLeastPrivilege: ResourceValidationPolicy = {
    name: "iam-least-privilege",
    description: "IAM policies name their actions (no * or service:*), scope Secrets Manager and KMS to named ARNs, and no role gets an all-powerful AWS managed policy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            allowedServiceWildcards: { type: "array", items: { type: "string" }, default: [], description: "service:* actions to accept (lower case), e.g. for a break-glass role." },
            allowedUnscopedActions: { type: "array", items: { type: "string" }, default: [], description: "Write actions to accept on Resource \"*\" (those AWS defines without a resource type, e.g. cloudwatch:PutMetricData)." },
        },
    },
    validateResource: (args, report) => {
        const cfg = config(args, { allowedServiceWildcards: [] as string[], allowedUnscopedActions: [] as string[] });
        const p = plain(args.props) ?? {};
        const check = (what: string, doc: unknown) => {
            if (isUnknown(doc)) return; // computed in the program; checked at `pulumi up` (see plan-fully-checkable)
            const parsed = json(doc);
            if (doc !== undefined && parsed === undefined) { report(`${what} is not valid JSON.`); return; }
            for (const problem of statementProblems(parsed, cfg.allowedServiceWildcards, cfg.allowedUnscopedActions)) report(`${what}: ${problem}.`);
        };
        switch (args.type) {
            case T.iamRole: {
                for (const raw of list(plain(p.inlinePolicies))) {
                    const ip = plain(raw) ?? {};
                    check(`inline policy ${ip.name ?? ""}`.trim(), ip.policy);
                }
                const trust = json(p.assumeRolePolicy);
                for (const problem of trust ? broadPrincipalProblems(trust) : []) report(`the trust policy: ${problem}.`);
                for (const arn of list(plain(p.managedPolicyArns))) {
                    const broad = broadManaged(arn);
                    if (broad) report(`the role attaches the AWS managed policy ${broad}.`);
                }
                return;
            }
            case T.iamRolePolicy:
            case T.iamPolicy:
                check("the policy document", p.policy);
                return;
            case T.iamRolePolicyAttachment: {
                const broad = broadManaged(p.policyArn);
                if (broad) report(`attaches the AWS managed policy ${broad} to a role.`);
                return;
            }
        }
    },
};

// Resource policies: the document that lets other principals in. Types and their `policy` input
// (checked against @pulumi/aws 7 args).
export const RESOURCE_POLICY_TYPES: Record<string, string> = {
    "aws:kms/key:Key": "key policy",
    "aws:kms/keyPolicy:KeyPolicy": "key policy",
    [T.bucket]: "bucket policy",
    [T.bucketV2]: "bucket policy",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket policy",
    "aws:secretsmanager/secret:Secret": "secret policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policy",
};

export const resourcePoliciesScoped: ResourceValidationPolicy = {
    name: "resource-policies-scoped",
    description: "KMS key, S3 bucket and Secrets Manager secret policies never allow any principal (\"*\", {\"AWS\": \"*\"}, NotPrincipal) unless a condition narrows it to an account, organisation or source.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args, report) => {
        const what = RESOURCE_POLICY_TYPES[args.type];
        if (!what) return;
        const doc = plain(args.props)?.policy;
        if (doc === undefined || doc === null || doc === "" || isUnknown(doc)) return;
        const parsed = json(doc);
        if (parsed === undefined) { report(`the ${what} is not valid JSON.`); return; }
        for (const problem of broadPrincipalProblems(parsed)) report(`the ${what}: ${problem}.`);
    },
};

export const iamPolicies = [iamLeastPrivilege, resourcePoliciesScoped];
