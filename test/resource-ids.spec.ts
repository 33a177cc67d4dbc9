import * as assert from "assert";
import { byType, type ProgramRun } from "../offline/harness";
import { plan } from "./support";

// Each resource's id in the offline plan has the shape the real provider stores, so a reference
// such as RolePolicy.role shows in the plan what a real preview shows. `imports` is the example of
// the resource page's "Import" section (https://www.pulumi.com/registry/packages/aws/api-docs/,
// /random/api-docs/, /tls/api-docs/; the same text is in node_modules/@pulumi/*/<module>/<type>.d.ts).
// Where the provider stores another id than it imports by, `stores` names the provider source that
// sets it (paths under https://github.com/hashicorp/terraform-provider-aws/tree/main/ unless named).

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const HEX17 = "0[0-9a-f]{16}";
const NAME = "[a-z0-9][a-z0-9-]*[a-z0-9]";
const REGION_ACCOUNT = "eu-west-1:123456789012";
const TF_UNIQUE = "terraform-\\d{18}[0-9a-f]{8}";

interface Row {
    type: string;
    shape: RegExp;
    imports: string;
    stores?: string;
}

const ROWS: Row[] = [
    { type: "aws:acm/certificate:Certificate", shape: new RegExp(`^arn:aws:acm:${REGION_ACCOUNT}:certificate/${UUID}$`), imports: "arn:aws:acm:eu-central-1:123456789012:certificate/7e7a28d2-163f-4b8f-b9cd-822f96c08d6a" },
    { type: "aws:acm/certificateValidation:CertificateValidation", shape: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000 UTC$/, imports: "(no import)", stores: "internal/service/acm/certificate_validation.go: d.SetId(aws.ToTime(certificate.IssuedAt).String())" },
    { type: "aws:acmpca/certificate:Certificate", shape: new RegExp(`^arn:aws:acm-pca:${REGION_ACCOUNT}:certificate-authority/${UUID}/certificate/[0-9a-f]{32}$`), imports: "arn:aws:acm-pca:eu-west-1:675225743824:certificate-authority/08319ede-…/certificate/a4e9c2aa4bcfab625g1b9136464cd3a" },
    { type: "aws:acmpca/certificateAuthority:CertificateAuthority", shape: new RegExp(`^arn:aws:acm-pca:${REGION_ACCOUNT}:certificate-authority/${UUID}$`), imports: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012" },
    { type: "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate", shape: new RegExp(`^arn:aws:acm-pca:${REGION_ACCOUNT}:certificate-authority/${UUID}$`), imports: "(no import)", stores: "internal/service/acmpca/certificate_authority_certificate.go: d.SetId(certificateAuthorityARN)" },
    { type: "aws:appautoscaling/policy:Policy", shape: new RegExp(`^${NAME}$`), imports: "service-namespace/resource-id/scalable-dimension/policy-name", stores: "internal/service/appautoscaling/policy.go: d.SetId(d.Get(\"name\"))" },
    { type: "aws:appautoscaling/target:Target", shape: new RegExp(`^service/${NAME}/${NAME}$`), imports: "service-namespace/resource-id/scalable-dimension", stores: "internal/service/appautoscaling/target.go: the resource id" },
    { type: "aws:cloudwatch/eventRule:EventRule", shape: new RegExp(`^${NAME}$`), imports: "example-event-bus/capture-console-sign-in (the rule name alone on the default bus)" },
    { type: "aws:cloudwatch/eventTarget:EventTarget", shape: new RegExp(`^${NAME}-${TF_UNIQUE}$`), imports: "rule-name/target-id", stores: "internal/service/events/id.go: TargetCreateResourceID joins rule and target id with \"-\"" },
    { type: "aws:cloudwatch/dashboard:Dashboard", shape: new RegExp(`^${NAME}$`), imports: "my-dashboard (the name)" },
    { type: "aws:cloudwatch/metricAlarm:MetricAlarm", shape: new RegExp(`^${NAME}$`), imports: "alarm-12345 (the name)" },
    { type: "aws:cloudwatch/logGroup:LogGroup", shape: new RegExp(`^[a-z0-9/][a-z0-9/_-]*$`), imports: "yada (the name)" },
    { type: "aws:cloudwatch/logMetricFilter:LogMetricFilter", shape: new RegExp(`^${NAME}$`), imports: "log-group-name:metric-filter-name", stores: "internal/service/logs/metric_filter.go: d.SetId(name)" },
    { type: "aws:cloudwatch/metricAlarm:MetricAlarm", shape: new RegExp(`^${NAME}$`), imports: "test-alarm (the alarm name)" },
    { type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", shape: new RegExp(`^sg-${HEX17}$`), imports: "sg-903004f8" },
    { type: "aws:ec2/eip:Eip", shape: new RegExp(`^eipalloc-${HEX17}$`), imports: "eipalloc-00a10e96" },
    { type: "aws:ec2/flowLog:FlowLog", shape: new RegExp(`^fl-${HEX17}$`), imports: "fl-1a2b3c4d" },
    { type: "aws:ec2/instance:Instance", shape: new RegExp(`^i-${HEX17}$`), imports: "i-12345678" },
    { type: "aws:ec2/internetGateway:InternetGateway", shape: new RegExp(`^igw-${HEX17}$`), imports: "igw-c0a643a9" },
    { type: "aws:ec2/natGateway:NatGateway", shape: new RegExp(`^nat-${HEX17}$`), imports: "nat-05dba92075d71c408" },
    { type: "aws:ec2/route:Route", shape: new RegExp(`^r-rtb-${HEX17}\\d+$`), imports: "rtb-656C65616E6F72_10.42.0.0/16", stores: "internal/service/ec2/vpc_route.go: RouteCreateID, r-<route table id><crc32 of the destination>" },
    { type: "aws:ec2/routeTable:RouteTable", shape: new RegExp(`^rtb-${HEX17}$`), imports: "rtb-4e616f6d69" },
    { type: "aws:ec2/routeTableAssociation:RouteTableAssociation", shape: new RegExp(`^rtbassoc-${HEX17}$`), imports: "subnet-6777656e646f6c796e/rtb-656c65616e6f72", stores: "internal/service/ec2/vpc_route_table_association.go: the association id" },
    { type: "aws:ec2/securityGroup:SecurityGroup", shape: new RegExp(`^sg-${HEX17}$`), imports: "sg-903004f8" },
    { type: "aws:ec2/subnet:Subnet", shape: new RegExp(`^subnet-${HEX17}$`), imports: "subnet-9d4a7b6c" },
    { type: "aws:ec2/vpc:Vpc", shape: new RegExp(`^vpc-${HEX17}$`), imports: "vpc-a01106c2" },
    { type: "aws:ec2/vpcEndpoint:VpcEndpoint", shape: new RegExp(`^vpce-${HEX17}$`), imports: "vpce-3ecf2a57" },
    { type: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", shape: new RegExp(`^${NAME}$`), imports: "ecr-public (the repository prefix)" },
    { type: "aws:ecs/cluster:Cluster", shape: new RegExp(`^arn:aws:ecs:${REGION_ACCOUNT}:cluster/${NAME}$`), imports: "stateless-app (the name)", stores: "internal/service/ecs/cluster.go: d.SetId(aws.ToString(cluster.ClusterArn))" },
    { type: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", shape: new RegExp(`^${NAME}$`), imports: "my-cluster (the cluster name)" },
    { type: "aws:ecs/service:Service", shape: new RegExp(`^arn:aws:ecs:${REGION_ACCOUNT}:service/${NAME}/${NAME}$`), imports: "cluster-name/service-name", stores: "internal/service/ecs/service.go: the service ARN" },
    { type: "aws:ecs/taskDefinition:TaskDefinition", shape: new RegExp(`^${NAME}$`), imports: "arn:aws:ecs:us-east-1:012345678910:task-definition/mytaskfamily:123", stores: "internal/service/ecs/task_definition.go: d.SetId(aws.ToString(taskDefinition.Family))" },
    { type: "aws:iam/role:Role", shape: new RegExp(`^${NAME}$`), imports: "developer_name (the name)" },
    { type: "aws:iam/rolePolicy:RolePolicy", shape: new RegExp(`^${NAME}:(${NAME}|${TF_UNIQUE})$`), imports: "role_of_mypolicy_name:mypolicy_name" },
    { type: "aws:kms/alias:Alias", shape: /^alias\/[a-zA-Z0-9/_-]+$/, imports: "alias/my-key-alias" },
    { type: "aws:kms/key:Key", shape: new RegExp(`^${UUID}$`), imports: "1234abcd-12ab-34cd-56ef-1234567890ab" },
    { type: "aws:lambda/function:Function", shape: new RegExp(`^${NAME}$`), imports: "example (the function name)" },
    { type: "aws:lambda/permission:Permission", shape: new RegExp(`^${TF_UNIQUE}$`), imports: "function_name/statement_id", stores: "internal/service/lambda/permission.go: d.SetId(statementID), Terraform's unique name when none is given" },
    { type: "aws:lb/listener:Listener", shape: new RegExp(`^arn:aws:elasticloadbalancing:${REGION_ACCOUNT}:listener/app/${NAME}/[0-9a-f]{16}/[0-9a-f]{16}$`), imports: "arn:aws:elasticloadbalancing:us-west-2:187416307283:listener/app/front-end-alb/8e4497da625e2d8a/9ab28ade35828f96" },
    { type: "aws:lb/loadBalancer:LoadBalancer", shape: new RegExp(`^arn:aws:elasticloadbalancing:${REGION_ACCOUNT}:loadbalancer/app/${NAME}/[0-9a-f]{16}$`), imports: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188" },
    { type: "aws:lb/targetGroup:TargetGroup", shape: new RegExp(`^arn:aws:elasticloadbalancing:${REGION_ACCOUNT}:targetgroup/${NAME}/[0-9a-f]{16}$`), imports: "arn:aws:elasticloadbalancing:us-west-2:187416307283:targetgroup/app-front-end/20cfe21448b66314" },
    { type: "aws:sns/topic:Topic", shape: new RegExp(`^arn:aws:sns:${REGION_ACCOUNT}:${NAME}$`), imports: "arn:aws:sns:us-west-2:123456789012:my-topic" },
    { type: "aws:sns/topicSubscription:TopicSubscription", shape: new RegExp(`^arn:aws:sns:${REGION_ACCOUNT}:${NAME}:${UUID}$`), imports: "arn:aws:sns:us-west-2:123456789012:my-topic:8a21d249-4329-4871-acc6-7be709c6ea7f" },
    { type: "aws:rds/cluster:Cluster", shape: new RegExp(`^${NAME}$`), imports: "aurora-prod-cluster (the cluster identifier)" },
    { type: "aws:rds/clusterInstance:ClusterInstance", shape: new RegExp(`^${NAME}$`), imports: "aurora-cluster-instance-1 (the identifier)" },
    { type: "aws:rds/subnetGroup:SubnetGroup", shape: new RegExp(`^${NAME}$`), imports: "production-subnet-group (the name)" },
    { type: "aws:route53/record:Record", shape: /^Z[0-9A-Z]+_[a-z0-9_.-]+_(A|AAAA|CNAME|TXT)$/, imports: "Z4KAPRWWNC7JR_dev_NS" },
    { type: "aws:s3/bucket:Bucket", shape: new RegExp(`^${NAME}$`), imports: "bucket-name" },
    { type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", shape: new RegExp(`^${NAME}$`), imports: "bucket-name" },
    { type: "aws:s3/bucketVersioning:BucketVersioning", shape: new RegExp(`^${NAME}$`), imports: "bucket-name" },
    { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", shape: new RegExp(`^${NAME}$`), imports: "my-bucket" },
    { type: "aws:s3/bucketPolicy:BucketPolicy", shape: new RegExp(`^${NAME}$`), imports: "my-tf-test-bucket" },
    { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", shape: new RegExp(`^${NAME}$`), imports: "my-bucket" },
    { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", shape: new RegExp(`^${NAME}$`), imports: "bucket-name" },
    { type: "aws:secretsmanager/secret:Secret", shape: new RegExp(`^arn:aws:secretsmanager:${REGION_ACCOUNT}:secret:${NAME}-[0-9a-zA-Z]{6}$`), imports: "arn:aws:secretsmanager:us-east-1:123456789012:secret:example-123456" },
    { type: "aws:secretsmanager/secretVersion:SecretVersion", shape: new RegExp(`^arn:aws:secretsmanager:${REGION_ACCOUNT}:secret:${NAME}-[0-9a-zA-Z]{6}\\|${UUID}$`), imports: "arn:aws:secretsmanager:us-east-1:123456789012:secret:example-123456|xxxxx-xxxxxxx-xxxxxxx-xxxxx" },
    { type: "aws:ssm/parameter:Parameter", shape: /^\/[a-z0-9][a-z0-9/_-]*$/, imports: "/my_path/to/parameter (the name)" },
    { type: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", shape: new RegExp(`^ns-${HEX17}$`), imports: "0123456789:vpc-123345 (namespace id:VPC id)", stores: "internal/service/servicediscovery/private_dns_namespace.go: the namespace id" },
    { type: "aws:servicediscovery/service:Service", shape: new RegExp(`^srv-${HEX17}$`), imports: "0123456789 (the service id)" },
    { type: "aws:sfn/stateMachine:StateMachine", shape: new RegExp(`^arn:aws:states:${REGION_ACCOUNT}:stateMachine:${NAME}$`), imports: "arn:aws:states:eu-west-1:123456789098:stateMachine:bar" },
    { type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", shape: new RegExp(`^sgr-${HEX17}$`), imports: "sgr-02108b27edd666983" },
    { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", shape: new RegExp(`^sgr-${HEX17}$`), imports: "sgr-02108b27edd666983" },
    { type: "aws:wafv2/ipSet:IpSet", shape: new RegExp(`^${UUID}$`), imports: "a1b2c3d4-d5f6-7777-8888-9999aaaabbbbcccc/example/REGIONAL", stores: "internal/service/wafv2/ip_set.go: d.SetId(aws.ToString(output.Summary.Id))" },
    { type: "aws:wafv2/webAcl:WebAcl", shape: new RegExp(`^${UUID}$`), imports: "a1b2c3d4-d5f6-7777-8888-9999aaaabbbbcccc/example/REGIONAL", stores: "internal/service/wafv2/web_acl.go: d.SetId(aws.ToString(output.Summary.Id))" },
    { type: "aws:wafv2/webAclAssociation:WebAclAssociation", shape: new RegExp(`^arn:aws:wafv2:${REGION_ACCOUNT}:regional/webacl/${NAME}/${UUID},arn:aws:elasticloadbalancing:${REGION_ACCOUNT}:loadbalancer/app/${NAME}/[0-9a-f]{16}$`), imports: "WEB_ACL_ARN,RESOURCE_ARN" },
    { type: "random:index/randomId:RandomId", shape: /^[A-Za-z0-9_-]+$/, imports: "7-ZV (the b64_url value)" },
    { type: "random:index/randomPassword:RandomPassword", shape: /^none$/, imports: "securepassword (the value)", stores: "terraform-provider-random internal/provider/resource_password.go: the id is \"none\"" },
    { type: "tls:index/privateKey:PrivateKey", shape: /^[0-9a-f]{40}$/, imports: "(no import)", stores: "terraform-provider-tls: hashForState(public key PEM), SHA-1 hex" },
    { type: "tls:index/certRequest:CertRequest", shape: /^[0-9a-f]{40}$/, imports: "(no import)", stores: "terraform-provider-tls: hashForState(CSR PEM), SHA-1 hex" },
    { type: "tls:index/selfSignedCert:SelfSignedCert", shape: /^\d+$/, imports: "(no import)", stores: "terraform-provider-tls: the serial number in decimal" },
    { type: "tls:index/locallySignedCert:LocallySignedCert", shape: /^\d+$/, imports: "(no import)", stores: "terraform-provider-tls: the serial number in decimal" },
];

/** Types whose real id is the same for every resource of the type. */
const CONSTANT_ID = new Set(["random:index/randomPassword:RandomPassword"]);

const one = (run: ProgramRun, type: string, nameEnd: string) => {
    const found = byType(run, type).filter(r => r.name.endsWith(nameEnd));
    assert.strictEqual(found.length, 1, `one ${type} named …${nameEnd}`);
    return found[0];
};

describe("resource ids in the offline plan", () => {
    let runs: ProgramRun[];
    before(async () => {
        runs = [await plan("dev"), await plan("prod")];
    });
    const all = (type: string) => runs.flatMap(run => byType(run, type));

    for (const row of ROWS) {
        it(`${row.type}: shaped like ${row.imports}${row.stores ? `; stored as in ${row.stores}` : ""}`, () => {
            const resources = all(row.type);
            assert.ok(resources.length > 0, `the dev or prod plan has a ${row.type} (drop the row if the program no longer makes one)`);
            for (const r of resources) assert.match(r.id ?? "", row.shape, r.urn);
        });
    }

    it("has a row for every resource type the plans create", () => {
        const known = new Set(ROWS.map(r => r.type));
        const types = new Set(runs.flatMap(run => run.resources.filter(r => r.custom).map(r => r.type)));
        assert.deepStrictEqual([...types].filter(t => !known.has(t)).sort(), []);
    });

    it("gives each resource of a type its own id (except where the provider's id is a constant)", () => {
        for (const run of runs) {
            const ids = run.resources.filter(r => r.custom && !CONSTANT_ID.has(r.type)).map(r => `${r.type} ${r.id}`);
            assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
        }
    });

    for (const stack of ["dev", "prod"] as const) {
        describe(`${stack}: references read the way a real preview shows them`, () => {
            let run: ProgramRun;
            before(async () => {
                run = await plan(stack);
            });

            it("an inline role policy names its role by name, and its id is role:policy", () => {
                const roles = byType(run, "aws:iam/role:Role");
                const policies = byType(run, "aws:iam/rolePolicy:RolePolicy");
                assert.ok(policies.length > 0);
                for (const p of policies) {
                    const role = roles.find(r => r.id === p.inputs.role);
                    assert.ok(role, `${p.urn}: role ${p.inputs.role} is a role's id`);
                    assert.doesNotMatch(p.inputs.role, /^arn:/, `${p.urn}: a role policy takes the role's name`);
                    assert.strictEqual(p.id, `${role!.id}:${p.outputs.name}`);
                }
            });

            it("a role's id is its name while its arn output stays an ARN ending in that name", () => {
                for (const role of byType(run, "aws:iam/role:Role")) {
                    assert.strictEqual(role.id, role.outputs.name);
                    assert.strictEqual(role.outputs.arn, `arn:aws:iam::123456789012:role/${role.id}`);
                }
            });

            it("ARN-valued inputs (task and execution roles, event target roles) still get ARNs", () => {
                const arnsOf = (type: string) => new Set(byType(run, type).map(r => r.outputs.arn));
                const roleArns = arnsOf("aws:iam/role:Role");
                for (const td of byType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
                    assert.ok(roleArns.has(td.inputs.executionRoleArn), `${td.urn}: executionRoleArn ${td.inputs.executionRoleArn}`);
                    if (td.inputs.taskRoleArn !== undefined) assert.ok(roleArns.has(td.inputs.taskRoleArn), `${td.urn}: taskRoleArn ${td.inputs.taskRoleArn}`);
                }
                for (const target of byType(run, "aws:cloudwatch/eventTarget:EventTarget")) {
                    if (target.inputs.roleArn !== undefined) assert.ok(roleArns.has(target.inputs.roleArn), `${target.urn}: roleArn`);
                }
            });

            it("the VPC's default security group has the id the VPC reports", () => {
                const vpc = byType(run, "aws:ec2/vpc:Vpc")[0];
                const dsg = byType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0];
                assert.strictEqual(dsg.id, vpc.outputs.defaultSecurityGroupId);
            });

            it("a route's id is r-<route table><CRC-32 of the destination>, as the provider forms it", () => {
                // crc32("0.0.0.0/0") = 1080289494: the suffix of every default route's id in a real state.
                const route = one(run, "aws:ec2/route:Route", "-public-internet");
                assert.strictEqual(route.id, `r-${route.inputs.routeTableId}1080289494`);
            });
        });
    }
});
