// Every AWS commercial Region (partition `aws`) with the Availability Zone names the offline plan
// answers `aws.getAvailabilityZones` with. Source: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
// (Region codes and AZ counts; the same codes as the Region enum of @pulumi/aws 7).
// AZ letters map to physical zones per account (zone ids are what is stable), and a few Regions
// give accounts a subset (us-west-1: two of three; ap-northeast-1: a, c, d): the letters below are
// those a newly created account sees. China (aws-cn), GovCloud and the European Sovereign Cloud
// are other partitions: the offline plan does not model them.

/** Region code → AZ letters. */
const AZ_LETTERS: Record<string, string> = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "af-south-1": "abc",
    "ap-east-1": "abc",
    "ap-east-2": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-southeast-5": "abc",
    "ap-southeast-6": "abc",
    "ap-southeast-7": "abc",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "il-central-1": "abc",
    "me-central-1": "abc",
    "me-south-1": "abc",
    "mx-central-1": "abc",
    "sa-east-1": "abc",
};

/** Region code → its Availability Zone names, e.g. eu-west-1 → eu-west-1a, eu-west-1b, eu-west-1c. */
export const REGION_AZS: Readonly<Record<string, readonly string[]>> = Object.freeze(
    Object.fromEntries(Object.entries(AZ_LETTERS).map(([region, letters]) => [region, [...letters].map(l => `${region}${l}`)])),
);

export const REGIONS: readonly string[] = Object.keys(REGION_AZS);
