import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { isUnknown, json, list, plain, str } from "../lib/values";
import { config } from "./common";

// Least privilege (ARCHITECTURE.md; BRIEF "IAM: no * action, no * resource on secrets/KMS").
// Checked on every form a policy document takes: inline policies of a role, aws.iam.RolePolicy,
// aws.iam.Policy; plus AWS managed policies that grant everything.

const SCOPED_SERVICES = ["secretsmanager", "kms"];

/** Resource ARNs that name every secret or key of an account ("*", "…:secret:*", "…:key/*"). */
function isAllResources(resource: string): boolean {
    return resource === "*" || /^arn:[^:]*:(kms|secretsmanager):[^:]*:[^:]*:(\*|key\/\*|alias\/\*|secret:\*)$/.test(resource);
}

export function statementProblems(doc: any, allowedFullAccessActions: string[] = []): string[] {
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
    }
    return problems;
}

/** Trust policies that let any principal assume the role. */
function trustProblems(doc: any): string[] {
    const problems: string[] = [];
    for (const raw of list(Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [])) {
        const s = plain(raw) ?? {};
        if ((s.Effect ?? "Allow") !== "Allow") continue;
        const p = s.Principal;
        const aws = p === "*" ? ["*"] : list(Array.isArray(p?.AWS) ? p.AWS : p?.AWS ? [p.AWS] : []);
        if (aws.includes("*") && s.Condition === undefined) problems.push(`the trust policy lets any AWS principal assume the role`);
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
        },
    },
    validateResource: (args, report) => {
        const cfg = config(args, { allowedServiceWildcards: [] as string[] });
        const p = plain(args.props) ?? {};
        const check = (what: string, doc: unknown) => {
            if (isUnknown(doc)) return; // computed in the program; checked at `pulumi up` (see plan-fully-checkable)
            const parsed = json(doc);
            if (doc !== undefined && parsed === undefined) { report(`${what} is not valid JSON.`); return; }
            for (const problem of statementProblems(parsed, cfg.allowedServiceWildcards)) report(`${what}: ${problem}.`);
        };
        switch (args.type) {
            case T.iamRole: {
                for (const raw of list(plain(p.inlinePolicies))) {
                    const ip = plain(raw) ?? {};
                    check(`inline policy ${ip.name ?? ""}`.trim(), ip.policy);
                }
                const trust = json(p.assumeRolePolicy);
                for (const problem of trust ? trustProblems(trust) : []) report(`${problem}.`);
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

export const iamPolicies = [iamLeastPrivilege];
