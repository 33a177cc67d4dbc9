import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// `pulumi preview --policy-pack policy` runs this file: it only constructs the pack (README.md).
new PolicyPack("kong-hybrid", {
    description: "Holds the kong-hybrid design: the security-group matrix, a private Control Plane, an isolated database, an HTTPS-only edge with WAF, a protected Admin API, Kong and IAM hygiene.",
    policies,
});
