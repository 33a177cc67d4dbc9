// Contract values for tests that build a DataPlane on its own (runProgram), without the stack.
export const STAND_IN = {
    vpcId: "vpc-0a1b2c3d4e5f60001",
    privateSubnetIds: ["subnet-0app000000000001", "subnet-0app000000000002"],
    ecsClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/kong",
    stackKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd",
};
